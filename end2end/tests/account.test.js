// The account page and an organisation's contact address, used by keyboard as people do.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPage, waitForHydration } from './support/browser.js';
import { DEVELOPER, usePortal } from './support/portal.js';
import { linkTo } from './support/server.js';

const SHOTS = process.env.PORTCULLIS_SCREENSHOTS;

async function shoot(page, name) {
  if (!SHOTS) return;
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('account', () => {
  const portal = usePortal();

  it('changing the password by keyboard keeps this session and ends the others', async () => {
    const other = await newPage(portal.browser);
    await portal.signIn(other, DEVELOPER);
    const page = await newPage(portal.browser);
    await portal.signIn(page, DEVELOPER);

    await page.getByRole('link', { name: 'Demo Developer' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    await waitForHydration(page);
    await shoot(page, 'account');
    await page.getByLabel('Current password').focus();
    await page.keyboard.type(DEVELOPER.password);
    await page.keyboard.press('Tab');
    await page.keyboard.type('a new and longer passphrase');
    await page.keyboard.press('Enter');
    await page.getByText('Your password is changed.').waitFor();
    await shoot(page, 'account-changed');

    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await other.reload();
    await other.getByRole('link', { name: 'Sign in' }).first().waitFor();
    assert.deepEqual(page.problems, []);
  });

  it('an organisation with another contact address says it is unconfirmed until the link is opened', async () => {
    const page = await newPage(portal.browser);
    await portal.signIn(page, { email: 'reviewer@demo.portcullis.test', password: 'demo-reviewer-password' });
    const { org } = await portal.api(page, 'POST', '/orgs', {
      name: 'Fjord Backup AS', country: 'NO', website: 'https://fjord.example', contact_email: 'privacy@fjord.example',
    });
    await page.goto(`${portal.url}/orgs/${org.id}`);
    await waitForHydration(page);
    await page.getByText('is not confirmed yet').waitFor();
    await shoot(page, 'org-unconfirmed');
    await page.getByRole('button', { name: 'Send the link again' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Sent. The earlier link no longer works.').waitFor();

    const mail = await portal.server.waitForMail('privacy@fjord.example', /verify-contact\?token=/);
    const anonymous = await newPage(portal.browser);
    await anonymous.goto(linkTo(mail, '/verify-contact'));
    await waitForHydration(anonymous);
    await shoot(anonymous, 'verify-contact');
    await anonymous.getByRole('button', { name: 'Confirm this address' }).click();
    await anonymous.getByText('The address is confirmed.').waitFor();
    await shoot(anonymous, 'verify-contact-done');

    await page.reload();
    await page.getByRole('heading', { name: 'Fjord Backup AS' }).waitFor();
    assert.equal(await page.getByText('is not confirmed yet').count(), 0);
    assert.deepEqual([...page.problems, ...anonymous.problems], []);
  });
});
