/**
 * One deployment at a time per app, newest wins; duplicate deliveries collapse; and what a
 * person does by hand: roll back (a traffic switch that pauses automatic deploys), resume. A
 * deploy by hand runs end to end where the dashboard deploys a tag (test/dashboard/dashboardApproval)
 * and where an override deploys through a freeze (test/scenarios/deployWindows).
 */
import { Agent, request } from 'undici';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { LOCAL_KEYS } from '../../devhost/localStack/localStack';
import {
  QUIET_TIMERS,
  acrPushBody,
  deploymentsOf,
  eventually,
  postWebhook,
  startScenarioStack,
  stepOutcomes,
  waitForDeploymentOf,
  waitForPhase,
  waitUntilIdle,
} from './scenarioKit';

describe('queueing, duplicates and manual control', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.queue.json', { withPostgres: false, settings: { ...QUIET_TIMERS } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const eventsFor = async (app: string, digest: string): Promise<any[]> => {
    const { body } = await stack.api('GET', `/events?app=${app}`);
    return (body.events as any[]).filter((e) => e.digest === digest);
  };

  it('serializes pushes to one app: the first runs, the middle one is superseded, the newest deploys after it', async () => {
    // The first image needs 3 s to start, so the others arrive while it runs.
    const first = stack.push('queue-app', 'main-1', 'slow-start:3');
    await waitForPhase(stack, 'queue-app', first.digest, 'health-waiting').catch(() => undefined);
    const middle = stack.push('queue-app', 'main-2');
    await eventually('the middle push queued', async () => (await deploymentsOf(stack, 'queue-app')).find((d) => d.image.digest === middle.digest && d.phase === 'queued'));
    const last = stack.push('queue-app', 'main-3');

    const [a, b, c] = [
      await waitForDeploymentOf(stack, 'queue-app', first.digest),
      await waitForDeploymentOf(stack, 'queue-app', middle.digest),
      await waitForDeploymentOf(stack, 'queue-app', last.digest),
    ];
    expect(a.phase).toBe('succeeded');
    expect(b.phase).toBe('superseded');
    expect(b.reason).toBe(`superseded by ${c.id}`);
    expect(b.steps).toEqual([]);
    expect(c.phase).toBe('succeeded');
    // Never two at once: the newest started only after the first had finished promoting.
    const promoteEnd = a.steps.find((s: any) => s.step === 'promote').endedAt as string;
    const verifyStart = c.steps.find((s: any) => s.step === 'verify').startedAt as string;
    expect(Date.parse(verifyStart)).toBeGreaterThanOrEqual(Date.parse(promoteEnd));
    expect(c.previousRevision).toBe(a.newRevision);

    const { body: app } = await stack.api('GET', '/apps/queue-app');
    expect(app.image).toBe(last.image);
    expect(app.traffic).toEqual([{ revisionName: c.newRevision, weight: 100 }]);
  });

  it('starts one deployment for a digest delivered many times (ACR twice, Event Grid at least once, twice)', async () => {
    // Event Grid with the simulator's at-least-once duplicates; subscribing performs the validation handshake.
    const admin = new Agent({ connect: { ca: stack.simulator.caCertPem } });
    const response = await request(`${stack.simulator.url}/_sim/registry/eventgrid`, {
      method: 'POST',
      dispatcher: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        registry: 'queueing',
        endpoint: `${stack.devhost.baseUrl}/api/webhooks/eventgrid`,
        headers: { 'aeg-sas-key': LOCAL_KEYS.eventGridWebhookSecret },
        duplicate: true,
      }),
    });
    await response.body.dump();
    await admin.close();
    expect(response.statusCode).toBe(201);

    const { digest } = stack.push('dup-app', 'main-2');
    // And the ACR webhook again, as a retried delivery would.
    const again = await postWebhook(stack, 'acr', acrPushBody('queueing.azurecr.io', 'queue/dup', 'main-2', digest), { authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}` });
    expect(again.status).toBe(202);

    const deployment = await waitForDeploymentOf(stack, 'dup-app', digest);
    expect(deployment.phase).toBe('succeeded');
    const events = await eventually('four deliveries recorded', async () => {
      const mine = await eventsFor('dup-app', digest);
      return mine.length >= 4 ? mine : undefined;
    });
    expect(events.filter((e) => e.decision === 'started')).toHaveLength(1);
    expect(events.filter((e) => e.decision !== 'started').every((e) => e.decision === 'duplicate')).toBe(true);
    expect(new Set(events.map((e) => e.source))).toEqual(new Set(['acr', 'eventgrid']));
    expect((await deploymentsOf(stack, 'dup-app')).filter((d) => d.image.digest === digest)).toHaveLength(1);
  });

  it('rolls back by hand (a traffic switch that pauses automatic deploys), ignores pushes while paused, and resumes', async () => {
    // After the pushes above, queue-app serves main-3; main-1 served before it.
    await waitUntilIdle(stack, 'queue-app');
    const { body: before } = await stack.api('GET', '/apps/queue-app');
    const { body: releases } = await stack.api('GET', '/apps/queue-app/releases');
    const previous = (releases.releases as any[]).find((r) => r.tag === 'main-1').revisionName as string;

    // Roll back by hand: a recorded deployment of kind rollback that checks the target first.
    const rolled = await stack.api('POST', '/apps/queue-app/rollback', { reason: 'customers report 500s' });
    expect(rolled.status).toBe(202);
    expect(rolled.body).toMatchObject({ kind: 'rollback', from: before.activeRevision, to: previous, paused: true });
    const rollback = await eventually('the rollback finished', async () => {
      const { body } = await stack.api('GET', `/deployments/${rolled.body.deploymentId}`);
      return body.phase === 'succeeded' || body.phase === 'failed' ? body : undefined;
    });
    expect(rollback).toMatchObject({ kind: 'rollback', phase: 'succeeded', previousRevision: before.activeRevision, newRevision: previous });
    expect(stepOutcomes(rollback)).toMatchObject({ plan: 'succeeded', 'health-wait': 'succeeded', traffic: 'succeeded' });
    const { body: paused } = await waitUntilIdle(stack, 'queue-app').then(() => stack.api('GET', '/apps/queue-app'));
    expect(paused.traffic).toEqual([{ revisionName: previous, weight: 100 }]);
    expect(paused.paused).toMatchObject({ reason: 'customers report 500s' });
    expect(paused.deployedDigest).toBe(paused.servingDigest);
    const { body: ledger } = await stack.api('GET', '/apps/queue-app/releases');
    expect(ledger.releases.find((r: any) => r.revisionName === before.activeRevision)).toMatchObject({ verdict: 'rolled-back', reason: 'customers report 500s' });

    // The next push is not shipped while paused.
    const ignored = stack.push('queue-app', 'main-4');
    const [event] = await eventually('the paused push recorded', async () => {
      // A redelivery of the same event (Event Grid delivers at least once) is recorded as a duplicate.
      const mine = (await eventsFor('queue-app', ignored.digest)).filter((e) => e.decision !== 'duplicate');
      return mine.length > 0 ? mine : undefined;
    });
    expect(event.decision).toBe('ignored');
    expect(event.reason).toMatch(/paused/);
    expect((await deploymentsOf(stack, 'queue-app')).some((d) => d.image.digest === ignored.digest)).toBe(false);

    const resumed = await stack.api('POST', '/apps/queue-app/resume');
    expect(resumed.status).toBe(200);
    const { body: afterResume } = await stack.api('GET', '/apps/queue-app');
    expect(afterResume.paused).toBe(false);
    const next = stack.push('queue-app', 'main-5');
    const redeployed = await waitForDeploymentOf(stack, 'queue-app', next.digest);
    expect(redeployed.phase).toBe('succeeded');
    // The push sends its ACR webhook and its Event Grid event; whichever arrives first starts it.
    expect(['acr', 'eventgrid']).toContain(redeployed.source);
  });

  it('answers manual requests with problems that name the field', async () => {
    expect((await stack.api('POST', '/apps/queue-app/deploy', { tag: 'no such tag!' })).body).toMatchObject({ status: 400, field: 'tag' });
    expect((await stack.api('POST', '/apps/queue-app/deploy', { tag: 'main-404' })).status).toBe(404);
    expect((await stack.api('POST', '/apps/nobody/deploy', { tag: 'main-1' })).status).toBe(404);
    expect((await stack.api('POST', '/apps/queue-app/rollback', { revision: 'not-a-revision' })).body).toMatchObject({ status: 404, field: 'revision' });
  });
});
