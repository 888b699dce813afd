// An organisation's page: its contact address, and who belongs to it, used by keyboard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newPage, screenshots, waitForHydration } from './support/browser.js';
import { DEVELOPER, REVIEWER, usePortal } from './support/portal.js';
import { linkTo } from './support/server.js';

describe('organisation', () => {
  const portal = usePortal();

  it('an organisation with another contact address says it is unconfirmed until the link is opened', async () => {
    const page = await newPage(portal.browser);
    await portal.signIn(page, REVIEWER);
    const { org } = await portal.api(page, 'POST', '/orgs', {
      name: 'Fjord Backup AS', country: 'NO', website: 'https://fjord.example', contact_email: 'privacy@fjord.example',
    });
    await page.goto(`${portal.url}/orgs/${org.id}`);
    await waitForHydration(page);
    await page.getByText('is not confirmed yet').waitFor();
    await screenshots(page, 'org-unconfirmed');
    const first = await portal.server.waitForMail('privacy@fjord.example', /verify-contact\?token=/);
    await page.getByRole('button', { name: 'Send the link again' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Sent. The earlier link no longer works.').waitFor();

    let mail = first;
    for (let tries = 0; mail === first && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      mail = await portal.server.waitForMail('privacy@fjord.example', /verify-contact\?token=/);
    }
    assert.notEqual(linkTo(mail, '/verify-contact'), linkTo(first, '/verify-contact'), 'a new link was mailed');
    const anonymous = await newPage(portal.browser);
    await anonymous.goto(linkTo(mail, '/verify-contact'));
    await waitForHydration(anonymous);
    await screenshots(anonymous, 'verify-contact');
    await anonymous.getByRole('button', { name: 'Confirm this address' }).click();
    await anonymous.getByText('The address is confirmed.').waitFor();
    await screenshots(anonymous, 'verify-contact-done');

    await page.reload();
    await page.getByRole('heading', { name: 'Fjord Backup AS' }).waitFor();
    assert.equal(await page.getByText('is not confirmed yet').count(), 0);
    assert.deepEqual([...page.problems, ...anonymous.problems], []);
  });

  it('an owner makes a teammate an owner, then removes them after confirming', async () => {
    const owner = await newPage(portal.browser);
    await portal.signIn(owner, DEVELOPER);
    const { org } = await portal.api(owner, 'POST', '/orgs', {
      name: 'Lantern Photos AB', country: 'SE', website: 'https://lantern.example', contact_email: DEVELOPER.email,
    });
    await portal.api(owner, 'POST', `/orgs/${org.id}/members`, { email: REVIEWER.email });
    const mail = await portal.server.waitForMail(REVIEWER.email, /invitations\/accept\?token=/);
    const mate = await newPage(portal.browser);
    await portal.signIn(mate, REVIEWER);
    const token = new URL(linkTo(mail, '/invitations/accept')).searchParams.get('token');
    await portal.api(mate, 'POST', '/invitations/accept', { token });
    await portal.api(owner, 'POST', `/orgs/${org.id}/members`, { email: 'later@lantern.example' });

    await owner.goto(`${portal.url}/orgs/${org.id}`);
    await waitForHydration(owner);
    const row = owner.getByRole('row', { name: /Demo Reviewer/ });
    await row.getByRole('button', { name: 'Make owner' }).focus();
    await owner.keyboard.press('Enter');
    await row.getByRole('cell', { name: 'owner', exact: true }).waitFor();
    await screenshots(owner, 'org-members');

    await row.getByText('Remove…').focus();
    await owner.keyboard.press('Enter');
    await row.getByRole('button', { name: 'Remove from the organisation' }).focus();
    await owner.keyboard.press('Enter');
    await owner.getByRole('row', { name: /Demo Reviewer/ }).waitFor({ state: 'detached' });

    await owner.getByRole('button', { name: 'Withdraw' }).click();
    await owner.getByText('later@lantern.example').waitFor({ state: 'detached' });
    const response = await mate.request.get(`${portal.url}/api/v1/orgs/${org.id}`);
    assert.equal(response.status(), 404, 'the removed teammate no longer sees it');
    assert.deepEqual(owner.problems, []);
  });
});
