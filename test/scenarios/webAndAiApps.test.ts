/**
 * Grocery Planner's AI app on the whole local stack: internal ingress, scaled to zero, seconds of
 * model loading before it listens; it deploys through that cold start. Its "degraded is healthy"
 * policy is a replay test (test/orchestrators/deploymentRollback), as are the approval gate's
 * branches; the canary's steps and the approval gate run end to end in test/scenarios/deployWindows.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, startScenarioStack, stepOutcomes, waitForDeploymentOf } from './scenarioKit';

describe('an internal AI app that scales to zero', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.webai.json', { withPostgres: false, settings: { ...QUIET_TIMERS } });
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
});
