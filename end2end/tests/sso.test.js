// Single sign-on in Chromium against a real OpenID Connect provider (end2end/oidc/provider.mjs):
// the sign-in page's link leads to the provider, the person signs in there and lands back in the
// portal, signed in with the role their group maps to.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { launchBrowser, newPage, screenshots, waitForHydration } from './support/browser.js';
import { freePort, startServer } from './support/server.js';

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../oidc/provider.mjs');
const CLIENT_ID = 'portcullis-browser-test';
const CLIENT_SECRET = 'browser-test-client-secret-long-enough';

/** The provider on a free loopback port, for a portal at `portalUrl`. */
async function startProvider(portalUrl, accounts) {
  const dir = await mkdtemp(path.join(tmpdir(), 'portcullis-oidc-'));
  const accountsFile = path.join(dir, 'accounts.json');
  await writeFile(accountsFile, JSON.stringify(accounts));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [script], {
    env: {
      ...process.env,
      OIDC_PORT: String(port),
      OIDC_ACCOUNTS: accountsFile,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URI: `${portalUrl}/auth/oidc/callback`,
      OIDC_POST_LOGOUT_REDIRECT_URI: `${portalUrl}/login`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`the provider exited early:\n${output}`);
    try {
      if ((await fetch(`${issuer}/.well-known/openid-configuration`)).ok) break;
    } catch {
      // not listening yet
    }
    if (attempt > 100) throw new Error(`the provider did not start:\n${output}`);
    await sleep(100);
  }
  return {
    issuer,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('single sign-on', () => {
  let provider;
  let server;
  let browser;
  before(async () => {
    const port = await freePort();
    provider = await startProvider(`http://127.0.0.1:${port}`, {
      alice: { email: 'alice@corp.example', name: 'Alice Admin', groups: ['portal-admins'] },
    });
    server = await startServer({
      demo: false,
      port,
      env: {
        PORTCULLIS_OIDC_ISSUER: provider.issuer,
        PORTCULLIS_OIDC_CLIENT_ID: CLIENT_ID,
        PORTCULLIS_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        PORTCULLIS_OIDC_ROLES: 'portal-reviewers=reviewer,portal-admins=admin',
      },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await provider?.stop();
  });

  test('staff sign in at their organisation and land signed in with the role their group maps to', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/login`);
    await waitForHydration(page);
    await screenshots(page, 'sso-login');
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();

    // At the provider.
    await page.waitForURL(`${provider.issuer}/interaction/**`);
    await page.getByLabel('Username').fill('alice');
    await page.getByRole('button', { name: 'Sign in at the provider' }).click();

    // Back in the portal, signed in as an admin.
    await page.waitForURL(`${server.url}/`);
    await waitForHydration(page);
    await page.getByRole('link', { name: 'Review queue', exact: true }).waitFor();
    const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
    assert.equal(me.user.email, 'alice@corp.example');
    assert.deepEqual(me.user.roles, ['developer', 'admin']);
    assert.equal(me.user.sso, true);
    await screenshots(page, 'sso-signed-in');

    // Signing out goes on to the provider's sign-out (RP-initiated logout), which comes back to
    // the portal's sign-in page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${provider.issuer}/session/end**`);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL(`${server.url}/login`);
    const after = await page.request.get(`${server.url}/api/v1/me`);
    assert.equal(after.status(), 401);
    assert.deepEqual(page.problems, []);
  });

  test('a sign-in that cannot complete shows a page saying why, with the way back', async () => {
    const page = await newPage(browser);
    await page.goto(`${server.url}/auth/oidc/callback?code=forged&state=forged`);
    await page.getByRole('heading', { name: 'This sign-in cannot be completed' }).waitFor();
    await page.getByRole('link', { name: 'Back to sign-in' }).click();
    await page.waitForURL(`${server.url}/login`);
  });
});
