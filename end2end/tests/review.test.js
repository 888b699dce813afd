// Reviewing in a real browser: two reviewers review a direct-messages application. The first
// approval leaves it waiting; the second reviewer approves with one scope removed; the
// developer sees the decision and which scopes were granted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, REVIEWER, completeDetails, usePortal } from './support/portal.js';

const DMS = 'portability.direct_messages.ongoing';

describe('review', () => {
  const portal = usePortal();

  /** A submitted application asking for posts, connections and, sensitive, direct messages. */
  async function submittedApplication(dev) {
    return portal.submittedApplication(dev, {
      org: {
        name: 'Quill Messaging Oy', country: 'FI', website: 'https://quill.example', contact_email: 'privacy@quill.example',
      },
      name: 'Quill Inbox Archive',
      details: completeDetails('quill.example', { scopes: ['portability.posts.single', 'portability.connections.single', DMS] }),
    });
  }

  /** Claims the application on its review page and passes every item of the checklists. */
  async function passEverything(page) {
    await page.getByRole('button', { name: 'Claim and start reviewing' }).click();
    await page.getByRole('group', { name: 'Privacy checklist' }).waitFor();
    await waitForHydration(page);
    const passes = page.getByRole('radio', { name: 'Pass' });
    const count = await passes.count();
    assert.ok(count >= 10, `${count} items`);
    for (let i = 0; i < count; i += 1) {
      await passes.nth(i).check();
      await page.getByText(`${i + 1} of ${count} items recorded`).waitFor();
    }
    return count;
  }

  test("a reviewer's own organisation's application is marked in the queue and leads to its status page", async () => {
    const reviewer = await newPage(portal.browser);
    await portal.signIn(reviewer, REVIEWER);
    const id = await portal.submittedApplication(reviewer, {
      org: { name: 'Reviewer Side Project Oy', country: 'FI', website: 'https://side.example', contact_email: 'privacy@side.example' },
      name: 'Side Project Archive',
      details: completeDetails('side.example'),
    });
    await reviewer.goto(`${portal.url}/review`);
    await waitForHydration(reviewer);
    const row = reviewer.getByRole('row').filter({ hasText: 'Side Project Archive' });
    await row.getByText('Your organisation').waitFor();
    assert.equal(await row.getByRole('link', { name: 'Side Project Archive' }).getAttribute('href'), `/applications/${id}`);
    assert.deepEqual(reviewer.problems, []);
    await reviewer.context().close();
  });

  test('two reviewers approve a direct-messages application; the second narrows the scopes', async () => {
    const dev = await newPage(portal.browser);
    await portal.signIn(dev, DEVELOPER);
    const id = await submittedApplication(dev);

    // The admin makes a second reviewer.
    const admin = await newPage(portal.browser);
    await portal.signIn(admin, ADMIN);
    await portal.api(admin, 'POST', '/auth/register', { email: 'second@reviewers.example', password: 'second-reviewer-password', name: 'Second Reviewer' });
    const users = await portal.api(admin, 'GET', '/users?q=second@reviewers.example');
    await portal.api(admin, 'PUT', `/users/${users.items[0].id}/roles`, { roles: ['reviewer'] });

    // The first reviewer finds it among sensitive applications, records verdicts and approves.
    const first = await newPage(portal.browser);
    await portal.signIn(first, REVIEWER);
    await first.goto(`${portal.url}/review`);
    await first.getByLabel('Requested scope').selectOption('sensitive');
    await first.getByRole('button', { name: 'Apply filters' }).click();
    await first.waitForURL(/scope=sensitive/);
    const row = first.getByRole('row').filter({ hasText: 'Quill Inbox Archive' });
    assert.match(await row.innerText(), /sensitive/);
    // Scopes read by their titles, the identifier beside them.
    assert.match(await row.innerText(), /Direct messages · recurring/);
    assert.match(await row.innerText(), /Posts · one-time/);
    await row.getByRole('link', { name: 'Quill Inbox Archive' }).click();
    await first.getByRole('heading', { name: 'Review: Quill Inbox Archive' }).waitFor();
    await waitForHydration(first);

    // A failed item needs a note before it is saved; then the reviewer changes their mind.
    await first.getByRole('button', { name: 'Claim and start reviewing' }).click();
    await first.getByRole('group', { name: 'Privacy checklist' }).waitFor();
    await waitForHydration(first);
    const item = first.locator('.checklist-item').filter({ hasText: "Other people's messages" });
    await item.getByRole('radio', { name: 'Fail' }).check();
    await item.getByText('Add a note to save a failed or not applicable item.').waitFor();
    await item.getByLabel(/^Note/).fill('Nothing says how the other party of a conversation is protected.');
    // It saves by itself, and says so: no Save button beside it to wonder about.
    await item.getByText('Not saved yet: saves when you leave the note').waitFor();
    assert.equal(await item.getByRole('button', { name: 'Save' }).isVisible(), false);
    await item.getByLabel(/^Note/).blur();
    await first.getByText(/^ ?1 of \d+ items recorded/).waitFor();
    await item.getByText('Saved', { exact: true }).waitFor();
    await first.reload();
    await waitForHydration(first);
    const saved = first.locator('.checklist-item').filter({ hasText: "Other people's messages" });
    assert.equal(await saved.getByLabel(/^Note/).inputValue(), 'Nothing says how the other party of a conversation is protected.');
    assert.ok(await saved.getByRole('radio', { name: 'Fail' }).isChecked());

    const passes = first.getByRole('radio', { name: 'Pass' });
    const total = await passes.count();
    for (let i = 0; i < total; i += 1) {
      await passes.nth(i).check();
      if (i === 0) await first.getByText(`2 of ${total} items recorded`).waitFor();
    }
    await first.getByText(`${total} of ${total} items recorded`).waitFor();
    // The four-eyes rule is said before the first approval, not only after it.
    await first.locator('.four-eyes').getByText(/takes two approvals from different reviewers/).waitFor();
    await first.getByRole('button', { name: 'Approve' }).click();
    await first.getByText(/Sensitive scopes need a second reviewer's approval/).waitFor();
    assert.equal(await first.locator('.badge.status-in_review').first().innerText(), 'In review');
    assert.deepEqual(first.problems, []);

    // The second reviewer finds it on their dashboard and approves without connections.
    const second = await newPage(portal.browser);
    await portal.signIn(second, { email: 'second@reviewers.example', password: 'second-reviewer-password' });
    await second.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My reviews' }).click();
    const waiting = second.getByRole('table').filter({ hasText: 'Quill Inbox Archive' });
    await waiting.getByText(/Approved once by Demo Reviewer/).waitFor();
    await waiting.getByRole('link', { name: 'Quill Inbox Archive' }).click();
    await second.getByRole('heading', { name: 'Review: Quill Inbox Archive' }).waitFor();
    await waitForHydration(second);
    await passEverything(second);
    await second.getByText(/Demo Reviewer approved on/).waitFor();
    assert.equal(await second.locator('.four-eyes').count(), 0, 'the second reviewer is told who approved instead');
    await second.getByRole('checkbox', { name: /portability\.connections\.single/ }).uncheck();
    await second.getByLabel('Note to the applicant').fill('An archive of posts and messages does not need your followers.');
    await second.getByRole('button', { name: 'Approve' }).click();
    await second.waitForURL(new RegExp(`/applications/${id}$`));
    await second.getByRole('heading', { name: 'Granted scopes' }).waitFor();
    assert.deepEqual(second.problems, []);

    // The developer sees the decision and what was granted.
    await dev.goto(`${portal.url}/applications/${id}`);
    await waitForHydration(dev);
    assert.equal(await dev.locator('.badge.status-approved').first().innerText(), 'Approved');
    const granted = dev.locator('#granted-scopes');
    assert.match(await granted.locator('li', { hasText: DMS }).innerText(), /Granted/);
    assert.match(await granted.locator('li', { hasText: 'portability.posts.single' }).innerText(), /Granted/);
    assert.match(await granted.locator('li', { hasText: 'portability.connections.single' }).innerText(), /Not granted/);
    assert.match(await granted.locator('li', { hasText: DMS }).innerText(), /Direct messages · recurring/);
    await dev.getByText('An archive of posts and messages does not need your followers.').waitFor();
    assert.deepEqual(dev.problems, []);

    // The admin finds it waiting for production credentials on their home page.
    await admin.goto(`${portal.url}/`);
    const awaiting = admin.getByRole('region', { name: 'Awaiting production credentials' });
    await awaiting.getByRole('link', { name: 'Issue for Quill Inbox Archive' }).click();
    await admin.getByRole('heading', { name: 'API credentials: Quill Inbox Archive' }).waitFor();
    // The token endpoint in full, ready to copy into a client's configuration.
    await admin.getByText(`${portal.url}/oauth/token`, { exact: true }).waitFor();

    // Its audit trail reads as labelled fields, the actor by name.
    await admin.goto(`${portal.url}/admin/audit?object_id=${id}`);
    const decided = admin.getByRole('row').filter({ hasText: 'application.decided' }).first();
    await decided.locator('dl.audit-details').getByText('Granted scopes').waitFor();
    assert.match(await decided.innerText(), /Direct messages · recurring/);
    assert.match(await decided.innerText(), /Second Reviewer|Demo Reviewer/);
    assert.doesNotMatch(await admin.locator('table.audit').innerText(), /\{"/, 'no raw JSON');
    assert.deepEqual(admin.problems, []);
  });
});
