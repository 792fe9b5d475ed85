/**
 * Analysis on real traffic, end to end: simulated users send ordinary requests to the apps
 * through the simulated ingress, Monitor counts each answer for the revision that gave it, and
 * the deployment's analysis reads those metrics through `@azure/monitor-query-metrics`. A release
 * whose /health is green while a fifth of its requests fail (`errors-after-traffic`) is rolled
 * back at its canary step, with the figures in the record and in the notification.
 *
 * The other branches run on the same configuration as replay tests
 * (test/orchestrators/deploymentAnalysis): a healthy release passing its canary step and the bake,
 * a comparative check alone, too little traffic pausing for a person or failing, a failure during
 * the bake; what Monitor answers for each is the provider's (test/analysis/monitorMetricProvider).
 * A bake on real traffic runs end to end on the shipped sound-forge (shippedConfigRollback).
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, eventually, startScenarioStack, stepOutcomes, waitForDeploymentOf, waitUntilIdle } from './scenarioKit';

async function servingOf(stack: LocalStack, app: string): Promise<string> {
  const { body } = await stack.api('GET', `/apps/${app}/releases`);
  return body.serving.revisionName as string;
}

describe('analysis paths', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.analysis.json', {
      settings: QUIET_TIMERS,
      withPostgres: false,
      // Users only for the app deployed here; the others (the replay tests' apps) get health probes and nothing else.
      userTraffic: { requestsPerSecond: 10, apps: ['canary-app'] },
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('a release failing a fifth of its requests is rolled back at its canary step, with the value, window and condition in the record', async () => {
    const before = await servingOf(stack, 'canary-app');
    const pushed = stack.push('canary-app', 'main-2', 'errors-after-traffic');
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
});
