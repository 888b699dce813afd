// Credentials in a real browser: an admin issues production credentials for an approved
// application and copies the secret; the organisation then sees the credential, never the secret.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage, waitForHydration } from './support/browser.js';
import { startServer } from './support/server.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const POSTS = 'portability.posts.single';

describe('credentials', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer({ demo: true });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signIn(page, email, password) {
    await page.goto(`${server.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  async function api(page, method, url, data) {
    const response = await page.request.fetch(`${server.url}/api/v1${url}`, { method, data });
    const body = response.status() === 204 ? null : await response.json();
    assert.ok(response.ok(), `${method} ${url}: ${response.status()} ${JSON.stringify(body)}`);
    return body;
  }

  /** Submitted by the developer, approved by the reviewer with posts only. */
  async function approvedApplication(dev, reviewer) {
    const { org } = await api(dev, 'POST', '/orgs', {
      name: 'Ledger Lane AB', country: 'SE', website: 'https://ledger.example', contact_email: 'privacy@ledger.example',
    });
    const { application } = await api(dev, 'POST', '/applications', { org_id: org.id, name: 'Ledger Lane Backup' });
    const justification = 'To back up what the person published, nothing more.';
    await api(dev, 'PATCH', `/applications/${application.id}`, {
      description: 'Backs up your posts into your own storage.',
      website_url: 'https://ledger.example',
      privacy_policy_url: 'https://ledger.example/privacy',
      redirect_uris: ['https://ledger.example/oauth/callback'],
      use_case: 'Ledger Lane Backup keeps a private copy of your posts in storage you control. '.repeat(4),
      scopes: [{ name: POSTS, justification }, { name: 'portability.connections.single', justification }],
      eea: { serves_eea_users: true, countries: ['SE'], distinguishing_method: 'The country of residence that the platform reports at authorization time.' },
      data_handling: {
        storage_region: 'EU (Stockholm)', retention_days: 30, encryption_at_rest: true,
        deletion_process: 'Deleting the account erases the backup within a day.', subprocessors: [],
        security_contact_email: 'security@ledger.example',
      },
    });
    const upload = await dev.request.post(`${server.url}/api/v1/applications/${application.id}/mockups`, {
      multipart: {
        label: 'Authorization screen',
        file: { name: 'auth.png', mimeType: 'image/png', buffer: fs.readFileSync(path.join(fixtures, 'authorization.png')) },
      },
    });
    assert.equal(upload.status(), 201, await upload.text());
    await api(dev, 'POST', `/applications/${application.id}/submit`, {});
    await api(reviewer, 'POST', `/applications/${application.id}/assign`, {});
    const review = await api(reviewer, 'GET', `/applications/${application.id}/review`);
    for (const item of review.items) {
      await api(reviewer, 'PUT', `/applications/${application.id}/review/items/${item.item_id}`, { verdict: 'pass' });
    }
    await api(reviewer, 'POST', `/applications/${application.id}/decision`, {
      decision: 'approve', granted_scopes: [POSTS], message: 'Followers are not needed for a backup.',
    });
    return application.id;
  }

  test('an admin issues production credentials and copies the secret; the organisation sees them without it', async () => {
    const dev = await newPage(browser);
    await signIn(dev, 'developer@demo.portcullis.test', 'demo-developer-password');
    const reviewer = await newPage(browser);
    await signIn(reviewer, 'reviewer@demo.portcullis.test', 'demo-reviewer-password');
    const id = await approvedApplication(dev, reviewer);

    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
    const admin = await context.newPage();
    await signIn(admin, 'admin@demo.portcullis.test', 'demo-admin-password');
    await admin.goto(`${server.url}/applications/${id}`);
    await admin.getByRole('link', { name: 'API credentials' }).click();
    await admin.getByRole('heading', { name: 'API credentials: Ledger Lane Backup' }).waitFor();
    await waitForHydration(admin);
    await admin.getByText('No credentials yet.').waitFor();
    await admin.getByRole('button', { name: 'Issue production credentials' }).click();

    await admin.getByRole('heading', { name: 'New production credentials' }).waitFor();
    await admin.getByText('It is shown only once').waitFor();
    const secret = await admin.getByRole('textbox', { name: 'Client secret' }).inputValue();
    assert.match(secret, /^pcs_live_[A-Za-z0-9_-]{43}$/);
    await admin.getByRole('button', { name: 'Copy' }).click();
    await admin.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await admin.evaluate(() => navigator.clipboard.readText()), secret);
    const card = admin.getByRole('article', { name: /^Production credentials pcc_/ });
    await card.waitFor();
    assert.match(await card.innerText(), new RegExp(POSTS));
    assert.doesNotMatch(await card.innerText(), /connections/, 'only the granted scope');
    const clientId = (await card.locator('h2 code').innerText()).trim();
    assert.equal(await admin.getByRole('button', { name: 'Issue production credentials' }).count(), 0, 'one set');

    // After a reload the secret is gone for good.
    await admin.reload();
    await admin.getByRole('article', { name: `Production credentials ${clientId}` }).waitFor();
    assert.ok(!(await admin.content()).includes(secret));

    // The organisation sees the credential, its scope and state, but never the secret.
    await dev.goto(`${server.url}/applications/${id}/credentials`);
    const seen = dev.getByRole('article', { name: `Production credentials ${clientId}` });
    await seen.waitFor();
    assert.match(await seen.innerText(), /Active/);
    assert.ok(!(await dev.content()).includes(secret));
    assert.equal(await seen.getByText('Rotate the secret…').count(), 0, 'admins rotate production credentials');

    // The secret works with the token endpoint (client_secret_post).
    const token = await dev.request.post(`${server.url}/oauth/token`, {
      form: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
    });
    assert.equal(token.status(), 200, await token.text());
    assert.equal((await token.json()).scope, POSTS);
    assert.deepEqual([...admin.problems ?? [], ...dev.problems], []);
    await context.close();
  });
});
