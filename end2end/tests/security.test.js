// The Security page: where the account is signed in, and ending another session from it, by
// keyboard, after which that browser is signed out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { screenshots, waitForHydration, newPage } from './support/browser.js';
import { DEVELOPER, usePortal } from './support/portal.js';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe('security page', () => {
  const portal = usePortal({ env: { PORTCULLIS_REQUIRE_MFA: 'off' } });

  test('a developer sees their sessions and signs another one out', async () => {
    const phone = await newPage(portal.browser, { userAgent: IPHONE });
    await portal.signIn(phone, DEVELOPER);
    const tablet = await newPage(portal.browser, { userAgent: IPHONE.replaceAll('iPhone', 'iPad') });
    await portal.signIn(tablet, DEVELOPER);
    const laptop = await newPage(portal.browser);
    await portal.signIn(laptop, DEVELOPER);

    // From the account page, the way people find it.
    await laptop.goto(`${portal.url}/account`);
    await laptop.getByRole('link', { name: 'Security' }).click();
    await laptop.waitForURL(`${portal.url}/account/security`);
    await waitForHydration(laptop);
    assert.equal(await laptop.title(), 'Security · Portcullis');
    const sessions = laptop.locator('.session');
    await sessions.first().waitFor();
    assert.equal(await sessions.count(), 3);
    assert.match(await sessions.first().textContent(), /This session/);
    assert.match(await sessions.first().textContent(), /Chrome on Linux/);
    const phoneRow = sessions.filter({ hasText: 'Safari on iPhone' });
    assert.match(await phoneRow.textContent(), /127\.0\.0\.1/);
    assert.equal(await laptop.locator('.session time').count(), 6, 'sign-in and activity times are <time> elements');
    await screenshots(laptop, 'security-sessions');

    // By keyboard: open the confirmation, then confirm.
    await phoneRow.getByText('Sign out…').focus();
    await laptop.keyboard.press('Enter');
    const confirm = phoneRow.getByRole('button', { name: 'Sign out this session' });
    await confirm.waitFor();
    await laptop.keyboard.press('Tab');
    assert.equal(await laptop.evaluate(() => document.activeElement.textContent.trim()), 'Sign out this session');
    await laptop.keyboard.press('Enter');
    await laptop.getByText('Signed out: that session’s device has to sign in again.').waitFor();
    await laptop.waitForFunction(() => document.querySelectorAll('.session').length === 2);
    assert.equal((await phone.request.get(`${portal.url}/api/v1/me`)).status(), 401, 'the phone is signed out');
    assert.equal((await tablet.request.get(`${portal.url}/api/v1/me`)).status(), 200, 'the tablet is not');

    // The last other one, through "everywhere else" (shown only with more than one other).
    assert.equal(await laptop.getByText('Sign out everywhere else…').count(), 0);
    const another = await newPage(portal.browser);
    await portal.signIn(another, DEVELOPER);
    await laptop.reload();
    await waitForHydration(laptop);
    await laptop.getByText('Sign out everywhere else…').click();
    await laptop.getByRole('button', { name: 'Sign out of the other sessions' }).click();
    await laptop.getByText('Signed out of 2 other sessions.').waitFor();
    await laptop.waitForFunction(() => document.querySelectorAll('.session').length === 1);
    assert.equal((await tablet.request.get(`${portal.url}/api/v1/me`)).status(), 401);
    assert.equal((await laptop.request.get(`${portal.url}/api/v1/me`)).status(), 200);
    await screenshots(laptop, 'security-alone');
    assert.deepEqual(laptop.problems, []);
    for (const page of [phone, tablet, laptop, another]) await page.context().close();
  });
});
