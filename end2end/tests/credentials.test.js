// Credentials in a real browser: an admin issues production credentials for an approved
// application without ever seeing the secret; an owner of the organisation collects it,
// copies it and rotates it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, REVIEWER, completeDetails, usePortal } from './support/portal.js';

const POSTS = 'portability.posts.single';

describe('credentials', () => {
  const portal = usePortal();

  /** Submitted by the developer, approved by the reviewer with posts only. */
  async function approvedApplication(dev, reviewer) {
    const id = await portal.submittedApplication(dev, {
      org: {
        name: 'Ledger Lane AB', country: 'SE', website: 'https://ledger.example', contact_email: 'privacy@ledger.example',
      },
      name: 'Ledger Lane Backup',
      details: completeDetails('ledger.example', { scopes: [POSTS, 'portability.connections.single'] }),
    });
    await portal.api(reviewer, 'POST', `/applications/${id}/assign`, {});
    const review = await portal.api(reviewer, 'GET', `/applications/${id}/review`);
    for (const item of review.items) {
      await portal.api(reviewer, 'PUT', `/applications/${id}/review/items/${item.item_id}`, { verdict: 'pass' });
    }
    const { application } = await portal.api(reviewer, 'GET', `/applications/${id}`);
    await portal.api(reviewer, 'POST', `/applications/${id}/decision`, {
      decision: 'approve', granted_scopes: [POSTS], message: 'Followers are not needed for a backup.',
      revision: application.revision, version: application.version,
    });
    return id;
  }

  test('an admin issues production credentials without seeing the secret; an owner collects, copies and rotates it', async () => {
    const dev = await newPage(portal.browser, { permissions: ['clipboard-read', 'clipboard-write'] });
    await portal.signIn(dev, DEVELOPER);
    const reviewer = await newPage(portal.browser);
    await portal.signIn(reviewer, REVIEWER);
    const id = await approvedApplication(dev, reviewer);

    // The admin issues: the client id, a note that the owners collect the secret, no secret.
    const admin = await newPage(portal.browser);
    await portal.signIn(admin, ADMIN);
    await admin.goto(`${portal.url}/applications/${id}`);
    await admin.getByRole('link', { name: 'API credentials' }).click();
    await admin.getByRole('heading', { name: 'API credentials: Ledger Lane Backup' }).waitFor();
    await waitForHydration(admin);
    await admin.getByText('No credentials yet.').waitFor();
    await admin.getByRole('button', { name: 'Issue production credentials' }).click();
    await admin.getByRole('heading', { name: 'New production credentials' }).waitFor();
    await admin.getByText(/one of them collects the secret here/).waitFor();
    const RAW_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
    assert.doesNotMatch(await admin.locator('main').innerText(), RAW_TIME, 'times read as people read them');
    assert.equal(await admin.getByRole('textbox', { name: 'Client secret' }).count(), 0, 'no secret for the admin');
    assert.doesNotMatch(await admin.content(), /pcs_live_/);
    const card = admin.getByRole('article', { name: /^Production credentials pcc_/ });
    await card.waitFor();
    assert.match(await card.innerText(), /Ready to collect/);
    assert.match(await card.innerText(), new RegExp(POSTS));
    assert.doesNotMatch(await card.innerText(), /connections/, 'only the granted scope');
    const clientId = (await card.locator('h2 code').innerText()).trim();
    assert.equal(await admin.getByRole('button', { name: 'Issue production credentials' }).count(), 0, 'one set');
    assert.equal(await card.getByRole('button', { name: 'Collect the secret' }).count(), 0, 'admins never collect');

    // The owner collects the secret once and copies it.
    await dev.goto(`${portal.url}/applications/${id}/credentials`);
    await waitForHydration(dev);
    const seen = dev.getByRole('article', { name: `Production credentials ${clientId}` });
    await seen.getByText('A secret waits for you.').waitFor();
    await seen.getByRole('button', { name: 'Collect the secret' }).click();
    await dev.getByRole('heading', { name: `Client secret for ${clientId}` }).waitFor();
    await dev.getByText('It is shown only once').waitFor();
    const secret = await dev.getByRole('textbox', { name: 'Client secret' }).inputValue();
    assert.match(secret, /^pcs_live_[A-Za-z0-9_-]{43}$/);
    await dev.getByRole('button', { name: 'Copy' }).click();
    await dev.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await dev.evaluate(() => navigator.clipboard.readText()), secret);
    await seen.getByText('Active', { exact: true }).waitFor();
    assert.equal(await seen.getByRole('button', { name: 'Collect the secret' }).count(), 0, 'collected once');

    // The secret works with the token endpoint (client_secret_post).
    const tokenWith = (clientSecret) => dev.request.post(`${portal.url}/oauth/token`, {
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
    });
    const token = await tokenWith(secret);
    assert.equal(token.status(), 200, await token.text());
    assert.equal((await token.json()).scope, POSTS);

    // The owner rotates: a new secret, shown to them only; the old one works through the overlap.
    await seen.getByText('Rotate the secret…').click();
    await seen.getByRole('button', { name: 'Rotate now' }).click();
    await dev.getByRole('heading', { name: `New secret for ${clientId}` }).waitFor();
    const rotated = await dev.getByRole('textbox', { name: 'Client secret' }).inputValue();
    assert.match(rotated, /^pcs_live_/);
    assert.notEqual(rotated, secret);
    assert.equal((await tokenWith(rotated)).status(), 200);
    assert.equal((await tokenWith(secret)).status(), 200, 'the previous secret keeps working for the overlap');
    assert.match(await dev.getByText(/The previous secret keeps working until/).innerText(), /until \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC\./);
    assert.doesNotMatch(await dev.locator('main').innerText(), RAW_TIME);

    // After a reload the secrets are gone for good, and the admin never saw one.
    await dev.reload();
    await seen.waitFor();
    assert.ok(!(await dev.content()).includes(rotated));
    await admin.reload();
    await admin.getByRole('article', { name: `Production credentials ${clientId}` }).waitFor();
    const adminPage = await admin.content();
    assert.ok(!adminPage.includes(secret) && !adminPage.includes(rotated));
    assert.deepEqual([...admin.problems, ...dev.problems], []);
  });
});
