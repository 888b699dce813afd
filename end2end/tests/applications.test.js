// Applying for access in a real browser: an organisation, every step of the form with
// autosave, two mockups, the checklist going green, submission and the status page; then
// the staff view, where stored script strings stay inert text.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { DEVELOPER, REVIEWER, fixtures, usePortal } from './support/portal.js';

const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>`;

describe('applications', () => {
  const portal = usePortal();

  async function step(page, name) {
    await page.getByRole('navigation', { name: 'Steps' }).getByRole('link', { name: new RegExp(name) }).click();
    await waitForHydration(page);
  }

  async function saved(page) {
    await page.getByText('All changes saved.').waitFor();
  }

  test('a developer fills every step, uploads mockups, submits, and reviewers see it inert', async () => {
    const page = await newPage(portal.browser);
    await portal.signIn(page, DEVELOPER);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organisations' }).click();
    await page.getByLabel('Legal name').fill(`Zoë Data Tools GmbH ${XSS}`);
    await page.getByLabel('Country').fill('DE');
    await page.getByLabel('Website').fill('https://zoe.example');
    await page.getByLabel('Contact email').fill('privacy@zoe.example');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    await page.getByRole('link', { name: 'Start an application' }).click();
    await page.getByLabel('App name').fill('Zoë Export');
    await page.getByRole('button', { name: 'Start application' }).click();
    await page.waitForURL(/\/applications\/[^/]+\/edit/);
    await waitForHydration(page);
    const editUrl = page.url().split('?')[0];

    // 1. App — an invalid URL shows its error beside the field and keeps the typed text.
    await page.getByLabel('Description').fill(`Moves your posts into your own archive. ${XSS}`);
    await page.getByLabel('Website').fill('http://zoe.example');
    await page.getByText('Use https').first().waitFor();
    assert.equal(await page.getByLabel('Website').inputValue(), 'http://zoe.example');
    await page.getByLabel('Website').fill('https://zoe.example');
    await page.getByLabel('Privacy policy URL').fill('https://zoe.example/privacy');
    await page.getByLabel('Redirect URIs').fill('https://zoe.example/oauth/callback');
    await saved(page);

    // A reload loses nothing.
    await page.reload();
    await waitForHydration(page);
    assert.equal(await page.getByLabel('Privacy policy URL').inputValue(), 'https://zoe.example/privacy');

    // Keyboard: "Next" moves focus to the new step's heading, so a second Enter does not skip a step.
    await page.getByRole('link', { name: 'Next: Use case →' }).press('Enter');
    await page.waitForFunction(() => document.activeElement?.textContent === '2. Use case');
    await page.getByRole('link', { name: 'Skip to the form' }).waitFor({ state: 'attached' });
    await page.getByLabel('What the app does with the data').fill('Too short to explain anything.');
    await page.getByText('30 of at least 200 characters').waitFor();
    await page.getByLabel('What the app does with the data').fill(`${'Zoë Export keeps a private copy of what people published. '.repeat(5)}\n\n${XSS}`);
    await saved(page);

    await step(page, 'Scopes');
    await page.getByLabel(/Posts, one-time copy/).check();
    await page.getByLabel('Why the app needs it').fill(`To copy the person's posts once into their archive. ${XSS}`);
    await saved(page);

    await step(page, 'EEA users');
    await page.getByRole('group', { name: 'Does the app serve users in the EEA?' }).getByLabel('Yes').check();
    await page.getByLabel('Germany').check();
    await page.getByLabel('France').check();
    await page.getByLabel('How does the app tell EEA users apart?').fill(`The account's country of residence as the platform reports it. ${XSS}`);
    await saved(page);

    await step(page, 'Data handling');
    await page.getByLabel('Storage region').fill('EU (Frankfurt)');
    await page.getByLabel('Retention period (days)').fill('30');
    await page.getByRole('group', { name: 'Is the data encrypted at rest?' }).getByLabel('Yes').check();
    await page.getByLabel('How user deletion requests are honoured').fill(`A delete button erases everything within a day. ${XSS}`);
    await page.getByLabel('Sub-processors').fill('Hetzner Online GmbH');
    await page.getByLabel('Security contact email').fill('security@zoe.example');
    await saved(page);
    assert.match(await page.getByText(/of 6 steps complete/).innerText(), /5 of 6/);

    await step(page, 'UX mockups');
    for (const [label, file] of [['Authorization screen', 'authorization.png'], ['Revoke access', 'revoke.png']]) {
      await page.getByLabel('Label').fill(label);
      await page.getByLabel('File').setInputFiles(path.join(fixtures, file));
      await page.getByRole('button', { name: 'Upload mockup' }).click();
      await page.getByRole('img', { name: label }).waitFor();
    }
    await page.getByText('Nothing: the application is ready to submit.').waitFor();
    assert.match(await page.getByText(/of 6 steps complete/).innerText(), /6 of 6/);

    await page.getByRole('link', { name: 'Review and submit →' }).click();
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('Submitted', { exact: true }).first().waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Edit application' }).count(), 0, 'read-only after submission');
    await page.goto(editUrl);
    await page.getByText(/cannot be edited/).waitFor();
    assert.deepEqual(page.problems, []);

    // The staff view: reviewers open it from the queue; every stored string is inert text.
    const reviewer = await newPage(portal.browser);
    await portal.signIn(reviewer, REVIEWER);
    await reviewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Review queue' }).click();
    await reviewer.getByRole('table').getByRole('link', { name: 'Zoë Export' }).first().click();
    await reviewer.getByRole('heading', { name: 'Review: Zoë Export' }).waitFor();
    await waitForHydration(reviewer);
    const html = await reviewer.locator('main').innerHTML();
    assert.ok(!html.includes('<script>window.__xss'), 'no live script element');
    assert.ok(!/<img[^>]+onerror/.test(html), 'no live img with a handler');
    assert.ok((await reviewer.locator('main').innerText()).includes('<script>window.__xss=1</script>'), 'shown as text');
    assert.equal(await reviewer.evaluate(() => window.__xss), undefined, 'nothing ran');

    // The reviewer asks for changes; the developer edits, resubmits and compares revisions.
    const statusUrl = reviewer.url().replace(/\/review$/, '');
    await reviewer.getByRole('button', { name: 'Claim and start reviewing' }).click();
    await reviewer.getByRole('group', { name: 'Privacy checklist' }).waitFor();
    await waitForHydration(reviewer);
    await reviewer.getByLabel('Message to the applicant').fill('Please add a screen that shows the transfer status.');
    await reviewer.getByRole('button', { name: 'Request changes' }).click();
    await reviewer.getByText('Changes requested', { exact: true }).first().waitFor();
    assert.deepEqual(reviewer.problems, []);

    await page.goto(statusUrl);
    await waitForHydration(page);
    await page.getByText('Please add a screen that shows the transfer status.').waitFor();
    await page.getByRole('link', { name: 'Edit application' }).click();
    await page.waitForURL(/\/edit/);
    await waitForHydration(page);
    await step(page, 'UX mockups');
    await page.getByLabel('Label').fill('Transfer status');
    await page.getByLabel('File').setInputFiles(path.join(fixtures, 'authorization.png'));
    await page.getByRole('button', { name: 'Upload mockup' }).click();
    await page.getByRole('img', { name: 'Transfer status' }).waitFor();
    await page.getByRole('link', { name: 'Review and submit →' }).click();
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('heading', { name: 'Revisions' }).waitFor();
    await page.getByRole('button', { name: 'Compare' }).click();
    const diff = page.getByRole('table').filter({ hasText: 'Changes from revision 1 to 2' });
    await diff.waitFor();
    assert.match(await diff.innerText(), /UX mockups[\s\S]*Transfer status/);
    assert.deepEqual(page.problems, []);
  });

  test('a dropped connection loses nothing: changes wait in the browser and are saved when it is back', async () => {
    const page = await newPage(portal.browser);
    await portal.signIn(page, DEVELOPER);
    await page.goto(`${portal.url}/applications/new`);
    await waitForHydration(page);
    await page.getByLabel('App name').fill('Offline Export');
    await page.getByRole('button', { name: 'Start application' }).click();
    await page.waitForURL(/\/edit/);
    await waitForHydration(page);

    await page.getByLabel('Description').waitFor();
    await page.context().setOffline(true);
    await page.getByLabel('Description').fill('Typed while the connection was down.');
    await page.getByText(/Not saved yet/).waitFor();
    assert.match(await page.evaluate(() => Object.keys(localStorage).join(' ')), /portcullis-draft-/);
    await page.context().setOffline(false);
    await page.getByText('All changes saved.').waitFor({ timeout: 15_000 });
    await page.reload();
    await waitForHydration(page);
    assert.equal(await page.getByLabel('Description').inputValue(), 'Typed while the connection was down.');
    const expected = /Failed to load resource: net::ERR_INTERNET_DISCONNECTED/;
    assert.deepEqual(page.problems.filter((p) => !expected.test(p)), []);
  });
});
