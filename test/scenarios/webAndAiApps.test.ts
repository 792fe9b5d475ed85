/**
 * Grocery Planner: an external Phoenix web app and an internal Python AI
 * app that scales to zero, needs minutes to load its models and reports "degraded" when a
 * non-critical dependency is down. Here the web app moves traffic in canary steps, the AI app
 * deploys through its cold start, and an admin app waits at an approval gate.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import {
  QUIET_TIMERS,
  recordTrafficChanges,
  startScenarioStack,
  stepOutcomes,
  waitForDeploymentOf,
  waitForPhase,
  waitUntilIdle,
  type TrafficChange,
} from './scenarioKit';

describe('web and AI apps', () => {
  let stack: LocalStack;
  let webTraffic: TrafficChange[];

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.webai.json', { settings: { ...QUIET_TIMERS } });
    webTraffic = recordTrafficChanges(stack, 'grocery-web');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('deploys the AI app (internal ingress, scaled to zero) through a slow start', async () => {
    const { digest } = stack.push('grocery-ai', 'main-2', 'slow-start:3');
    const deployment = await waitForDeploymentOf(stack, 'grocery-ai', digest);

    expect(deployment.phase).toBe('succeeded');
    expect(stepOutcomes(deployment)).toMatchObject({ verify: 'succeeded', migration: 'skipped', deploy: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });
    const { body: app } = await stack.api('GET', '/apps/grocery-ai');
    expect(app.activeRevision).toBe(deployment.newRevision);
    expect(app.traffic).toEqual([{ revisionName: deployment.newRevision, weight: 100 }]);
  });

  it('accepts an AI revision that reports "degraded" because the app says degraded is healthy', async () => {
    const { digest } = stack.push('grocery-ai', 'main-3', 'degraded');
    const deployment = await waitForDeploymentOf(stack, 'grocery-ai', digest);

    expect(deployment.phase).toBe('succeeded');
    const healthStep = deployment.steps.find((s: any) => s.step === 'health-wait' && s.outcome === 'succeeded');
    expect(healthStep.detail).toMatch(/degraded/i);
    const app = await waitUntilIdle(stack, 'grocery-ai');
    expect(app.deployedDigest).toBe(digest);
  });

  it('moves the web app\'s traffic in canary steps 10 → 50 → 100 after its migration', async () => {
    const { body: before } = await stack.api('GET', '/apps/grocery-web');
    const { digest } = stack.push('grocery-web', 'main-2');
    const deployment = await waitForDeploymentOf(stack, 'grocery-web', digest);

    expect(deployment.phase).toBe('succeeded');
    expect(stepOutcomes(deployment)).toMatchObject({ migration: 'succeeded', promote: 'succeeded' });
    const previous = before.activeRevision as string;
    const next = deployment.newRevision as string;
    // Each split ARM received that gives the new revision any weight, in arrival order.
    const weights = webTraffic
      .map((change) => change.traffic.find((t) => t.revisionName === next)?.weight)
      .filter((w): w is number => w !== undefined);
    expect(weights).toEqual([10, 50, 100]);
    // Before the first step the serving revision was pinned by name, so latestRevision never handed the new one traffic.
    const first = webTraffic.findIndex((change) => change.traffic.some((t) => t.revisionName === next));
    expect(webTraffic.slice(0, first).some((c) => c.traffic.length === 1 && c.traffic[0].revisionName === previous && c.traffic[0].weight === 100)).toBe(true);
    expect(webTraffic.flatMap((c) => c.traffic).some((t) => t.latestRevision === true)).toBe(false);
    // At 10 % the old revision kept the other 90 %.
    expect(webTraffic.find((c) => c.traffic.some((t) => t.revisionName === next && t.weight === 10))?.traffic).toEqual(
      expect.arrayContaining([{ revisionName: previous, weight: 90 }]),
    );
    const { body: app } = await stack.api('GET', '/apps/grocery-web');
    expect(app.traffic).toEqual([{ revisionName: next, weight: 100 }]);
  });

  it('holds a deployment at the approval gate until a person approves it', async () => {
    const { body: before } = await stack.api('GET', '/apps/grocery-admin');
    const { digest } = stack.push('grocery-admin', 'main-2');
    const waiting = await waitForPhase(stack, 'grocery-admin', digest, 'awaiting-approval');

    // Healthy, but no traffic until approved.
    expect(stepOutcomes(waiting)).toMatchObject({ 'health-wait': 'succeeded', approval: 'running' });
    const { body: meanwhile } = await stack.api('GET', '/apps/grocery-admin');
    expect(meanwhile.traffic).toEqual([{ revisionName: before.activeRevision, weight: 100 }]);

    const approved = await stack.api('POST', `/deployments/${waiting.id}/approve`, {});
    expect(approved.status).toBe(202);
    const deployment = await waitForDeploymentOf(stack, 'grocery-admin', digest);
    expect(deployment.phase).toBe('succeeded');
    expect(deployment.steps.find((s: any) => s.step === 'approval' && s.outcome === 'succeeded').detail).toBe('approved by key:local-operator-key');
    const { body: after } = await stack.api('GET', '/apps/grocery-admin');
    expect(after.traffic).toEqual([{ revisionName: deployment.newRevision, weight: 100 }]);

    // Deciding again is refused: the deployment has ended.
    expect((await stack.api('POST', `/deployments/${waiting.id}/approve`)).status).toBe(409);
  });

  it('rolls back a deployment a person rejects', async () => {
    const { body: before } = await stack.api('GET', '/apps/grocery-admin');
    const { digest } = stack.push('grocery-admin', 'main-3');
    const waiting = await waitForPhase(stack, 'grocery-admin', digest, 'awaiting-approval');

    expect((await stack.api('POST', `/deployments/${waiting.id}/reject`, {})).status).toBe(202);
    const deployment = await waitForDeploymentOf(stack, 'grocery-admin', digest);
    expect(deployment.phase).toBe('rejected');
    expect(deployment.reason).toMatch(/rejected by key:local-operator-key/);
    const { body: after } = await stack.api('GET', '/apps/grocery-admin');
    expect(after.traffic).toEqual([{ revisionName: before.activeRevision, weight: 100 }]);
    expect((after.revisions as any[]).find((r) => r.name === deployment.newRevision).active).toBe(false);
  });

  it('rolls back without anyone when health fails while the deployment waits for approval', async () => {
    const { body: before } = await stack.api('GET', '/apps/grocery-admin');
    // Healthy for its first 6 s (long enough to pass the health-wait), then 503 for 6 s.
    const { digest } = stack.push('grocery-admin', 'main-4', 'flapping:6');
    await waitForPhase(stack, 'grocery-admin', digest, 'awaiting-approval');

    const deployment = await waitForDeploymentOf(stack, 'grocery-admin', digest);
    expect(deployment.phase).toBe('rolled-back');
    expect(deployment.reason).toMatch(/health failed while waiting for approval/);
    expect(deployment.steps.find((s: any) => s.step === 'approval').outcome).toBe('failed');
    const { body: after } = await stack.api('GET', '/apps/grocery-admin');
    expect(after.traffic).toEqual([{ revisionName: before.activeRevision, weight: 100 }]);
  });
});
