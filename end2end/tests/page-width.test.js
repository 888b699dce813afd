// No page is wider than the window: every step of the application form, the status page, the
// review page and the credentials page, at a desktop (1280 px) and a phone (390 px) width,
// with realistic content (long scope identifiers, long URLs, a mockup). The same pages show
// times as people read them, never as raw RFC 3339.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, screenshots, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, REVIEWER, usePortal } from './support/portal.js';

const WIDTHS = [1280, 390];
const STEPS = [
  ['app', '1. App'], ['use-case', '2. Use case'], ['scopes', '3. Scopes'],
  ['eea', '4. EEA users'], ['data-handling', '5. Data handling'], ['mockups', '6. UX mockups'],
];
const justification = 'To archive the conversations the person chooses, in storage only they can read, '
  + 'for as long as they keep their account with us.';

/** What a small company would write, with identifiers and addresses as long as real ones. */
function details(overrides = {}) {
  return {
    description: 'Keeps a private, end-to-end encrypted archive of your conversations, posts and followers.',
    website_url: 'https://quill-messaging.example',
    privacy_policy_url: 'https://quill-messaging.example/legal/privacy-policy/data-portability-archive',
    redirect_uris: [
      'https://quill-messaging.example/oauth2/callback/data-portability',
      'https://staging.quill-messaging.example/oauth2/callback/data-portability?environment=staging',
    ],
    use_case: `${'Quill Inbox Archive keeps a private copy of your conversations and posts. '.repeat(3)}\n\n`
      + 'How retention works: https://quill-messaging.example/docs/data-portability/direct-messages-archive-retention-policy',
    scopes: [
      { name: 'portability.posts.single', justification },
      { name: 'portability.connections.ongoing', justification },
      { name: 'portability.direct_messages.ongoing', justification },
      { name: 'portability.activity.ongoing', justification },
    ],
    eea: {
      serves_eea_users: true, countries: ['FI', 'SE', 'DE', 'NL'],
      distinguishing_method: 'The country of residence that the platform reports for the account at authorization time.',
    },
    data_handling: {
      storage_region: 'EU (Helsinki, Finland; backups in Stockholm, Sweden)', retention_days: 365, encryption_at_rest: true,
      deletion_process: 'Deleting the account erases the archive and every backup of it within 24 hours.',
      subprocessors: ['Hetzner Online GmbH (hosting, Helsinki)', 'UpCloud Oy (encrypted backups, Stockholm)'],
      security_contact_email: 'security@quill-messaging.example',
    },
    ...overrides,
  };
}

/** The elements sticking out of the window, deepest first, to say what to fix. */
function overflowing() {
  const width = document.documentElement.clientWidth;
  const clipped = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      if (a !== document.body && a !== document.documentElement && getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el));
  return out
    .filter((el) => !out.some((other) => other !== el && el.contains(other)))
    .slice(0, 8)
    .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ${el.textContent.trim().slice(0, 60)}`);
}

/** The elements sticking out of the form's sidebar (the steps and what is still missing). */
function outOfSidebar() {
  const sidebar = document.querySelector('.sidebar');
  const right = sidebar.getBoundingClientRect().right;
  return [...sidebar.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > right + 0.5)
    .map((el) => `<${el.tagName.toLowerCase()}> ${el.textContent.trim().slice(0, 60)}`);
}

describe('page width', () => {
  const portal = usePortal();

  /** Opens `url`, waits for `heading`, then measures the page at each width; says where it is too wide. */
  async function tooWide(page, url, heading) {
    const found = [];
    await page.setViewportSize({ width: WIDTHS[0], height: 900 });
    await page.goto(`${portal.url}${url}`);
    await waitForHydration(page);
    await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    const raw = (await page.locator('main').innerText()).match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[^\s]*/g);
    if (raw) found.push(`${url} shows raw times: ${raw.join(', ')}`);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      const [scrollWidth, clientWidth] = await page.evaluate(
        () => [document.documentElement.scrollWidth, document.documentElement.clientWidth],
      );
      if (scrollWidth > clientWidth) {
        found.push(`${url} at ${width} px is ${scrollWidth} px wide; sticking out:\n  ${(await page.evaluate(overflowing)).join('\n  ')}`);
      }
      const outside = url.includes('/edit') ? await page.evaluate(outOfSidebar) : [];
      if (outside.length > 0) found.push(`${url} at ${width} px: out of the sidebar:\n  ${outside.join('\n  ')}`);
    }
    return found;
  }

  test('the form, status, review and credentials pages fit the window on a desktop and a phone, and read their times', async () => {
    const dev = await newPage(portal.browser);
    await portal.signIn(dev, DEVELOPER);
    const reviewer = await newPage(portal.browser);
    await portal.signIn(reviewer, REVIEWER);

    // A draft whose sensitive scopes are not justified yet, so the checklist names them.
    const draft = await portal.draftApplication(dev, {
      org: { name: 'Quill Messaging Oy', country: 'FI', website: 'https://quill-messaging.example', contact_email: 'privacy@quill-messaging.example' },
      name: 'Quill Inbox Archive',
      details: details({
        scopes: [
          { name: 'portability.posts.single', justification },
          { name: 'portability.connections.ongoing', justification: '' },
          { name: 'portability.direct_messages.ongoing', justification: '' },
          { name: 'portability.activity.ongoing', justification: '' },
        ],
      }),
    });
    const problems = [];
    for (const [slug, heading] of STEPS) {
      problems.push(...await tooWide(dev, `/applications/${draft}/edit?step=${slug}`, heading));
    }
    assert.match(await dev.getByRole('complementary', { name: 'Progress' }).innerText(), /portability\.direct_messages\.ongoing/);
    problems.push(...await tooWide(dev, `/applications/${draft}`, 'Quill Inbox Archive'));

    const submitted = await portal.submittedApplication(dev, {
      org: { name: 'Ledger Lane Archiving AB', country: 'SE', website: 'https://ledger-lane.example', contact_email: 'privacy@ledger-lane.example' },
      name: 'Ledger Lane Conversation Archive',
      details: details(),
    });
    problems.push(...await tooWide(dev, `/applications/${submitted}`, 'Ledger Lane Conversation Archive'));
    const submittedAt = dev.locator('time').first();
    assert.match(await submittedAt.getAttribute('datetime'), /^\d{4}-\d{2}-\d{2}T/);
    assert.match(await submittedAt.innerText(), /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC$/);
    await screenshots(dev, 'status-times');
    await portal.api(dev, 'POST', `/applications/${submitted}/credentials`, { environment: 'sandbox' });
    problems.push(...await tooWide(dev, `/applications/${submitted}/credentials`, 'API credentials: Ledger Lane Conversation Archive'));
    await screenshots(dev, 'credentials-times');

    await portal.api(reviewer, 'POST', `/applications/${submitted}/assign`, {});
    problems.push(...await tooWide(reviewer, `/applications/${submitted}/review`, 'Review: Ledger Lane Conversation Archive'));
    await screenshots(reviewer, 'review-times');
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.deepEqual([...dev.problems, ...reviewer.problems], []);
  });

  test('the programme reports fit the window on a desktop and a phone', async () => {
    const admin = await newPage(portal.browser);
    await portal.signIn(admin, ADMIN);
    const problems = [];
    for (const url of ['/admin/reports', '/admin/reports?period=week&scope=portability.posts.single']) {
      problems.push(...await tooWide(admin, url, 'Programme reports'));
    }
    await screenshots(admin, 'programme-reports');
    assert.deepEqual(problems, [], problems.join('\n'));
    assert.deepEqual(admin.problems, []);
  });
});
