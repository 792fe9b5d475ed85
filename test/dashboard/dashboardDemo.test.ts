/**
 * The dashboard in a real browser (Chromium, driven by playwright-core) against the local stack
 * `npm start` runs, on the shipped configuration: the README demo followed on the page. What is
 * asserted is what a person sees: the app list, a deployment's steps appearing while it runs, the
 * rolled-back release and why, a rollback confirmation naming its target and the migration that
 * stays applied, and the rollback never putting traffic back on the release that just failed
 * (asserted through the API as well: this suite is the README demo's end-to-end run). Every page
 * is scanned with axe-core (no serious or critical violations) and screenshotted into
 * test-artifacts/dashboard/.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { dashboardUrl } from '../../devhost/localStack/localDemo';
import { QUIET_TIMERS, REPO_ROOT, eventually, startScenarioStack, waitForDeploymentOf, waitUntilIdle } from '../scenarios/scenarioKit';
import { launchBrowser, screenshot, type RunningBrowser } from '../support/browser';
import { appCard, expectAccessible, openDashboard } from './dashboardKit';

const SHIPPED = path.join(REPO_ROOT, 'config', 'apps.json');

/** A revision's name as the dashboard shows it: the suffix after `--`. */
const shortRevision = (name: string): string => name.slice(name.indexOf('--') + 2);

/** The step rows of the deployment page as `step:outcome`, in order. */
async function timelineOf(page: Page): Promise<string[]> {
  return page.locator('.timeline [data-step]').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-step')}:${row.getAttribute('data-outcome')}`));
}

