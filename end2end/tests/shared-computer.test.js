// On a shared computer the next person sees nothing of the last one's unsaved work: the
// application form's browser copy is kept under the signed-in user and removed at sign-out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { DEVELOPER, usePortal } from './support/portal.js';

/** The unsaved drafts this browser keeps, by key. */
function keptDrafts(page) {
  return page.evaluate(() =>
    Object.fromEntries(Object.entries(localStorage).filter(([key]) => key.startsWith('portcullis-draft-'))));
}

describe('shared computer', () => {
  const portal = usePortal();

  test('unsaved text is kept under the signed-in user and gone after signing out', async () => {
    const page = await newPage(portal.browser);
    page.on('dialog', (dialog) => dialog.accept());
    await portal.signIn(page, DEVELOPER);
    const { user } = await portal.api(page, 'GET', '/me');
    const id = await portal.draftApplication(page, {
      org: { name: 'Lantern Photos AB', country: 'SE', website: 'https://lantern.example', contact_email: 'privacy@lantern.example' },
      name: 'Lantern Backup',
      details: { description: 'Backs up your photos.' },
    });

    // Saves cannot reach the server, so the typing stays in the browser only.
    await page.route('**/rpc/save_application*', (route) => route.abort());
    await page.goto(`${portal.url}/applications/${id}/edit?step=app`);
    await waitForHydration(page);
    const description = page.getByLabel('Description', { exact: true });
    await page.waitForFunction((el) => !el.matches(':disabled, [readonly]'), await description.elementHandle());
    await description.focus();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' My private note.');
    await page.waitForFunction(() => Object.values(localStorage).some((v) => v.includes('My private note.')));
    assert.deepEqual(Object.keys(await keptDrafts(page)), [`portcullis-draft-${user.id}-${id}`]);

    await page.unroute('**/rpc/save_application*');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    assert.deepEqual(await keptDrafts(page), {}, 'nothing left for the next person');
  });
});
