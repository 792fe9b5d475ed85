/**
 * The one rollback path, end to end: a manual rollback during a deployment aborts it (its own
 * compensation restores what served), a forced rollback onto a release that was rolled back is
 * recorded and announced, the `down` migration policy runs the release's down migration once
 * after traffic moved back, a migration past its deadline is stopped before the deployment ends,
 * and in single-revision mode a restored release that fails on live traffic is given up for the
 * next safe one. `block` refusing a rollback across a migration is the rollback planner's rule
 * (test/domain/rollout/rollbackTarget) and a replay test (test/orchestrators/manualRollback), and
 * a forced manual rollback's walk past a failing target is a replay test there too.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, eventually, recordTrafficChanges, startScenarioStack, stepOutcomes, succeededCalls, waitForDeploymentOf, waitForPhase, waitUntilIdle } from './scenarioKit';

async function releasesOf(stack: LocalStack, app: string): Promise<{ serving: any; releases: any[] }> {
  const { body } = await stack.api('GET', `/apps/${app}/releases`);
  return body;
}

describe('rollback paths', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.rollback.json', { settings: QUIET_TIMERS });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('a manual rollback during a deployment aborts it; forcing traffic back onto that release is recorded and announced', async () => {
    const before = await releasesOf(stack, 'gate-app');
    const pushed = stack.push('gate-app', 'main-2');
    const waiting = await waitForPhase(stack, 'gate-app', pushed.digest, 'awaiting-approval', 90_000);

    const rolled = await stack.api('POST', '/apps/gate-app/rollback', { reason: 'wrong build' });
    expect(rolled.status).toBe(202);
    expect(rolled.body).toMatchObject({ aborted: waiting.id, paused: true });
    const ended = await waitForDeploymentOf(stack, 'gate-app', pushed.digest, 90_000);
    expect(ended.phase).toBe('rolled-back');
    expect(ended.reason).toMatch(/aborted: wrong build \(by key:local-operator-key\)/);
    expect(stepOutcomes(ended)).toMatchObject({ approval: 'failed', rollback: 'succeeded' });
    await waitUntilIdle(stack, 'gate-app');
    const after = await releasesOf(stack, 'gate-app');
    expect(after.serving.revisionName).toBe(before.serving.revisionName);
    const aborted = after.releases.find((r) => r.digest === pushed.digest);
    expect(aborted.verdict).toBe('rolled-back');

    // Without force the gate refuses it; with force and a reason it goes, and says so.
    const refused = await stack.api('POST', '/apps/gate-app/rollback', { revision: aborted.revisionName });
    expect(refused.status).toBe(409);
    const forced = await stack.api('POST', '/apps/gate-app/rollback', { revision: aborted.revisionName, force: true, reason: 'the fix is in this build after all' });
    expect(forced.status).toBe(202);
    expect(forced.body).toMatchObject({ kind: 'rollback', to: aborted.revisionName, forced: true });
    const rollback = await eventually('the forced rollback finished', async () => {
      const { body } = await stack.api('GET', `/deployments/${forced.body.deploymentId}`);
      return body.phase === 'succeeded' || body.phase === 'failed' ? body : undefined;
    }, 90_000);
    expect(rollback.phase).toBe('succeeded');
    expect(stepOutcomes(rollback)).toMatchObject({ reactivate: 'succeeded', 'health-wait': 'succeeded', traffic: 'succeeded' });
    const ledger = await releasesOf(stack, 'gate-app');
    expect(ledger.serving.revisionName).toBe(aborted.revisionName);
    expect(ledger.releases.find((r) => r.revisionName === aborted.revisionName).forced).toMatchObject({ reason: 'the fix is in this build after all', by: 'key:local-operator-key' });
    const announced = await eventually('the forced-traffic notification', async () =>
      stack.simulator.notifications.received.find((n) => (n.body as any)?.event === 'traffic.forced' && (n.body as any)?.app === 'gate-app'),
    );
    expect(JSON.stringify(announced.body)).toMatch(/rolled-back/);
  }, 300_000);

  it('migration.rollback down: the failed release runs its own down migration once, after traffic moved back', async () => {
    const startsBefore = succeededCalls(stack, 'Jobs_Start');
    const since = stack.simulator.requests.length;
    const traffic = recordTrafficChanges(stack, 'down-app');
    const pushed = stack.push('down-app', 'main-2', 'unhealthy');
    const ended = await waitForDeploymentOf(stack, 'down-app', pushed.digest, 120_000);
    expect(ended.phase).toBe('rolled-back');
    expect(stepOutcomes(ended)).toMatchObject({ migration: 'succeeded', rollback: 'succeeded', 'down-migration': 'succeeded' });
    expect(ended.steps.find((s: any) => s.step === 'rollback').detail).toMatch(/down migration of .* ran/);
    // The down migration started after traffic was back on the previous revision.
    const restored = traffic.find((t) => t.traffic.length === 1 && t.traffic[0].weight === 100 && !String(t.traffic[0].revisionName).includes('hm-'));
    const jobStarts = stack.simulator.requests.slice(since).filter((r) => r.operation === 'Jobs_Start' && r.status < 300);
    expect(restored).toBeDefined();
    expect(jobStarts).toHaveLength(2);
    expect(jobStarts[1].at).toBeGreaterThanOrEqual(restored!.at);
    // The migration and its down migration: two job starts, no more.
    expect(succeededCalls(stack, 'Jobs_Start', startsBefore)).toBe(2);
    const failed = (await releasesOf(stack, 'down-app')).releases.find((r) => r.digest === pushed.digest);
    expect(failed).toMatchObject({ verdict: 'failed', migration: { down: { outcome: 'Succeeded' } } });
  }, 300_000);

  it('a migration past its deadline is stopped before the deployment ends', async () => {
    const stopsBefore = succeededCalls(stack, 'Jobs_StopExecution');
    const pushed = stack.push('hang-app', 'main-2', 'migrate-hang');
    const ended = await waitForDeploymentOf(stack, 'hang-app', pushed.digest, 120_000);
    expect(ended.phase).toBe('failed');
    expect(ended.reason).toMatch(/did not finish within 8 s; stopped/);
    expect(succeededCalls(stack, 'Jobs_StopExecution', stopsBefore)).toBe(1);
    expect(ended.steps.some((s: any) => s.step === 'deploy')).toBe(false);
  }, 300_000);

  it('a restored release that fails on live traffic is marked failed and the next safe release serves', async () => {
    const initial = (await releasesOf(stack, 'single-app')).serving;
    const good = stack.push('single-app', 'main-2');
    expect((await waitForDeploymentOf(stack, 'single-app', good.digest, 120_000)).phase).toBe('succeeded');
    await waitUntilIdle(stack, 'single-app');

    // main-2 passed its checks when it was promoted; from now on, any revision started from its
    // image fails them (a dependency it needs went away): re-applying it is no longer safe.
    stack.simulator.imageCatalog.record({ imageRef: good.image, behaviour: { kind: 'unhealthy' } });
    const bad = stack.push('single-app', 'main-3', 'unhealthy');
    const ended = await waitForDeploymentOf(stack, 'single-app', bad.digest, 180_000);
    expect(ended.phase).toBe('rolled-back');
    expect(stepOutcomes(ended)).toMatchObject({ rollback: 'succeeded' });
    await waitUntilIdle(stack, 'single-app');

    const after = await releasesOf(stack, 'single-app');
    const byDigest = (digest: string | undefined) => after.releases.filter((r) => r.digest === digest && !r.restoredFrom);
    expect(byDigest(good.digest)[0]).toMatchObject({ verdict: 'failed', reason: expect.stringMatching(/failed on live traffic/) });
    expect(byDigest(bad.digest)[0].verdict).toMatch(/failed|rolled-back/);
    // What serves now re-applies the release that served before Harbormaster's first deployment.
    const serving = after.releases.find((r) => r.revisionName === after.serving.revisionName);
    expect(serving).toMatchObject({ verdict: 'verified', restoredFrom: initial.revisionName });
  }, 500_000);
});
