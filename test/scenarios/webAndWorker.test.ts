/**
 * A media app: one image runs as a web service and as a worker service.
 * One push deploys both; the worker has no ingress, so only the platform can vouch for it.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, eventually, startScenarioStack, stepOutcomes, succeededCalls, waitForDeploymentOf } from './scenarioKit';

describe('web and worker from one image', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.webworker.json', { settings: { ...QUIET_TIMERS } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('deploys one push to both apps, the migration once, the worker judged by its platform state', async () => {
    const since = stack.simulator.requests.length;
    const { digest, image } = stack.push('media-web', '2.1.0');
    const [web, worker] = await Promise.all([waitForDeploymentOf(stack, 'media-web', digest), waitForDeploymentOf(stack, 'media-worker', digest)]);

    expect(web.phase).toBe('succeeded');
    expect(worker.phase).toBe('succeeded');
    expect(web.id).not.toBe(worker.id);
    expect(stepOutcomes(web)).toMatchObject({ migration: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });
    expect(stepOutcomes(worker)).toMatchObject({ migration: 'skipped', 'health-wait': 'succeeded', promote: 'succeeded' });
    const workerHealth = worker.steps.find((s: any) => s.step === 'health-wait' && s.outcome === 'succeeded');
    expect(workerHealth.detail).toMatch(/none ingress, judged by platform state/);
    // Only the web app carries the migration job: the shared image migrates once.
    expect(succeededCalls(stack, 'Jobs_Start', since)).toBe(1);

    const { body: workerApp } = await stack.api('GET', '/apps/media-worker');
    expect(workerApp.image).toBe(image);
    expect(workerApp.fqdn).toBeUndefined();
    expect(workerApp.traffic).toEqual([]);
    // Single revision mode: the new revision replaced the old one.
    const active = (workerApp.revisions as any[]).filter((r) => r.active).map((r) => r.name);
    expect(active).toEqual([worker.newRevision]);
    const { body: webApp } = await stack.api('GET', '/apps/media-web');
    expect(webApp.traffic).toEqual([{ revisionName: web.newRevision, weight: 100 }]);

    // The one delivery is recorded once per app it started.
    const events = await eventually('the delivery of both apps', async () => {
      const { body } = await stack.api('GET', '/events');
      const mine = (body.events as any[]).filter((e) => e.digest === digest);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(events.map((e) => [e.app, e.decision]).sort()).toEqual([
      ['media-web', 'started'],
      ['media-worker', 'started'],
    ]);
  });
});
