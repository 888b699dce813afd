// Second factors through the pages, on a server that requires them of staff: an admin is led to
// set up an authenticator app, keeps the recovery codes, signs in with a code, and confirms a
// dangerous action inline with a code from the app, after which the action completes.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { screenshots, waitForHydration, newPage } from './support/browser.js';
import { ADMIN, usePortal } from './support/portal.js';

/** RFC 4648 base32, as authenticator apps read the key. */
function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The RFC 6238 code (SHA-1, six digits, 30-second steps) for the time `at`. */
function totp(secret, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('second factors', () => {
  const portal = usePortal({ env: { PORTCULLIS_REQUIRE_MFA: 'staff' } });

  test('an admin sets up an app, signs in with a code and confirms a dangerous action inline', async () => {
    const page = await newPage(portal.browser);
    await page.goto(`${portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Staff without a second factor land where they can set one up, and can do nothing else.
    await page.waitForURL(`${portal.url}/account/security`);
    await page.getByText('Your role needs a second factor').waitFor();
    const refused = await page.request.get(`${portal.url}/api/v1/users`);
    assert.equal(refused.status(), 403);
    assert.equal((await refused.json()).error.code, 'second_factor_setup_required');

    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = (await page.locator('code.secret').textContent()).trim();
    await page.getByRole('img', { name: 'QR code of the key' }).waitFor();
    const link = await page.getByRole('link', { name: 'open it in the app' }).getAttribute('href');
    assert.match(link, /^otpauth:\/\/totp\//);
    const params = new URL(link).searchParams;
    assert.equal(params.get('secret'), secret.replace(/\s/g, ''));
    for (const [name, expected] of [['algorithm', 'SHA1'], ['digits', '6'], ['period', '30']]) {
      assert.ok([null, expected].includes(params.get(name)), `${name}: ${params.get(name)}`);
    }
    await screenshots(page, 'second-factor-setup');
    await page.getByLabel('Code from the app').fill(totp(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    const codes = page.locator('.recovery-codes code');
    await codes.first().waitFor();
    assert.equal(await codes.count(), 10);
    const recovery = (await codes.allTextContents()).map((code) => code.trim());
    await screenshots(page, 'second-factor-recovery-codes');

    // Signing in again: the password alone is not enough; the code field appears, and the
    // email and password stay filled in. A recovery code works in place of a code.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.goto(`${portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Code from your authenticator app');
    await code.waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), ADMIN.email);
    await screenshots(page, 'second-factor-sign-in');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code', 'focus moves to the code');
    await page.keyboard.type(recovery[0]);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.waitForURL(`${portal.url}/`);

    // Changing the password starts a new sign-in that has shown no code yet, so creating a
    // gateway key asks for one, inline, and then creates the key.
    const newPassword = 'a new and longer admin password';
    await page.goto(`${portal.url}/account`);
    await waitForHydration(page);
    await page.getByLabel('Current password').fill(ADMIN.password);
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();

    await page.goto(`${portal.url}/admin/gateway-keys`);
    await waitForHydration(page);
    await page.getByLabel('Name').fill('Edge gateway eu-west');
    await page.getByRole('button', { name: 'Create key' }).click();
    const prompt = page.getByRole('group', { name: 'Code from your authenticator app' });
    await prompt.waitFor();
    await screenshots(page, 'second-factor-step-up');
    // The next step's code: this step's was used to confirm the app, and a code works once.
    // Focus is in the code field already: type and press Enter.
    await page.keyboard.type(totp(secret, Date.now() + 30_000));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Key “Edge gateway eu-west” created' }).waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
