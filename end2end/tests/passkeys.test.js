// Passkeys through the pages with Chromium's virtual authenticator (the DevTools protocol's
// WebAuthn domain: CTAP2, built in, keeping discoverable credentials, verifying the user), on a
// server that requires a second factor of staff: an admin adds a passkey on the Security page,
// signs in with it alone, uses it as the second step after the password, and confirms a
// dangerous action with it inline, after which the action completes; a reviewer confirms the
// approval of direct messages with one.
//
// Browsers refuse WebAuthn on IP addresses: the portal's loopback address stands for
// `localhost`, so the pages are opened there.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, screenshots, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, REVIEWER, completeDetails, usePortal } from './support/portal.js';

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

async function signInWithPassword(page, url, { email, password } = ADMIN) {
  await page.goto(`${url}/login`);
  await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
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
    // The page's account state follows at once: the warning gives way, with no reload.
    await page.getByText('A passkey protects your account.').waitFor();
    assert.equal(await page.getByText('Your role needs a second factor').count(), 0);
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

  test('a reviewer confirms the approval of direct messages with a passkey, and the approval is recorded', async () => {
    const dev = await newPage(portal.browser);
    await portal.signIn(dev, DEVELOPER);
    const id = await portal.submittedApplication(dev, {
      org: { name: 'Parley Chat Oy', country: 'FI', website: 'https://parley.example', contact_email: 'privacy@parley.example' },
      name: 'Parley Message Export',
      details: completeDetails('parley.example', { scopes: ['portability.direct_messages.ongoing'] }),
    });
    await dev.context().close();

    // The reviewer has no second factor yet: a passkey, added as the sign-in asks. Adding it
    // verifies it, so a new password then starts a sign-in with no fresh factor, and the
    // approval below must ask for one.
    const url = portal.url.replace('127.0.0.1', 'localhost');
    const page = await newPage(portal.browser);
    await virtualAuthenticator(page);
    await signInWithPassword(page, url, REVIEWER);
    await page.waitForURL(`${url}/account/security`);
    await waitForHydration(page);
    await page.getByLabel('Name of the new passkey').fill('Reviewer laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey “Reviewer laptop” was added.').waitFor();
    await page.goto(`${url}/account`);
    await waitForHydration(page);
    await page.getByLabel('Current password').fill(REVIEWER.password);
    await page.getByLabel('New password').fill('a new and longer reviewer password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();

    await page.goto(`${url}/applications/${id}/review`);
    await page.getByRole('heading', { name: 'Review: Parley Message Export' }).waitFor();
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Claim and start reviewing' }).click();
    await page.getByRole('group', { name: 'Privacy checklist' }).waitFor();
    await waitForHydration(page);
    const passes = page.getByRole('radio', { name: 'Pass' });
    const count = await passes.count();
    for (let i = 0; i < count; i += 1) {
      await passes.nth(i).check();
      await page.getByText(`${i + 1} of ${count} items recorded`).waitFor();
    }
    await page.getByRole('button', { name: 'Approve' }).click();
    const usePasskey = page.getByRole('button', { name: 'Use a passkey' });
    await usePasskey.waitFor();
    await screenshots(page, 'passkeys-approval-step-up');
    await usePasskey.click();
    // The approval went through once confirmed: the first of the two that direct messages need.
    await page.getByText(/Sensitive scopes need a second reviewer's approval/).waitFor();
    const response = await page.request.get(`${url}/api/v1/applications/${id}`);
    assert.equal(response.status(), 200);
    const body = await response.json();
    const { first_approval: approval } = body.application ?? body;
    assert.equal(approval?.reviewer_name, 'Demo Reviewer', JSON.stringify(body));
    assert.deepEqual(approval.granted_scopes, ['portability.direct_messages.ongoing']);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
