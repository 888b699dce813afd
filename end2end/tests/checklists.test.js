// An admin edits the security checklist in a real browser: rewords an item, moves it, retires
// one, adds one with the keyboard, publishes after confirming, and sees the new version.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { ADMIN, usePortal } from './support/portal.js';

describe('checklists', () => {
  const portal = usePortal();

  test('an admin publishes a new version of the security checklist', async () => {
    const page = await newPage(portal.browser);
    await portal.signIn(page, ADMIN);

    await page.getByRole('main').getByRole('link', { name: 'Checklists' }).click();
    await page.getByRole('heading', { name: 'Review checklists' }).waitFor();
    await waitForHydration(page);
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByText('Security checklist, version 1').waitFor();
    await page.getByText('No unpublished changes.').waitFor();

    const titles = page.locator('.template-item input[type="text"]');
    assert.equal(await titles.first().inputValue(), 'Redirect URIs are https and exact');
    const count = await titles.count();

    // Reword the first item and move it down one place.
    await titles.first().fill('Redirect URIs are https and matched exactly');
    await page.getByRole('button', { name: 'Move down: “Redirect URIs are https and matched exactly”' }).click();
    assert.equal(await titles.nth(1).inputValue(), 'Redirect URIs are https and matched exactly');
    // Retire the storage-region item.
    await page.getByRole('button', { name: 'Retire: “The storage region is stated”' }).click();
    // A new item by keyboard: the button, then straight into its title.
    await page.getByRole('button', { name: 'Add an item' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('Message exports are encrypted end to end');
    const added = page.locator('.template-item').last();
    assert.equal(await added.locator('input[type="text"]').inputValue(), 'Message exports are encrypted end to end');
    await added.getByText('Applies to every application').click();
    await added.getByLabel('Direct messages, recurring access').check();
    await added.getByText('Applies to: Direct messages, recurring access').waitFor();
    await page.getByText('Unpublished changes: 1 added, 1 reworded, 1 retired, reordered.').waitFor();

    // An empty title is refused with the reason beside it, and nothing typed is lost.
    await titles.first().fill('');
    await page.getByText('Publish version 2…').click();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Give the item a title.').waitFor();
    assert.equal(await titles.nth(1).inputValue(), 'Redirect URIs are https and matched exactly');
    await titles.first().fill('Data is encrypted in transit and at rest');

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText('Version 2 of the security checklist is published. New reviews use it.').waitFor();
    await page.getByText('Security checklist, version 2, published by Demo Admin').waitFor();
    assert.equal(await titles.count(), count);
    assert.equal(await titles.nth(1).inputValue(), 'Redirect URIs are https and matched exactly');
    assert.equal(await titles.last().inputValue(), 'Message exports are encrypted end to end');
    const history = page.locator('table tbody tr');
    assert.equal(await history.count(), 2);
    assert.match(await history.first().innerText(), /^2\s/);

    // What the API serves is what the page showed.
    const response = await page.request.get(`${portal.url}/api/v1/checklists/security`);
    const template = await response.json();
    assert.equal(template.version, 2);
    assert.deepEqual(template.items.at(-1).applies_to, ['portability.direct_messages.ongoing']);
    assert.ok(!template.items.some((item) => item.title === 'The storage region is stated'));
    await page.close();
  });
});
