// What every browser suite shares: one server and one browser for the suite, the demo
// accounts, signing in through the form, and JSON API calls with a page's session cookie.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launchBrowser, waitForHydration } from './browser.js';
import { startServer } from './server.js';

export const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export const DEVELOPER = { email: 'developer@demo.portcullis.test', password: 'demo-developer-password' };
export const REVIEWER = { email: 'reviewer@demo.portcullis.test', password: 'demo-reviewer-password' };
export const ADMIN = { email: 'admin@demo.portcullis.test', password: 'demo-admin-password' };

/** The suite's server and browser, with what tests do through them. */
class Portal {
  server = null;
  browser = null;

  get url() {
    return this.server.url;
  }

  /** Signs in through the login form and waits until the page shows the signed-in header. */
  async signIn(page, { email, password }) {
    await page.goto(`${this.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  /** A JSON API call with the page's session cookie; fails the test on any error status. */
  async api(page, method, url, data) {
    const response = await page.request.fetch(`${this.url}/api/v1${url}`, { method, data });
    const body = response.status() === 204 ? null : await response.json();
    assert.ok(response.ok(), `${method} ${url}: ${response.status()} ${JSON.stringify(body)}`);
    return body;
  }

  /**
   * Through the API as the signed-in developer: creates the organisation and the application,
   * fills it in with `details` and uploads one mockup. Returns the application id.
   */
  async draftApplication(page, { org, name, details }) {
    const created = await this.api(page, 'POST', '/orgs', org);
    const { application } = await this.api(page, 'POST', '/applications', { org_id: created.org.id, name });
    await this.api(page, 'PATCH', `/applications/${application.id}`, details);
    const upload = await page.request.post(`${this.url}/api/v1/applications/${application.id}/mockups`, {
      multipart: {
        label: 'Authorization screen',
        file: { name: 'auth.png', mimeType: 'image/png', buffer: fs.readFileSync(path.join(fixtures, 'authorization.png')) },
      },
    });
    assert.equal(upload.status(), 201, await upload.text());
    return application.id;
  }

  /** A {@link draftApplication}, submitted. Returns the application id. */
  async submittedApplication(page, draft) {
    const id = await this.draftApplication(page, draft);
    await this.api(page, 'POST', `/applications/${id}/submit`, {});
    return id;
  }
}

/**
 * Starts a demo server and a browser before the enclosing suite and stops them after it.
 * Call it inside `describe`.
 */
/**
 * A complete application for the company at `site` (a domain such as `quill.example`): every
 * field a submission needs, asking for `scopes`, each with the same justification; `overrides`
 * replace whole fields.
 */
export function completeDetails(site, { scopes = ['portability.posts.single'], ...overrides } = {}) {
  const justification = 'To archive what the person asks to keep, nothing more.';
  return {
    description: 'Keeps a private archive of your posts.',
    website_url: `https://${site}`,
    privacy_policy_url: `https://${site}/privacy`,
    redirect_uris: [`https://${site}/oauth/callback`],
    use_case: 'Keeps a private copy of the posts a person chooses to keep, in storage only they can read. '.repeat(4),
    scopes: scopes.map((name) => ({ name, justification })),
    eea: {
      serves_eea_users: true, countries: ['FI'],
      distinguishing_method: 'The country of residence that the platform reports at authorization time.',
    },
    data_handling: {
      storage_region: 'EU (Helsinki)', retention_days: 30, encryption_at_rest: true,
      deletion_process: 'Deleting the account erases the archive within a day.', subprocessors: [],
      security_contact_email: `security@${site}`,
    },
    ...overrides,
  };
}

/** One server and browser for the suite; `env` goes to the server (see `startServer`). */
export function usePortal({ env = {} } = {}) {
  const portal = new Portal();
  before(async () => {
    portal.server = await startServer({ demo: true, env });
    portal.browser = await launchBrowser();
  });
  after(async () => {
    await portal.browser?.close();
    await portal.server?.stop();
  });
  return portal;
}
