// Accounts in a real browser: register, verify by the mailed link, sign in and out, and a role
// change by an admin that changes the user's navigation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, usePortal } from './support/portal.js';
import { linkTo } from './support/server.js';

describe('accounts', () => {
  const portal = usePortal();

  test('register, verify by the mailed link, sign in, sign out', async () => {
    const page = await newPage(portal.browser);
    const email = `ada-${Date.now()}@example.test`;

    await page.goto(`${portal.url}/register`);
    await waitForHydration(page);
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('too short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#password-error').waitFor();
    assert.match(await page.locator('#password-error').innerText(), /12/);
    assert.equal(await page.getByLabel('Email').inputValue(), email, 'typed values survive a validation error');

    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText(/Check your email/).waitFor();
    assert.match(await page.getByRole('status').innerText(), new RegExp(`sent a link to ${email}`), 'the address used');
    await page.getByRole('main').getByRole('link', { name: 'sign in' }).waitFor();

    // Signed in before verifying: the page after verifying continues, it does not ask to sign in again.
    await portal.signIn(page, { email, password: 'correct horse battery staple' });
    const mail = await portal.server.waitForMail(email, /verify-email\?token=/);
    await page.goto(linkTo(mail, '/verify-email'));
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Verify email' }).click();
    await page.getByText('Your email address is verified.').waitFor();
    assert.equal(await page.getByRole('main').getByRole('link', { name: 'Sign in' }).count(), 0);
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL(`${portal.url}/`);
    // A newcomer's home page says what to do first.
    const steps = page.getByRole('region', { name: 'Next steps' });
    await steps.getByRole('heading', { name: 'Create your organisation' }).waitFor();
    assert.equal(await steps.getByRole('link', { name: 'Create an organisation' }).getAttribute('href'), '/orgs');

    const nav = page.getByRole('navigation', { name: 'Main' });
    assert.match(await page.locator('header').innerText(), /Ada Lovelace/);
    assert.equal(await nav.getByRole('link', { name: 'Review queue' }).count(), 0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await nav.getByRole('link', { name: 'Sign in' }).waitFor();
    await page.goto(`${portal.url}/`);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0, 'signed out after reload');
    assert.deepEqual(page.problems, []);
  });

  test('wrong password shows an error next to the form and keeps the email', async () => {
    const page = await newPage(portal.browser);
    await page.goto(`${portal.url}/login`);
    await waitForHydration(page);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /incorrect/i);
    assert.equal(await page.getByLabel('Email').inputValue(), ADMIN.email);
  });

  test('an admin promotes a user to reviewer and the user’s navigation changes', async () => {
    const user = await newPage(portal.browser);
    await portal.signIn(user, DEVELOPER);
    const userNav = user.getByRole('navigation', { name: 'Main' });
    assert.equal(await userNav.getByRole('link', { name: 'Review queue' }).count(), 0);

    const admin = await newPage(portal.browser);
    await portal.signIn(admin, ADMIN);
    const adminNav = admin.getByRole('navigation', { name: 'Main' });
    await adminNav.getByText('Admin', { exact: true }).click();
    await adminNav.getByRole('link', { name: 'Users' }).click();
    await admin.waitForURL(/\/admin\/users/);
    const row = admin.getByRole('row').filter({ hasText: DEVELOPER.email });
    await row.getByLabel('reviewer').check();
    await row.getByRole('button', { name: 'Save roles' }).click();
    await admin.getByText('Roles updated.').waitFor();

    await user.reload();
    await userNav.getByRole('link', { name: 'Review queue' }).click();
    await user.getByRole('heading', { name: 'Review queue' }).waitFor();
    assert.deepEqual([...user.problems, ...admin.problems], []);
  });

  test('pages render without JavaScript', async () => {
    const context = await portal.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${portal.url}/login`);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await context.close();
  });
});
