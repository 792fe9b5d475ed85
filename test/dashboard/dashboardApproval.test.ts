/**
 * The dashboard in a real browser at an approval gate (a configuration whose app needs a
 * person's approval): a parked deployment approved from its page, which then follows it to the
 * end.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, startScenarioStack, waitForPhase } from '../scenarios/scenarioKit';
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
});
