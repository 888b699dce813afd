// Finding one's way by keyboard: the admin pages in one menu that keeps the bar on one line,
// focus on the new page's heading after a client-side navigation, the Users page naming each
// person's organisations before a role is granted, and an upload that shows its progress and
// can be cancelled.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { newPage, screenshots, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, fixtures, usePortal } from './support/portal.js';

describe('navigation', () => {
  const portal = usePortal();

  test('the admin pages are one menu, used by keyboard, and focus follows the navigation', async () => {
    const page = await newPage(portal.browser);
    await portal.signIn(page, ADMIN);
    await waitForHydration(page);
    const nav = page.getByRole('navigation', { name: 'Main' });
    const tops = await nav.locator('.nav-links > li').evaluateAll((items) => items.map((li) => Math.round(li.getBoundingClientRect().top)));
    assert.equal(new Set(tops).size, 1, `the navigation fits on one line at 1280 px: ${tops}`);
    const users = nav.getByRole('link', { name: 'Users' });
    assert.equal(await users.isVisible(), false, 'the menu starts closed');

    const summary = nav.locator('summary', { hasText: 'Admin' });
    await summary.focus();
    await page.keyboard.press('Enter');
    await users.waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Users');
    await page.keyboard.press('Escape');
    assert.equal(await users.isVisible(), false, 'Escape closes the menu');
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'SUMMARY', 'and gives focus back to it');

    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/users$/);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1', null, { timeout: 5_000 });
    assert.equal(await users.isVisible(), false, 'choosing a page closes the menu');

    // The same after following a plain link in the bar.
    await nav.getByRole('link', { name: 'Applications' }).click();
    await page.waitForURL(/\/applications$/);
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent.includes('Applications'), null, { timeout: 5_000 });
    assert.deepEqual(page.problems, []);
  });

  test('granting the reviewer role warns which organisation the person applies for', async () => {
    const dev = await newPage(portal.browser);
    await portal.signIn(dev, DEVELOPER);
    await portal.api(dev, 'POST', '/orgs', {
      name: 'Nordlys Apps AS', country: 'NO', website: 'https://nordlys.example', contact_email: 'privacy@nordlys.example',
    });

    const admin = await newPage(portal.browser);
    await portal.signIn(admin, ADMIN);
    await admin.goto(`${portal.url}/admin/users?q=${encodeURIComponent(DEVELOPER.email)}`);
    await waitForHydration(admin);
    const row = admin.getByRole('row').filter({ hasText: DEVELOPER.email });
    assert.match(await row.innerText(), /Nordlys Apps AS/);
    const reviewer = row.getByRole('checkbox', { name: 'reviewer' });
    const hint = await reviewer.getAttribute('aria-describedby');
    assert.match(await admin.locator(`[id="${hint}"]`).innerText(), /Member of Nordlys Apps AS: as a reviewer they cannot review its applications/);
    await screenshots(admin, 'users');
    assert.deepEqual([...dev.problems, ...admin.problems], []);
  });

  test('an upload shows its progress and can be cancelled; nothing is kept', async () => {
    const page = await newPage(portal.browser);
    await portal.signIn(page, DEVELOPER);
    const org = await portal.api(page, 'POST', '/orgs', {
      name: 'Slowline Oy', country: 'FI', website: 'https://slowline.example', contact_email: 'privacy@slowline.example',
    });
    const { application } = await portal.api(page, 'POST', '/applications', { org_id: org.org.id, name: 'Slow Upload' });
    await page.goto(`${portal.url}/applications/${application.id}/edit?step=mockups`);
    await waitForHydration(page);

    // A slow line: 2 MB at 100 KB/s takes twenty seconds.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 100 * 1024 });
    await page.getByLabel('Label').fill('Authorization screen');
    await page.getByLabel('File').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(2 * 1024 * 1024, 7) });
    await page.getByRole('button', { name: 'Upload mockup' }).click();
    await page.getByRole('status').getByText(/Uploading… \d+%/).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Upload mockup' }).isDisabled(), 'one upload at a time');
    await screenshots(page, 'upload-progress');
    await page.getByRole('button', { name: 'Cancel upload' }).click();
    await page.getByText('Upload cancelled: nothing was kept.').waitFor();

    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await page.getByLabel('File').setInputFiles(path.join(fixtures, 'authorization.png'));
    await page.getByRole('button', { name: 'Upload mockup' }).click();
    await page.getByRole('img', { name: 'Authorization screen' }).waitFor();
    await page.getByText('Uploaded.').waitFor();
    const stored = await portal.api(page, 'GET', `/applications/${application.id}`);
    assert.equal(stored.application.mockups.length, 1, 'the cancelled upload left nothing behind');
    assert.deepEqual(page.problems, []);
  });
});
