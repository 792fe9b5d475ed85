/**
 * The dashboard in a real browser at an approval gate (a configuration whose app needs a
 * person's approval): a parked deployment approved from its page, which then follows it to the
 * end; a tag deployed from the app page and rejected at the gate.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, pushWithoutWebhook, startScenarioStack, waitForPhase } from '../scenarios/scenarioKit';
import { launchBrowser, screenshot, type RunningBrowser } from '../support/browser';
import { appCard, expectAccessible, openDashboard } from './dashboardKit';

describe('the dashboard at an approval gate', () => {
  let stack: LocalStack;
  let browser: RunningBrowser;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startScenarioStack('scenarios.rollback.json', { withPostgres: false, settings: QUIET_TIMERS }), launchBrowser()]);
  }, 180_000);

  afterAll(async () => {
    await browser?.stop();
    await stack?.stop();
  });

  it('approves a parked deployment from its page, which then follows it to the end', async () => {
    const pushed = stack.push('gate-app', 'main-7');
    const parked = await waitForPhase(stack, 'gate-app', pushed.digest, 'awaiting-approval', 90_000);
    const page = await browser.newPage();
    await openDashboard(page, stack);
    const card = appCard(page, 'gate-app');
    await card.getByText('awaiting-approval').waitFor({ timeout: 15_000 });
    await card.getByRole('link', { name: /main-7/ }).click();
    await page.getByText('phase: awaiting-approval').waitFor();

    await page.getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve main-7 for gate-app?' });
    // What approving lets happen: the rest of the rollout, in words.
    await dialog.getByRole('listitem').filter({ hasText: '100 % of traffic to the new revision' }).waitFor();
    await dialog.getByLabel(/Comment/).fill('looks right');
    await screenshot(page, 'approval-confirmation');
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Approved: gate-app main-7 continues.' }).waitFor();
    await page.getByText('phase: succeeded').waitFor({ timeout: 90_000 });
    await screenshot(page, 'deployment-approved');

    const { body: record } = await stack.api('GET', `/deployments/${parked.id}`);
    expect(record.phase).toBe('succeeded');
    expect(record.steps.find((s: any) => s.step === 'approval')).toMatchObject({ outcome: 'succeeded' });
    expect(browser.pageErrors).toEqual([]);
  }, 180_000);

  it('deploys a tag from the app page after showing its digest and steps, then rejects it at the gate', async () => {
    // A push whose webhook never came: only a person's deploy brings it.
    const pushed = pushWithoutWebhook(stack, 'gate-app', 'main-8');
    const page = await browser.newPage();
    await openDashboard(page, stack);
    await appCard(page, 'gate-app').getByRole('link', { name: 'gate-app', exact: true }).click();
    await page.getByRole('button', { name: 'Deploy a tag…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Deploy a tag to gate-app' });
    await dialog.getByLabel('Tag').fill('main-8');
    await dialog.getByRole('button', { name: 'Show what happens' }).click();
    await dialog.getByText(pushed.digest.replace('sha256:', '').slice(0, 12)).waitFor();
    await dialog.getByRole('listitem').filter({ hasText: /approval within 30 min/ }).waitFor();
    await dialog.getByRole('listitem').filter({ hasText: 'back up the database — skipped: no database configured' }).waitFor();
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Deploy main-8' }).click();
    await page.getByRole('status').filter({ hasText: 'gate-app main-8: started' }).waitFor();

    const parked = await waitForPhase(stack, 'gate-app', pushed.digest, 'awaiting-approval', 90_000);
    expect(parked.source).toBe('manual');
    // A push while main-8 waits queues behind it; the app page names the queued release.
    stack.push('gate-app', 'main-9');
    await page.locator('.queued').getByRole('link', { name: 'main-9', exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('row').filter({ hasText: 'awaiting-approval' }).getByRole('link', { name: 'main-8', exact: true }).click();
    await page.getByRole('button', { name: 'Reject…' }).click();
    const reject = page.getByRole('dialog', { name: 'Reject main-8 for gate-app?' });
    await reject.getByText(/main-8 is marked rolled-back in the release ledger/).waitFor();
    await reject.getByRole('button', { name: 'Reject', exact: true }).click();
    await page.getByText('phase: rejected').waitFor({ timeout: 60_000 });
    const { body: releases } = await stack.api('GET', '/apps/gate-app/releases');
    expect(releases.releases.find((r: any) => r.digest === pushed.digest).verdict).toBe('rolled-back');
    expect(browser.pageErrors).toEqual([]);
  }, 180_000);
});
