// Passkeys through the pages with Chromium's virtual authenticator (the DevTools protocol's
// WebAuthn domain: CTAP2, built in, keeping discoverable credentials, verifying the user), on a
// server that requires a second factor of staff: an admin adds a passkey on the Security page,
// signs in with it alone, uses it as the second step after the password, and confirms a
// dangerous action with it inline, after which the action completes.
//
// Browsers refuse WebAuthn on IP addresses: the portal's loopback address stands for
// `localhost`, so the pages are opened there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, screenshots, waitForHydration } from './support/browser.js';
import { ADMIN, usePortal } from './support/portal.js';

/** A virtual authenticator attached to `page`, answering every prompt as its owner would. */
async function virtualAuthenticator(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    async credentials() {
      return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    },
  };
}

async function signInWithPassword(page, url) {
  await page.goto(`${url}/login`);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
}

describe('passkeys', () => {
  const portal = usePortal({ env: { PORTCULLIS_REQUIRE_MFA: 'staff' } });

  test('an admin adds a passkey, signs in with it alone and after the password, and steps up with it', async () => {
    const url = portal.url.replace('127.0.0.1', 'localhost');
    const page = await newPage(portal.browser);
    const authenticator = await virtualAuthenticator(page);

    // Staff without a second factor land on the Security page, where a passkey will do.
    await signInWithPassword(page, url);
    await page.waitForURL(`${url}/account/security`);
    await waitForHydration(page);
    await page.getByText('Your role needs a second factor').waitFor();
    await page.getByLabel('Name of the new passkey').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey “Test laptop” was added.').waitFor();
    const listed = page.locator('.passkey-list .passkey-name');
    await listed.first().waitFor();
    assert.deepEqual(await listed.allTextContents(), ['Test laptop']);
    const [credential] = await authenticator.credentials();
    assert.equal(credential.isResidentCredential, true, 'a discoverable credential, for signing in without an email');
    await screenshots(page, 'passkeys-account');
    // The factor is in place: the admin pages answer now.
    const users = await page.request.get(`${url}/api/v1/users`);
    assert.equal(users.status(), 200);

    // Signed out, the passkey alone signs in: no email, no password.
    await signOut(page);
    await page.goto(`${url}/login`);
    await waitForHydration(page);
    await screenshots(page, 'passkeys-login');
    await page.getByRole('button', { name: 'Use a passkey instead of a password' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.waitForURL(`${url}/`);

    // The password asks for a second step, and the passkey is one.
    await signOut(page);
    await signInWithPassword(page, url);
    await page.getByLabel('Code from your authenticator app').waitFor();
    await page.getByRole('button', { name: 'Use a passkey instead of a code' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.waitForURL(`${url}/`);

    // A new password starts a sign-in that has verified no factor: creating a gateway key asks
    // for a confirmation inline, which the passkey gives, and the key is created.
    const newPassword = 'a new and longer admin password';
    await page.goto(`${url}/account`);
    await waitForHydration(page);
    await page.getByLabel('Current password').fill(ADMIN.password);
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await page.goto(`${url}/admin/gateway-keys`);
    await waitForHydration(page);
    await page.getByLabel('Name').fill('Edge gateway eu-west');
    await page.getByRole('button', { name: 'Create key' }).click();
    const usePasskey = page.getByRole('button', { name: 'Use a passkey' });
    await usePasskey.waitFor();
    await screenshots(page, 'passkeys-step-up');
    await usePasskey.click();
    await page.getByRole('heading', { name: 'Key “Edge gateway eu-west” created' }).waitFor();
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
