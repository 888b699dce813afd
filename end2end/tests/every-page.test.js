// Every page, as each role that can see it: axe-core finds no WCAG 2.1 AA or best-practice
// violation, each page has its own <title>, no text on it is a raw RFC 3339 timestamp, and the
// main navigation marks where the visitor is.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, REVIEWER, completeDetails, usePortal } from './support/portal.js';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RFC3339 = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** The axe violations on the page, as readable lines (rule, impact, the first offending nodes). */
async function violations(page) {
  // Through DevTools, which the page's Content-Security-Policy does not govern.
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  return found;
}

/** Text nodes of the page's body that hold a raw RFC 3339 timestamp. */
async function rawTimestamps(page) {
  return page.evaluate((pattern) => {
    const re = new RegExp(pattern);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (re.test(node.textContent) && !node.parentElement.closest('script, code, pre')) found.push(node.textContent.trim());
    }
    return found;
  }, RFC3339.source);
}

describe('every page', () => {
  const portal = usePortal();
  const titles = new Map();

  async function check(page, path) {
    const response = await page.goto(`${portal.url}${path}`);
    assert.ok(response.status() < 500, `${path}: ${response.status()}`);
    await waitForHydration(page);
    const title = await page.title();
    assert.match(title, /^.+ · Portcullis$/, `${path}: title "${title}"`);
    const other = titles.get(title);
    assert.ok(other === undefined || other === path.split('?')[0], `${path} and ${other} share the title "${title}"`);
    titles.set(title, path.split('?')[0]);
    assert.ok(await page.locator('meta[name="description"]').count() > 0, `${path}: a description for search engines`);
    assert.deepEqual(await rawTimestamps(page), [], `${path}: raw timestamps`);
    assert.deepEqual(await violations(page), [], `${path}: axe violations`);
    assert.deepEqual(page.problems, [], `${path}: console`);
    // The navigation entries marked as the current page.
    return page.locator('header nav a[aria-current="page"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  }

  test('anonymous', async () => {
    const page = await newPage(portal.browser);
    const current = {};
    for (const path of ['/', '/login', '/register', '/forgot-password', '/reset-password?token=unknown',
      '/verify-email?token=unknown', '/invitations/accept?token=unknown', '/verify-contact?token=unknown',
      '/no-such-page']) {
      current[path] = await check(page, path);
    }
    assert.deepEqual(current['/login'], ['/login']);
    assert.deepEqual(current['/'], [], 'signed out, the navigation has no entry for the start page');
    assert.deepEqual(current['/forgot-password'], []);
    const robots = await page.request.get(`${portal.url}/robots.txt`);
    assert.equal(robots.status(), 200);
    assert.match(robots.headers()['content-type'], /^text\/plain/);
    assert.match(await robots.text(), /Disallow: \/admin\//);
    await page.context().close();
  });

  test('developer, reviewer and admin', async () => {
    const developer = await newPage(portal.browser);
    await portal.signIn(developer, DEVELOPER);
    const draft = {
      org: { name: 'Every Page Oy', country: 'FI', website: 'https://every-page.example', contact_email: 'privacy@every-page.example' },
      name: 'Every Page Archive',
      details: completeDetails('every-page.example'),
    };
    const id = await portal.submittedApplication(developer, draft);
    const current = {};
    const draftId = await portal.draftApplication(developer, {
      ...draft, org: { ...draft.org, name: 'Every Page Drafts Oy' }, name: 'Every Page Drafts',
    });
    const { orgs } = await portal.api(developer, 'GET', '/orgs');
    const org = orgs.find((o) => o.name === 'Every Page Oy');
    for (const path of ['/', '/account', '/account/security', '/orgs', `/orgs/${org.id}`, '/applications', '/applications/new',
      `/applications/${draftId}/edit`, `/applications/${id}`, `/applications/${id}/credentials`]) {
      current[path] = await check(developer, path);
    }
    assert.deepEqual(current['/'], ['/']);
    assert.deepEqual(current[`/applications/${id}/credentials`], ['/applications'], 'a page under its list');
    assert.deepEqual(current[`/orgs/${org.id}`], ['/orgs']);
    assert.deepEqual(current['/account'], []);
    await developer.context().close();

    const reviewer = await newPage(portal.browser);
    await portal.signIn(reviewer, REVIEWER);
    await portal.api(reviewer, 'POST', `/applications/${id}/assign`, {});
    for (const path of ['/', '/review', '/review/mine', `/applications/${id}/review`]) {
      current[path] = await check(reviewer, path);
    }
    assert.deepEqual(current['/review'], ['/review']);
    assert.deepEqual(current['/review/mine'], ['/review/mine'], 'not the queue as well');
    await reviewer.context().close();

    const admin = await newPage(portal.browser);
    await portal.signIn(admin, ADMIN);
    for (const path of ['/', '/admin/users', '/admin/checklists', '/admin/gateway-keys', '/admin/audit', '/admin/mail',
      '/admin/reports', '/admin/reports?period=week&scope=portability.posts.single', '/admin/reports?from=2026-13-01',
      `/applications/${id}/reviews`]) {
      current[path] = await check(admin, path);
    }
    assert.deepEqual(current['/admin/users'], ['/admin/users'], 'inside the Admin menu');
    await admin.context().close();
  });
});
