// The account page, used by keyboard as people do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPage, screenshots, waitForHydration } from './support/browser.js';
import { DEVELOPER, usePortal } from './support/portal.js';

describe('account', () => {
  const portal = usePortal();

  it('changing the password by keyboard keeps this session and ends the others', async () => {
    const other = await newPage(portal.browser);
    await portal.signIn(other, DEVELOPER);
    const page = await newPage(portal.browser);
    await portal.signIn(page, DEVELOPER);

    await page.getByRole('link', { name: 'Demo Developer' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await waitForHydration(page);
    await screenshots(page, 'account');
    await page.getByLabel('Current password').focus();
    await page.keyboard.type(DEVELOPER.password);
    await page.keyboard.press('Tab');
    await page.keyboard.type('a new and longer passphrase');
    await page.keyboard.press('Enter');
    await page.getByText('Your password is changed.').waitFor();
    await screenshots(page, 'account-changed');

    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await other.reload();
    await other.getByRole('link', { name: 'Sign in' }).first().waitFor();
    assert.deepEqual(page.problems, []);
  });
});
