/**
 * Raxol: machines that scale to zero when idle, a release command
 * `/app/bin/migrate`. A new revision of such an app has no replica until a request arrives,
 * so the health-wait has to wake it.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, eventually, startScenarioStack, stepOutcomes, waitForDeploymentOf } from './scenarioKit';

describe('an app that scales to zero', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    // Idle revisions stop after 1.5 s, so "asleep" is reached quickly.
    stack = await startScenarioStack('scenarios.scaletozero.json', { settings: { ...QUIET_TIMERS }, scaleToZeroIdleMs: 1_500 });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const replicasOf = async (revision: string): Promise<number | undefined> => {
    const { body } = await stack.api('GET', '/apps/raxol');
    return (body.revisions as any[]).find((r) => r.name === revision)?.replicas as number | undefined;
  };

  it('deploys while the app sleeps: the probe wakes the new revision, which sleeps again when idle', async () => {
    const { body: before } = await stack.api('GET', '/apps/raxol');
    await eventually('the serving revision asleep', async () => ((await replicasOf(before.activeRevision)) === 0 ? true : undefined), 30_000);

    const { digest } = stack.push('raxol', '0.5.1');
    const deployment = await waitForDeploymentOf(stack, 'raxol', digest);

    expect(deployment.phase).toBe('succeeded');
    expect(stepOutcomes(deployment)).toMatchObject({ migration: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });
    const { body: app } = await stack.api('GET', '/apps/raxol');
    expect(app.traffic).toEqual([{ revisionName: deployment.newRevision, weight: 100 }]);
    // It answered the health checks, so it was woken; with nobody calling, it goes back to zero.
    await eventually('the new revision asleep again', async () => ((await replicasOf(deployment.newRevision)) === 0 ? true : undefined), 30_000);
  });
});