describe('the dashboard on the shipped configuration (npm start)', () => {
  let stack: LocalStack;
  let browser: RunningBrowser;
  let page: Page;
  let good: { digest: string };
  let bad: { digest: string };

  beforeAll(async () => {
    // What `npm start` sends (SIM_USER_RPS default): sound-forge's analysis and bake need traffic to judge.
    [stack, browser] = await Promise.all([startScenarioStack(SHIPPED, { settings: QUIET_TIMERS, userTraffic: { requestsPerSecond: 2 } }), launchBrowser()]);
    page = await browser.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.stop();
    await stack?.stop();
  });

  afterEach(() => {
    // No page threw, and the Content-Security-Policy refused nothing the dashboard needs.
    expect(browser.pageErrors).toEqual([]);
  });

  it('opens on the overview: every app of config/apps.json with what serves it, and every database', async () => {
    await openDashboard(page, stack);
    const cards = page.getByRole('list', { name: 'Apps' }).getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3 }) });
    await expect(cards.count()).resolves.toBe(7);
    for (const app of stack.apps.apps) {
      const card = appCard(page, app.name);
      await card.getByRole('link', { name: app.name, exact: true }).waitFor();
      const { body } = await stack.api('GET', `/apps/${app.name}`);
      // The serving digest as the status API reads it from Azure, shortened.
      await card.getByText(body.servingDigest.replace('sha256:', '').slice(0, 12)).waitFor();
      // Its health verdict, and every revision that takes traffic with its share (a worker takes none).
      await card.getByText(`health: ${body.health?.verdict ?? 'not swept yet'}`, { exact: true }).waitFor();
      const shares = ((body.traffic ?? []) as Array<{ revisionName: string; weight: number }>).filter((t) => t.weight > 0);
      const split = card.getByRole('list', { name: 'Traffic split' }).getByRole('listitem');
      await expect(split.count()).resolves.toBe(shares.length);
      for (const share of shares) await split.filter({ hasText: `${shortRevision(share.revisionName)} ${share.weight} %` }).waitFor();
      if (shares.length === 0) await card.getByText('no traffic', { exact: true }).waitFor();
    }
    const databases = page.getByRole('region', { name: 'Databases' }).getByRole('row');
    await expect(databases.count()).resolves.toBe(1 + stack.apps.databases.length);
    await screenshot(page, 'overview');
    await expectAccessible(page);
  }, 60_000);

  it("shows a deployment's steps as they happen, without reloading the page", async () => {
    good = stack.push('sound-forge', '4.2.0');
    // From the overview, the way a person gets there: the app's running deployment.
    const card = appCard(page, 'sound-forge');
    const link = card.getByRole('link', { name: /4\.2\.0/ });
    await link.waitFor({ timeout: 30_000 });
    // The live step, beside the phase, while it runs: "4.2.0 deploying create the new revision".
    const step = await link.locator('.muted').textContent({ timeout: 15_000 });
    expect(step?.trim()).not.toBe('');
    await expect(link.textContent()).resolves.toMatch(/^4\.2\.0 (queued|verifying|backing-up|migrating|deploying|health-waiting|promoting) \S/);
    await link.click();
    await page.getByRole('heading', { name: 'Deployment of sound-forge: 4.2.0' }).waitFor();
    await page.evaluate(() => ((globalThis as unknown as { stayed: boolean }).stayed = true));

    const seen: string[][] = [];
    const phase = page.getByText(/^phase: /);
    // While it bakes, the status API shows the step and the analysis: check, window, latest value.
    let baking: any;
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      seen.push(await timelineOf(page));
      if (!baking) {
        const app = (await stack.api('GET', '/status')).body.apps.find((a: any) => a.app === 'sound-forge');
        if (app?.analysis?.[0]?.latest) baking = app;
      }
      if ((await phase.textContent()) === 'phase: succeeded') break;
      await page.waitForTimeout(250);
    }
    expect(baking?.runningStep).toMatch(/^bake for 60 s/);
    expect(baking.analysis[0]).toMatchObject({ check: 'error-rate', at: 'bake', verdict: 'running', latest: { outcome: 'successful', value: 0, window: { start: expect.any(String), end: expect.any(String) } } });
    const final = await timelineOf(page);
    expect(await phase.textContent()).toBe('phase: succeeded');
    expect(final).toEqual(expect.arrayContaining(['verify:succeeded', 'backup:succeeded', 'migration:succeeded', 'deploy:succeeded', 'health-wait:succeeded', 'promote:succeeded']));
    // It was watched while it ran: a step was shown running, and steps were added as they started.
    expect(seen.some((rows) => rows.some((r) => r.endsWith(':running')))).toBe(true);
    expect(seen[0].length).toBeLessThan(final.length);
    expect(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);
    await screenshot(page, 'deployment');
    await expectAccessible(page);
    const promoted = await waitForDeploymentOf(stack, 'sound-forge', good.digest);
    await waitUntilIdle(stack, 'sound-forge', 60_000);
    // The promotion swept the app at once (the scheduled sweep is off here): its health is of the new revision.
    const swept = await eventually('the sweep after the promotion', async () => {
      const { body } = await stack.api('GET', '/apps/sound-forge/health?limit=1');
      return body.history[0] && body.history[0].at >= promoted.createdAt ? body : undefined;
    }, 30_000);
    expect(swept.current).toMatchObject({ verdict: 'healthy' });
    expect(swept.history[0]).toMatchObject({ deploymentRunning: false });
  }, 180_000);

  it('shows the rolled-back release in the ledger with the rule that fired', async () => {
    bad = stack.push('sound-forge', '4.3.0', 'unhealthy');
    const failed = await waitForDeploymentOf(stack, 'sound-forge', bad.digest, 180_000);
    expect(failed.phase).toBe('rolled-back');
    await waitUntilIdle(stack, 'sound-forge', 60_000);
    const { body } = await stack.api('GET', '/apps/sound-forge/releases');
    expect(body.serving.digest).toBe(good.digest);
    const release = body.releases.find((r: any) => r.digest === bad.digest);
    // Two health sweeps, so the app page has a health history to chart.
    await stack.devhost.fire('healthSweep');
    await stack.devhost.fire('healthSweep');

    await page.getByRole('link', { name: 'sound-forge', exact: true }).click();
    await page.getByRole('heading', { name: 'sound-forge', level: 1 }).waitFor();
    const entry = page.locator('.ledger [data-verdict]').filter({ hasText: '4.3.0' });
    await entry.getByText('failed', { exact: true }).waitFor({ timeout: 15_000 });
    await entry.getByText(release.reason).first().waitFor();
    // The health chart's summary says what the newest sweep found; the serving revision takes all traffic.
    const { body: health } = await stack.api('GET', '/apps/sound-forge/health');
    const newest = [...health.history].sort((a: any, b: any) => b.at.localeCompare(a.at))[0];
    await page.getByRole('img', { name: new RegExp(`^Health of the last \\d+ sweeps: .*; the newest says ${newest.verdict}$`) }).waitFor({ timeout: 15_000 });
    await page
      .getByRole('region', { name: 'Revisions' })
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: shortRevision(body.serving.revisionName), exact: true }) })
      .getByRole('cell', { name: '100 %', exact: true })
      .waitFor();
    await screenshot(page, 'app');
    await expectAccessible(page);

    // Its deployment says the same, with the phase it ended in.
    await entry.getByRole('link', { name: /deployment from/ }).click();
    await page.getByText('phase: rolled-back').waitFor();
    await page.locator('.reason').getByText(failed.reason).waitFor();
  }, 240_000);

  it('asks before rolling back, naming the target and the migration that stays applied, then rolls back and resumes', async () => {
    await page.goto(`${dashboardUrl(stack)}#/apps/sound-forge`);
    await page.getByRole('heading', { name: 'sound-forge', level: 1 }).waitFor();
    const { body: preview } = await stack.api('GET', '/apps/sound-forge/rollback/preview');
    expect(preview).toMatchObject({ action: 'rollback', from: { tag: '4.2.0' }, migrationPolicy: 'keep-schema' });
    expect(preview.to.digest).not.toBe(bad.digest);

    // From the keyboard: Tab reaches "Roll back…", Enter opens the confirmation with the focus in
    // it, Escape closes it and the focus is back on the button.
    const rollBack = page.getByRole('button', { name: 'Roll back…' });
    const dialog = page.getByRole('dialog', { name: 'Roll back sound-forge' });
    const focused = (locator: typeof rollBack) => locator.evaluate((el) => el.contains(el.ownerDocument.activeElement));
    await rollBack.waitFor();
    let presses = 0;
    while (!(await focused(rollBack)) && presses++ < 100) await page.keyboard.press('Tab');
    expect(await focused(rollBack)).toBe(true);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await focused(dialog)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(rollBack)).toBe(true);

    await rollBack.click();
    const targetName = preview.to.tag ?? preview.to.digest.replace('sha256:', '').slice(0, 12);
    await dialog.locator('.rollback-target').filter({ hasText: `Traffic moves from 4.2.0` }).filter({ hasText: `to ${targetName}` }).waitFor();
    await dialog.getByText('Migrations stay applied:').waitFor();
    await dialog.getByRole('listitem').filter({ hasText: /^4\.2\.0's migration/ }).getByText(/stays applied/).waitFor();
    await screenshot(page, 'rollback-confirmation');
    await expectAccessible(page);

    // Choosing a target asks again: the failed 4.3.0 only when forced, then the default's release by name.
    const { body: ledger } = await stack.api('GET', '/apps/sound-forge/releases');
    const failedRevision = ledger.releases.find((r: any) => r.digest === bad.digest).revisionName;
    const target = dialog.getByRole('combobox', { name: /^Roll back to/ });
    const force = dialog.getByRole('checkbox', { name: /^Force/ });
    await target.selectOption(failedRevision);
    await dialog.getByRole('alert').filter({ hasText: 'No safe rollback' }).waitFor();
    await force.check();
    await dialog.locator('.rollback-target').filter({ hasText: 'to 4.3.0' }).filter({ hasText: shortRevision(failedRevision) }).waitFor();
    await dialog.getByRole('button', { name: 'Roll back to 4.3.0' }).waitFor();
    await target.selectOption(preview.to.revisionName);
    await force.uncheck();
    await dialog.locator('.rollback-target').filter({ hasText: `to ${targetName}` }).filter({ hasText: shortRevision(preview.to.revisionName) }).waitFor();

    await dialog.getByRole('button', { name: `Roll back to ${targetName}` }).click();
    await page.getByRole('status').filter({ hasText: /Rolling sound-forge back to/ }).waitFor();
    const rollback = await eventually('the rollback from the page finished', async () => {
      const { body } = await stack.api('GET', '/deployments?app=sound-forge');
      const found = body.deployments.find((d: any) => d.kind === 'rollback');
      return found && (found.phase === 'succeeded' || found.phase === 'failed') ? found : undefined;
    }, 120_000);
    expect(rollback).toMatchObject({ kind: 'rollback', phase: 'succeeded' });
    expect(Object.fromEntries((rollback.steps as any[]).map((s) => [s.step, s.outcome]))).toMatchObject({ plan: 'succeeded', 'health-wait': 'succeeded', traffic: 'succeeded' });
    // 4.2.0 ran a migration that stays applied: the record names it and the backup to restore.
    expect(rollback.reason).toMatch(/4\.2\.0.*stays applied.*pre-migration backup/);
    await waitUntilIdle(stack, 'sound-forge', 60_000);
    // Never back onto the release that just failed, nor on the one rolled away from (the README's demo).
    const { body: serving } = await stack.api('GET', '/apps/sound-forge/releases');
    expect(serving.serving.revisionName).toBe(preview.to.revisionName);
    expect(serving.serving.digest).not.toBe(bad.digest);
    expect(serving.serving.digest).not.toBe(good.digest);
    expect(serving.releases.find((r: any) => r.digest === good.digest).verdict).toBe('rolled-back');
    expect(serving.releases.find((r: any) => r.revisionName === serving.serving.revisionName).verdict).toMatch(/baseline|verified|superseded|retired/);
    const { body: app } = await stack.api('GET', '/apps/sound-forge');
    expect(app).toMatchObject({ servingDigest: serving.serving.digest, deployedDigest: serving.serving.digest, paused: { reason: 'manual rollback' } });
    // Through the API too, the release rolled away from is refused by hand unless forced with a reason.
    const refused = await stack.api('POST', '/apps/sound-forge/rollback', { release: '4.3.0' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/failed.*force/);
    expect((await stack.api('POST', '/apps/sound-forge/rollback', { release: '4.3.0', force: true })).body).toMatchObject({ status: 400, field: 'reason' });

    // Paused by the rollback; resumed from the page.
    const resume = page.getByRole('button', { name: 'Resume automatic deploys…' });
    await resume.waitFor({ timeout: 15_000 });
    await resume.click();
    await page.getByRole('dialog', { name: 'Resume automatic deploys of sound-forge?' }).getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Automatic deploys of sound-forge are on again.' }).waitFor();
    expect((await stack.api('GET', '/apps/sound-forge')).body.paused).toBe(false);
  }, 240_000);

  it('shows the backups with the restore command, takes one now, and shows the webhook log', async () => {
    const { body } = await stack.api('GET', '/backups?database=sound-forge-db');
    const preMigration = body.backups.find((b: any) => b.trigger === 'pre-migration' && b.state === 'Complete');
    expect(preMigration).toBeDefined();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Backups' }).click();
    await page.getByRole('link', { name: 'sound-forge-db' }).click();
    await page.getByRole('button', { name: preMigration.backupId }).waitFor();
    await page.getByLabel('Restore command').filter({ hasText: 'npm run restore -- sound-forge-db' }).waitFor();
    await page.getByRole('heading', { name: 'Retention (dry run)' }).waitFor();

    // A backup now, from the page: it appears in the list and completes there.
    await page.getByRole('button', { name: 'Back up now…' }).click();
    await page.getByRole('dialog', { name: 'Back up sound-forge-db now?' }).getByRole('button', { name: 'Back up now' }).click();
    const started = await page.getByRole('status').filter({ hasText: /^Backup \S+ of sound-forge-db started\.$/ }).textContent({ timeout: 15_000 });
    const backupId = /^Backup (\S+) of/.exec(started ?? '')![1];
    const row = page.getByRole('row').filter({ has: page.getByRole('button', { name: backupId }) });
    await row.getByText('Complete', { exact: true }).waitFor({ timeout: 60_000 });
    expect((await stack.api('GET', `/backups/${backupId}`)).body).toMatchObject({ state: 'Complete', trigger: 'manual' });
    await screenshot(page, 'backups');
    await expectAccessible(page);

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Deliveries' }).click();
    await page.getByLabel('App').selectOption('sound-forge');
    const delivered = page.getByRole('row').filter({ hasText: 'sfa:4.3.0' }).filter({ hasText: 'started' });
    await delivered.first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'deliveries');
    await expectAccessible(page);

    // The API's metrics, linked from the navigation: Prometheus text counting the deployments so far.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Metrics' }).click();
    await page.waitForURL(/\/api\/metrics$/);
    expect(await page.locator('body').textContent()).toMatch(/^harbormaster_deployments_total\{[^}]*"rolled-back"[^}]*\} 1( \d+)?$/m);
  }, 90_000);

  it('reads on a phone in the dark theme, without sideways scrolling', async () => {
    const phone = await browser.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.emulateMedia({ colorScheme: 'dark' });
    await openDashboard(phone, stack);
    const overflow = await phone.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone, 'overview-phone-dark');
    await expectAccessible(phone);
    await phone.close();
  }, 60_000);

  it('gives a reader (GET /api/me with Harbormaster.Reader) no actions', async () => {
    const reader = await browser.newPage();
    await reader.route('**/api/me', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ name: 'reader@example.com', roles: ['Harbormaster.Reader'] }) }));
    await openDashboard(reader, stack, 'reader@example.com · reader');
    await reader.goto(`${dashboardUrl(stack)}#/apps/sound-forge`);
    await reader.getByRole('heading', { name: 'sound-forge', level: 1 }).waitFor();
    await reader.getByText('Your role can look but not act (Harbormaster.Reader).').waitFor();
    expect(await reader.getByRole('button', { name: /Roll back|Deploy a tag|Resume/ }).count()).toBe(0);
    await reader.close();
  }, 60_000);
});
