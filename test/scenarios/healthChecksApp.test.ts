/**
 * Rachel: `/health` answers `{"status":"healthy","checks":{"db":"pass",...}}` and 503
 * with `"unhealthy"` and failing checks when something is wrong. The exact tag `production` is
 * what gets deployed.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, startScenarioStack, stepOutcomes, waitForDeploymentOf, waitUntilIdle } from './scenarioKit';

describe('an app whose health is healthy/pass and 503 when unhealthy', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.healthchecks.json', { settings: { ...QUIET_TIMERS } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('promotes an image whose checks all pass', async () => {
    const { digest } = stack.push('rachel', 'production', 'healthy-checks');
    const deployment = await waitForDeploymentOf(stack, 'rachel', digest);

    expect(deployment.phase).toBe('succeeded');
    expect(stepOutcomes(deployment)).toMatchObject({ verify: 'succeeded', migration: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });
    const app = await waitUntilIdle(stack, 'rachel');
    expect(app.traffic).toEqual([{ revisionName: deployment.newRevision, weight: 100 }]);
    expect(app.deployedTag).toBe('production');
  });

  it('rolls back an image that answers 503 unhealthy, and the next good push still deploys', async () => {
    const before = await waitUntilIdle(stack, 'rachel');
    const bad = stack.push('rachel', 'production', 'unhealthy');
    const failed = await waitForDeploymentOf(stack, 'rachel', bad.digest);

    expect(failed.phase).toBe('rolled-back');
    expect(failed.reason).toMatch(/503|unhealthy/);
    const after = await waitUntilIdle(stack, 'rachel');
    expect(after.traffic).toEqual([{ revisionName: before.activeRevision, weight: 100 }]);
    expect(after.deployedDigest).toBe(before.deployedDigest);

    const good = stack.push('rachel', 'production', 'healthy-checks');
    const fixed = await waitForDeploymentOf(stack, 'rachel', good.digest);
    expect(fixed.phase).toBe('succeeded');
    expect(fixed.previousRevision).toBe(before.activeRevision);
  });
});
