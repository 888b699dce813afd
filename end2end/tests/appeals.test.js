// Appeals in a real browser: a reviewer rejects an application; its owner appeals from the
// application's page and attaches a screen to the appeal; a reviewer who took no part finds
// the appeal in the queue, sees the screen in the decision panel and overturns it; the
// application is back in review as a new revision.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { newPage, screenshots, waitForHydration } from './support/browser.js';
import { ADMIN, DEVELOPER, REVIEWER, completeDetails, fixtures, usePortal } from './support/portal.js';

const REASONS = 'The reviewers read the retention period as 300 days; the form says 30 days, and the deletion button is on the second mockup.';

describe('appeals', () => {
  const portal = usePortal();

  test('an owner appeals a rejection, an eligible reviewer overturns it, and the application is back in review', async () => {
    // The developer's application is rejected by the demo reviewer (through the API).
    const dev = await newPage(portal.browser);
    await portal.signIn(dev, DEVELOPER);
    const id = await portal.submittedApplication(dev, {
      org: { name: 'Lumo Archive Oy', country: 'FI', website: 'https://lumo.example', contact_email: 'privacy@lumo.example' },
      name: 'Lumo Post Keeper',
      details: completeDetails('lumo.example'),
    });
    const rejecter = await newPage(portal.browser);
    await portal.signIn(rejecter, REVIEWER);
    await portal.api(rejecter, 'POST', `/applications/${id}/assign`, {});
    const { application } = await portal.api(rejecter, 'GET', `/applications/${id}`);
    await portal.api(rejecter, 'POST', `/applications/${id}/decision`, {
      decision: 'reject', message: 'Retention of 300 days is far more than an archive needs.',
      revision: application.revision, version: application.version,
    });

    // The owner sees until when they may appeal, and appeals with a confirmation.
    await dev.goto(`${portal.url}/applications/${id}`);
    await waitForHydration(dev);
    const form = dev.getByRole('region', { name: 'Appeal this decision' });
    await form.getByText(/You can appeal until \d{1,2} \w{3} \d{4}/).waitFor();
    await form.getByText('Appeal this decision…').click();
    await form.getByLabel('Why should the rejection be looked at again?').fill(REASONS);
    await form.getByText(`${5000 - REASONS.length} of 5000 characters left`).waitFor();
    await screenshots(dev, 'appeal-form');
    await form.getByRole('button', { name: 'Send the appeal' }).click();
    assert.equal(await form.isVisible(), true, 'not sent before the confirmation is ticked');
    await form.getByRole('checkbox', { name: /cannot be changed or sent again/ }).check();
    await form.getByRole('button', { name: 'Send the appeal' }).click();
    const state = dev.getByRole('region', { name: /^Appeal/ }).filter({ hasText: 'Reasons' });
    await state.getByText('Appeal pending').waitFor();
    await state.getByText(REASONS).waitFor();
    assert.equal(await dev.getByRole('region', { name: 'Appeal this decision' }).count(), 0, 'appealed once');
    await dev.locator('.timeline').getByText('Appealed').waitFor();

    // The owner attaches a screen to the pending appeal, with progress, and sees it listed.
    const attach = dev.getByRole('form', { name: 'Add a file to your appeal' });
    await attach.getByLabel('What it shows').fill('Retention setting: 30 days');
    await attach.getByLabel('File').setInputFiles(path.join(fixtures, 'revoke.png'));
    await screenshots(dev, 'appeal-attach-form');
    await attach.getByRole('button', { name: 'Attach file' }).click();
    await state.getByRole('img', { name: 'Retention setting: 30 days' }).waitFor();
    await state.getByText(/^665 bytes · sha256 [0-9a-f]{12}$/).waitFor();
    const added = dev.locator('.timeline li').filter({ hasText: 'File added to the appeal' });
    await added.getByText('Retention setting: 30 days').waitFor();
    await screenshots(dev, 'appeal-pending');
    await portal.server.waitForMail('developer@demo.portcullis.test', /Appeal received/);
    assert.deepEqual(dev.problems, []);

    // The reviewer who rejected it is not offered the decision.
    await rejecter.goto(`${portal.url}/applications/${id}`);
    await waitForHydration(rejecter);
    await rejecter.getByText('Appeal pending').first().waitFor();
    assert.equal(await rejecter.getByRole('region', { name: 'Decide the appeal' }).count(), 0);

    // A second reviewer, who took no part, finds it among pending appeals and overturns it.
    const admin = await newPage(portal.browser);
    await portal.signIn(admin, ADMIN);
    await portal.api(admin, 'POST', '/auth/register', { email: 'fresh@reviewers.example', password: 'fresh-reviewer-password', name: 'Fresh Reviewer' });
    const users = await portal.api(admin, 'GET', '/users?q=fresh@reviewers.example');
    await portal.api(admin, 'PUT', `/users/${users.items[0].id}/roles`, { roles: ['reviewer'] });
    const fresh = await newPage(portal.browser);
    await portal.signIn(fresh, { email: 'fresh@reviewers.example', password: 'fresh-reviewer-password' });
    await fresh.goto(`${portal.url}/review`);
    await waitForHydration(fresh);
    await fresh.getByLabel('Appeals').selectOption('pending');
    await fresh.getByRole('button', { name: 'Apply filters' }).click();
    await fresh.waitForURL(/appeal=pending/);
    const row = fresh.getByRole('row').filter({ hasText: 'Lumo Post Keeper' });
    await row.getByText('Appeal pending').waitFor();
    await screenshots(fresh, 'appeal-queue');
    await row.getByRole('link', { name: 'Lumo Post Keeper' }).click();
    await fresh.waitForURL(new RegExp(`/applications/${id}$`));
    await waitForHydration(fresh);
    const panel = fresh.getByRole('region', { name: 'Decide the appeal' });
    // The owner's file is in the decision panel, its preview loaded, the original a link away.
    const preview = panel.getByRole('img', { name: 'Retention setting: 30 days' });
    await preview.waitFor();
    // Waits for the image itself: after a client-side navigation it may still be on its way.
    const loaded = await fresh
      .waitForFunction((img) => img.complete && img.naturalWidth > 0, await preview.elementHandle(), { timeout: 10_000 })
      .then(() => true, () => false);
    assert.ok(loaded, 'the preview loads');
    const thumbnail = fresh.getByRole('img', { name: 'Retention setting: 30 days' });
    const original = await panel.getByRole('link').filter({ has: thumbnail }).getAttribute('href');
    const response = await fresh.request.get(`${portal.url}${original}`);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'image/png');
    assert.equal(response.headers()['x-content-type-options'], 'nosniff');
    await panel.getByRole('radio', { name: /Overturn/ }).check();
    await panel.getByLabel('Reason, for the organisation').fill('The form does say 30 days; the first review misread it.');
    await panel.getByRole('checkbox', { name: /this decision is final/ }).check();
    await screenshots(fresh, 'appeal-decision');
    await panel.getByRole('button', { name: 'Record the decision' }).click();
    await fresh.getByText('Appeal overturned: back in review').waitFor();
    assert.equal(await fresh.locator('.badge.status-submitted').first().innerText(), 'Submitted');
    assert.deepEqual(fresh.problems, []);

    // The owner sees the application back in review as revision 2, and hears of it.
    await dev.reload();
    await waitForHydration(dev);
    assert.equal(await dev.locator('.badge.status-submitted').first().innerText(), 'Submitted');
    await dev.getByText(/revision 2/).first().waitFor();
    await dev.getByRole('region', { name: /^Appeal/ }).getByText('Appeal overturned the rejection').waitFor();
    await screenshots(dev, 'appeal-overturned');
    await portal.server.waitForMail('developer@demo.portcullis.test', /Appeal overturned/);
    const queue = await portal.api(fresh, 'GET', '/review/queue');
    const back = queue.items.find((r) => r.id === id);
    assert.equal(back.status, 'submitted');
    assert.equal(back.revision, 2);
    assert.deepEqual(dev.problems, []);
    for (const page of [dev, rejecter, admin, fresh]) await page.context().close();
  });
});
