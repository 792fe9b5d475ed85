/**
 * Analysis on real traffic, end to end: simulated users send ordinary requests to the apps
 * through the simulated ingress, Monitor counts each answer for the revision that gave it, and
 * the deployment's analysis reads those metrics through `@azure/monitor-query-metrics`. A release
 * whose /health is green while a fifth of its requests fail (`errors-after-traffic`) is rolled
 * back at its canary step, with the figures in the record; a healthy one is promoted; too little
 * traffic is inconclusive, which pauses for a person or fails, per app. A failure during the bake
 * runs end to end on the shipped sound-forge (shippedConfigRollback) and, branch by branch, as
 * replay tests (test/orchestrators/deploymentAnalysis).
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, eventually, startScenarioStack, stepOutcomes, waitForDeploymentOf, waitForPhase, waitUntilIdle } from './scenarioKit';

async function servingOf(stack: LocalStack, app: string): Promise<string> {
  const { body } = await stack.api('GET', `/apps/${app}/releases`);
  return body.serving.revisionName as string;
}

describe('analysis paths', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.analysis.json', {
      settings: QUIET_TIMERS,
      // Users only for the apps with traffic; the quiet ones get health probes and nothing else.
      userTraffic: { requestsPerSecond: 10, apps: ['canary-app', 'bake-app', 'compare-app'] },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('a healthy release passes the analysis at its canary step and the bake (comparisons with the stable revision only at canary steps), and is promoted', async () => {
    const pushed = stack.push('canary-app', 'main-2');
    const ended = await waitForDeploymentOf(stack, 'canary-app', pushed.digest, 150_000);
    expect(ended.phase).toBe('succeeded');
    expect(stepOutcomes(ended)).toMatchObject({ promote: 'succeeded', bake: 'succeeded' });
    const runs = ended.analysis as any[];
    expect(runs.map((r) => `${r.at} ${r.check} ${r.verdict}`)).toEqual(['20 % error-rate successful', '20 % vs-stable successful', 'bake error-rate successful']);
    const bake = runs.find((r) => r.at === 'bake' && r.check === 'error-rate');
    expect(bake.measurements).toHaveLength(2);
    for (const m of bake.measurements) {
      expect(m.outcome).toBe('successful');
      expect(m.value).toBe(0);
      expect(Date.parse(m.window.end) - Date.parse(m.window.start)).toBe(8_000);
    }
    await waitUntilIdle(stack, 'canary-app');
  }, 240_000);

  it('a release failing a fifth of its requests is rolled back at its canary step, with the value, window and condition in the record', async () => {
    const before = await servingOf(stack, 'canary-app');
    const pushed = stack.push('canary-app', 'main-3', 'errors-after-traffic');
    const ended = await waitForDeploymentOf(stack, 'canary-app', pushed.digest, 150_000);
    expect(ended.phase).toBe('rolled-back');
    expect(stepOutcomes(ended)).toMatchObject({ 'health-wait': 'succeeded', promote: 'failed', rollback: 'succeeded' });
    expect(stepOutcomes(ended)).not.toHaveProperty('bake');
    expect(ended.reason).toMatch(/^analysis failed \(20 %\): (error-rate|vs-stable): 1 of 1 measurements failed/);
    expect(ended.reason).toMatch(/over \d{4}-\d\d-\d\dT[\d:.]+Z\.\.\d{4}-\d\d-\d\dT[\d:.]+Z/);
    expect(ended.reason).toMatch(/does not meet successCondition "value <= (0\.05|stable \+ 0\.02)"/);
    const failed = (ended.analysis as any[]).filter((r) => r.verdict === 'failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    const measured = failed[0].measurements[0];
    expect(measured.outcome).toBe('failed');
    expect(measured.value).toBeGreaterThan(0.05);
    expect(measured.window).toEqual({ start: expect.any(String), end: expect.any(String) });
    // The comparative check read the stable revision in the same window.
    const comparative = (ended.analysis as any[]).find((r) => r.check === 'vs-stable');
    expect(comparative.measurements[0].stable).toBe(0);
    await waitUntilIdle(stack, 'canary-app');
    expect(await servingOf(stack, 'canary-app')).toBe(before);
    const { body } = await stack.api('GET', '/apps/canary-app/releases');
    expect(body.releases.find((r: any) => r.digest === pushed.digest).verdict).toBe('failed');
    const told = await eventually('the rolled-back notification with the figures', async () =>
      stack.simulator.notifications.received.find((n) => JSON.stringify(n.body).includes(ended.id) && /analysis failed/.test(JSON.stringify(n.body))),
    );
    expect(JSON.stringify(told.body)).toMatch(/5xx/);
  }, 240_000);

  it('a comparative check alone: the canary\'s 5xx rate against the stable revision\'s in the same window fails it', async () => {
    const before = await servingOf(stack, 'compare-app');
    const pushed = stack.push('compare-app', 'main-2', 'errors-after-traffic');
    const ended = await waitForDeploymentOf(stack, 'compare-app', pushed.digest, 150_000);
    expect(ended.phase).toBe('rolled-back');
    expect(ended.reason).toMatch(/^analysis failed \(20 %\): vs-stable: 1 of 1 measurements failed .*\(stable 0\), \d+ of \d+ requests 5xx; stable 0 of \d+ requests 5xx does not meet successCondition "value <= stable \+ 0.02"/);
    const measured = ended.analysis[0].measurements[0];
    expect(measured).toMatchObject({ check: 'vs-stable', outcome: 'failed', stable: 0 });
    expect(measured.value).toBeGreaterThan(0.02);
    await waitUntilIdle(stack, 'compare-app');
    expect(await servingOf(stack, 'compare-app')).toBe(before);
  }, 240_000);

  it('too little traffic is inconclusive: one app pauses for a person, who approves; the other fails and rolls back', async () => {
    const paused = stack.push('quiet-pause-app', 'main-2');
    const failing = stack.push('quiet-fail-app', 'main-2');
    const waiting = await waitForPhase(stack, 'quiet-pause-app', paused.digest, 'awaiting-approval', 120_000);
    const inconclusive = (waiting.analysis as any[]).find((r) => r.check === 'error-rate');
    expect(inconclusive.verdict).toBe('inconclusive');
    expect(inconclusive.measurements[0].reason).toMatch(/fewer than minRequests 5/);
    const approved = await stack.api('POST', `/deployments/${waiting.id}/approve`, {});
    expect(approved.status).toBe(202);
    const done = await waitForDeploymentOf(stack, 'quiet-pause-app', paused.digest, 120_000);
    expect(done.phase).toBe('succeeded');
    expect(done.steps.find((s: any) => s.step === 'approval')).toMatchObject({ outcome: 'succeeded', detail: expect.stringMatching(/approved by key:local-operator-key/) });

    const failed = await waitForDeploymentOf(stack, 'quiet-fail-app', failing.digest, 120_000);
    expect(failed.phase).toBe('rolled-back');
    expect(failed.reason).toMatch(/^analysis inconclusive \(20 %\): error-rate: 1 of 1 measurements inconclusive .*\(analysis\.inconclusive: fail\)/);
  }, 300_000);
});
