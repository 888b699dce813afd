// Typing that the server has not got yet survives a reload: for every text area of the
// application form, text typed just before a reload is what the field shows afterwards, the
// reload asks for confirmation first, and typing on saves all of it.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { DEVELOPER, usePortal } from './support/portal.js';

const URIS = { typed: '\nhttps://quill.example/oauth/second', more: '\nhttps://quill.example/oauth/third' };
const PROSE = { typed: ' Typed just before the reload.', more: ' And typed after it.' };

/** Each text area: its step, its label, its value in the application, what is typed into it. */
const TEXT_AREAS = [
  { step: 'app', label: 'Description', of: (a) => a.description, ...PROSE },
  { step: 'app', label: 'Redirect URIs', of: (a) => a.redirect_uris.join('\n'), ...URIS },
  { step: 'use-case', label: 'What the app does with the data', of: (a) => a.use_case, ...PROSE },
  { step: 'scopes', label: 'Why the app needs it', of: (a) => a.scopes[0].justification, ...PROSE },
  { step: 'eea', label: 'How does the app tell EEA users apart?', of: (a) => a.eea.distinguishing_method, ...PROSE },
  { step: 'data-handling', label: 'How user deletion requests are honoured', of: (a) => a.data_handling.deletion_process, ...PROSE },
  {
    step: 'data-handling', label: 'Sub-processors', of: (a) => a.data_handling.subprocessors.join('\n'),
    typed: '\nUpCloud Oy', more: '\nScaleway SAS',
  },
];

describe('unsaved changes', () => {
  const portal = usePortal();
  let page;
  let id;
  const dialogs = [];

  before(async () => {
    page = await newPage(portal.browser);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.type());
      return dialog.accept();
    });
    await portal.signIn(page, DEVELOPER);
    id = await portal.draftApplication(page, {
      org: { name: 'Quill Messaging Oy', country: 'FI', website: 'https://quill.example', contact_email: 'privacy@quill.example' },
      name: 'Quill Inbox Archive',
      details: {
        description: 'Keeps a private archive of your conversations.',
        redirect_uris: ['https://quill.example/oauth/callback'],
        use_case: 'Quill Inbox Archive keeps a private copy of your conversations and posts.',
        scopes: [{ name: 'portability.direct_messages.ongoing', justification: 'To archive the conversations the person chooses.' }],
        eea: { serves_eea_users: true, countries: ['FI'], distinguishing_method: 'The country of residence the platform reports.' },
        data_handling: { deletion_process: 'Deleting the account erases the archive.', subprocessors: ['Hetzner Online GmbH'] },
      },
    });
  });

  /** What the server holds, through the JSON API. */
  async function onServer() {
    return (await portal.api(page, 'GET', `/applications/${id}`)).application;
  }

  /** The field once the form lets the user type into it, and what it shows then. */
  async function shownWhenEditable(field) {
    await field.waitFor();
    await page.waitForFunction((el) => !el.matches(':disabled, [readonly]'), await field.elementHandle());
    return field.inputValue();
  }

  for (const area of TEXT_AREAS) {
    test(`${area.label}: text typed just before a reload is shown after it, and typing on saves all of it`, async () => {
      const url = `${portal.url}/applications/${id}/edit?step=${area.step}`;
      await page.goto(url);
      await waitForHydration(page);
      const field = page.getByLabel(area.label, { exact: true });
      const before = await shownWhenEditable(field);
      assert.equal(before, area.of(await onServer()));

      // Typed with the keyboard, then reloaded well within the autosave delay.
      await field.focus();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(area.typed);
      assert.equal(area.of(await onServer()), before, 'no save sent yet');
      dialogs.length = 0;
      await page.reload();
      await waitForHydration(page);
      assert.equal(await shownWhenEditable(field), before + area.typed);
      await page.getByText('Restored unsaved changes from this browser').waitFor();
      assert.deepEqual(dialogs, ['beforeunload'], 'leaving with unsaved changes asks first');

      await field.focus();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(area.more);
      await page.getByText('All changes saved.').waitFor();
      assert.equal(area.of(await onServer()), before + area.typed + area.more);
      assert.equal(await field.inputValue(), before + area.typed + area.more);

      // Nothing pending: leaving does not ask.
      await page.reload();
      await waitForHydration(page);
      assert.deepEqual(dialogs, ['beforeunload']);
      assert.equal(await shownWhenEditable(field), before + area.typed + area.more);
      assert.deepEqual(page.problems, []);
    });
  }
});
