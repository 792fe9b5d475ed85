/**
 * Failure cases of the pipeline on the local stack: a migration that fails, an image built for
 * the wrong platform, ARM throttling and server errors in bursts, and a push whose webhook was
 * lost (caught by the reconcile timer, for exact and glob policies). The unhealthy image rolled back is phoenixApp's.
 */
import { ControllableClock } from '../../devhost/clock';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { initialTagFor } from '../../devhost/localStack/seedLocalAzure';
import {
  QUIET_TIMERS,
  deploymentsOf,
  eventually,
  pushWithoutWebhook,
  startScenarioStack,
  stepOutcomes,
  succeededCalls,
  waitForDeploymentOf,
  waitUntilIdle,
} from './scenarioKit';

describe('pipeline failure cases', () => {
  let stack: LocalStack;
  // Runs at wall speed; one test skips the activity retries' back-off timers.
  const clock = new ControllableClock();
  const userLogs: string[] = [];

  beforeAll(async () => {
    // The backup job named by the settings, as a settings file would (the stack seeds it there).
    stack = await startScenarioStack('scenarios.failures.json', {
      clock,
      settings: { ...QUIET_TIMERS, HARBORMASTER_BACKUP_JOB_NAME: 'ops-backup-job' },
      log: (line) => {
        const l = line as { category?: string; msg?: string };
        if (l.category === 'user' && typeof l.msg === 'string') userLogs.push(l.msg);
      },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(() => stack?.simulator.faults.clear());

  it('stops a deployment whose migration fails before any revision or traffic changes', async () => {
    const { body: before } = await stack.api('GET', '/apps/fail-migrate');
    const since = stack.simulator.requests.length;
    const { digest } = stack.push('fail-migrate', 'main-2', 'migrate-fail');
    const deployment = await waitForDeploymentOf(stack, 'fail-migrate', digest);

    expect(deployment.phase).toBe('failed');
    expect(stepOutcomes(deployment)).toMatchObject({ verify: 'succeeded', migration: 'failed' });
    expect(deployment.steps.some((s: any) => s.step === 'deploy' || s.step === 'promote')).toBe(false);
    // The execution's name and why it failed are in the record.
    expect(deployment.reason).toMatch(/^execution fail-migrate-job-\S+ Failed/);
    expect(deployment.reason).toMatch(/does not exist|exit|failed/i);
    expect(deployment.newRevision).toBeUndefined();

    const { body: after } = await stack.api('GET', '/apps/fail-migrate');
    expect((after.revisions as any[]).map((r) => r.name)).toEqual((before.revisions as any[]).map((r) => r.name));
    expect(after.traffic).toEqual(before.traffic);
    expect(after.image).toBe(before.image);
    const appPath = /\/containerapps\/fail-migrate$/i;
    expect(stack.simulator.requests.slice(since).filter((r) => appPath.test(r.path) && r.method !== 'GET')).toEqual([]);
  });

  it('stops a deployment whose pre-migration backup fails before the migration runs', async () => {
    // The database's secret now holds a wrong password: pg_dump is refused.
    const wrongPassword = 'not-the-password-3141';
    const url = new URL(stack.postgres!.connectionString);
    url.username = 'harbormaster_nobody';
    url.password = wrongPassword;
    stack.simulator.keyVault.setSecret('broken-database-url', url.toString());
    const { body: before } = await stack.api('GET', '/apps/fail-backup');
    const since = stack.simulator.requests.length;
    const { digest } = stack.push('fail-backup', 'main-2');
    const deployment = await waitForDeploymentOf(stack, 'fail-backup', digest);

    expect(deployment.phase).toBe('failed');
    expect(stepOutcomes(deployment)).toMatchObject({ verify: 'succeeded', backup: 'failed' });
    expect(deployment.steps.map((s: any) => s.step)).not.toContain('migration');
    // The runner ran (in the job the settings name) and was refused by the server.
    expect(deployment.reason).toMatch(/^backup \S+ of broken-db Failed: .*(authentication|password|role)/i);
    expect(deployment.reason).not.toMatch(/\n|\s+at /);
    expect(JSON.stringify(deployment)).not.toContain(wrongPassword);
    // No migration execution was started, and the app is as it was.
    expect(stack.simulator.requests.slice(since).filter((r) => /fail-backup-migrate\/start/i.test(r.path))).toEqual([]);
    const { body: after } = await stack.api('GET', '/apps/fail-backup');
    expect(after.traffic).toEqual(before.traffic);
    expect(after.image).toBe(before.image);
    // The failed backup is listed as Failed, with nothing left in Blob Storage.
    const { body: backups } = await stack.api('GET', '/backups?database=broken-db');
    expect(backups.backups[0]).toMatchObject({ state: 'Failed', trigger: 'pre-migration', deploymentId: deployment.id });
  });

  it('stops an image without the app\'s platform at verify', async () => {
    const { body: before } = await stack.api('GET', '/apps/fail-platform');
    const { digest } = stack.push('fail-platform', 'main-2', undefined, { platforms: ['linux/arm64'] });
    const deployment = await waitForDeploymentOf(stack, 'fail-platform', digest);

    expect(deployment.phase).toBe('failed');
    expect(stepOutcomes(deployment)).toMatchObject({ verify: 'failed' });
    expect(deployment.steps.map((s: any) => s.step)).not.toContain('migration');
    expect(deployment.reason).toMatch(/platforms \[linux\/arm64\], app needs linux\/amd64/);
    const { body: after } = await stack.api('GET', '/apps/fail-platform');
    expect((after.revisions as any[]).length).toBe((before.revisions as any[]).length);
    expect(after.traffic).toEqual(before.traffic);
  });

  it('survives bursts of ARM 429 and 500 answers on reads, updates and the job start', async () => {
    // The SDK writes `containerApps`; match the app's name only.
    const app = '/arm-bursts';
    const rules = [
      stack.simulator.faults.add({ match: { operation: 'ContainerApps_Get', pathRegex: app }, response: 429, times: 3 }),
      stack.simulator.faults.add({ match: { operation: 'ContainerApps_Update', pathRegex: app }, response: 500, times: 2 }),
      stack.simulator.faults.add({ match: { operation: 'ContainerAppsRevisions_GetRevision', pathRegex: app }, response: 503, times: 2 }),
      stack.simulator.faults.add({ match: { operation: 'Jobs_Start' }, response: { status: 429, headers: { 'Retry-After': '1' } }, times: 1 }),
    ];
    const since = stack.simulator.requests.length;
    const { digest } = stack.push('arm-bursts', 'main-2');
    const deployment = await waitForDeploymentOf(stack, 'arm-bursts', digest);

    expect(deployment.phase).toBe('succeeded');
    // Every injected fault was met (a rule leaves the list when used up), and none stopped the pipeline.
    const live = stack.simulator.faults.list().map((r) => r.id);
    for (const rule of rules) expect(live).not.toContain(rule.id);
    expect(rules.map((r) => r.hits)).toEqual([3, 2, 2, 1]);
    // The migration was started once despite the throttled start.
    expect(succeededCalls(stack, 'Jobs_Start', since)).toBe(1);
    const { body: after } = await stack.api('GET', '/apps/arm-bursts');
    expect(after.traffic).toEqual([{ revisionName: deployment.newRevision, weight: 100 }]);
  });

  it('catches a push whose webhook was lost on the reconcile timer, once', async () => {
    const { digest } = pushWithoutWebhook(stack, 'reconcile-app', 'stable');
    // Nothing heard of it yet.
    expect((await deploymentsOf(stack, 'reconcile-app')).some((d) => d.image.digest === digest)).toBe(false);

    await stack.devhost.fire('reconcile');
    const deployment = await waitForDeploymentOf(stack, 'reconcile-app', digest);
    expect(deployment.phase).toBe('succeeded');
    expect(deployment.source).toBe('reconcile');
    expect(deployment.image.tag).toBe('stable');

    // A second sweep finds it up to date and starts nothing.
    await stack.devhost.fire('reconcile');
    expect((await deploymentsOf(stack, 'reconcile-app')).filter((d) => d.image.digest === digest)).toHaveLength(1);
    const { body } = await stack.api('GET', '/events?app=reconcile-app');
    expect((body.events as any[]).filter((e) => e.digest === digest).map((e) => [e.source, e.decision])).toEqual([['reconcile', 'started']]);
  });

  it('never reconciles a digest the release ledger knows failed, even one the delivery log never heard of', async () => {
    // Deployed by hand (no webhook, so no delivery), failed, rolled back: only the ledger knows.
    // (A rolled-back push the webhook brought is known to both; the ledger alone is the harder case.)
    const bad = pushWithoutWebhook(stack, 'reconcile-app', 'stable', 'unhealthy');
    const requested = await stack.api('POST', '/apps/reconcile-app/deploy', { digest: bad.digest });
    expect(requested.status).toBe(202);
    expect((await waitForDeploymentOf(stack, 'reconcile-app', bad.digest)).phase).toBe('rolled-back');
    await waitUntilIdle(stack, 'reconcile-app');
    const { body: events } = await stack.api('GET', '/events?app=reconcile-app');
    expect((events.events as any[]).some((e) => e.digest === bad.digest)).toBe(false);
    const { body: ledger } = await stack.api('GET', '/apps/reconcile-app/releases');
    expect(ledger.releases.find((r: any) => r.digest === bad.digest).verdict).toBe('failed');

    await stack.devhost.fire('reconcile');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await deploymentsOf(stack, 'reconcile-app')).filter((d) => d.image.digest === bad.digest)).toHaveLength(1);
  });

  it('reconciles a glob app before its first deployment: the tag it runs is tracked, and a lost re-push of that tag is deployed', async () => {
    // fail-platform (glob "main-*") was never deployed by Harbormaster: its pushes were refused at verify.
    const reconciled = async (): Promise<string> => {
      const from = userLogs.length;
      await stack.devhost.fire('reconcile');
      return eventually('the reconcile finding of fail-platform', async () => userLogs.slice(from).find((m) => m.startsWith('reconcile fail-platform:')));
    };
    expect(await reconciled()).toBe('reconcile fail-platform: up to date');

    const { digest } = pushWithoutWebhook(stack, 'fail-platform', initialTagFor(stack.apps.apps.find((a) => a.name === 'fail-platform')!));
    expect(await reconciled()).toMatch(/^reconcile fail-platform: started/);
    const deployment = await waitForDeploymentOf(stack, 'fail-platform', digest);
    expect(deployment).toMatchObject({ phase: 'succeeded', source: 'reconcile', image: { tag: 'main-initial' } });
    await waitUntilIdle(stack, 'fail-platform');
    expect(await reconciled()).toBe('reconcile fail-platform: up to date');
  });

  it('rolls back a single-revision app whose deploy kept failing after ARM had created the new revision', async () => {
    const { body: before } = await stack.api('GET', '/apps/lost-deploy');
    const since = stack.simulator.requests.length;
    const { digest } = stack.push('lost-deploy', 'main-2');
    // As soon as ARM has taken the template change (the revision exists and, in single-revision
    // mode, serves), reads of that revision answer 404: every try of the deploy activity fails.
    await eventually('the template change', async () => (stack.simulator.requests.slice(since).some((r) => r.operation === 'ContainerApps_Update' && /lost-deploy/.test(r.path)) ? true : undefined), 60_000, 10);
    const lost = stack.simulator.faults.add({ match: { operation: 'ContainerAppsRevisions_GetRevision', pathRegex: 'lost-deploy/revisions/lost-deploy--hm-' }, response: 404 });
    // The deploy activity's tries wait 2, 4, 8 and 16 s between them (durable timers): skip those waits.
    await eventually('the deploy step to give up', async () => {
      const deployment = (await deploymentsOf(stack, 'lost-deploy')).find((d) => d.image.digest === digest);
      if (deployment && stepOutcomes(deployment).deploy === 'failed') return true;
      clock.advanceBy(2_000);
      return undefined;
    }, 120_000, 250);
    const deployment = await waitForDeploymentOf(stack, 'lost-deploy', digest, 180_000);

    expect(lost.hits).toBeGreaterThan(0);
    expect({ phase: deployment.phase, steps: stepOutcomes(deployment) }).toMatchObject({ phase: 'rolled-back', steps: { deploy: 'failed', rollback: 'succeeded' } });
    expect(deployment.reason).toMatch(/lost-deploy--hm-\S+ was created and serves/);
    await waitUntilIdle(stack, 'lost-deploy');
    const { body: after } = await stack.api('GET', '/apps/lost-deploy');
    expect(after.servingDigest).toBe(before.servingDigest);
    const { body: ledger } = await stack.api('GET', '/apps/lost-deploy/releases');
    expect(ledger.serving.digest).toBe(before.servingDigest);
    expect(ledger.releases.find((r: any) => r.digest === digest)).toMatchObject({ verdict: 'rolled-back' });
  }, 240_000);
});
