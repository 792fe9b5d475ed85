/**
 * Deploy windows, freezes and deployment slots on the whole local stack, with devhost's
 * controllable clock (the orchestrations' time) starting on a Wednesday at 23:00 in Oslo: a push
 * outside the window is accepted and waits, visibly, until it opens; a newer push during the wait
 * supersedes it; a freeze refuses with its reason; a person's override deploys at once and is
 * recorded; a full Container Apps environment queues a deployment until a slot frees, and a slot
 * granted after the window closed is given back. That the way back (an automatic rollback, a
 * manual one) is never held by a window is a replay test (test/orchestrators/deploymentWindows).
 */
import { ControllableClock } from '../../devhost/clock';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, deploymentsOf, recordTrafficChanges, eventually, startScenarioStack, stepOutcomes, waitForDeploymentOf, waitForPhase, waitUntilIdle } from './scenarioKit';

const HOUR_MS = 3_600_000;

describe('deploy windows, freezes and slots', () => {
  // Wednesday 2 December 2026, 23:00 in Oslo (UTC+1): planner-web's Mon–Thu 09:00–16:00 window (the shipped
  // grocery-planner-web's, with its canary 10/50/100 %) opens Thursday at 08:00 UTC.
  const clock = new ControllableClock(new Date('2026-12-02T22:00:00Z'));
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.windows.json', { clock, withPostgres: false, settings: { ...QUIET_TIMERS } });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function revisionsOf(app: string): Promise<string[]> {
    const { body } = await stack.api('GET', `/apps/${app}`);
    return (body.revisions as any[]).map((r) => r.name);
  }

  it('waits for the window with the opening time, lets a newer push supersede the waiting one, and deploys the canary when the window opens', async () => {
    const before = await revisionsOf('planner-web');
    const first = stack.push('planner-web', '1.1.0');
    const waiting = await waitForPhase(stack, 'planner-web', first.digest, 'waiting-for-window');
    expect(waiting.opensAt).toBe('2026-12-03T08:00:00.000Z');
    expect(waiting.reason).toMatch(/outside the deploy window of app planner-web/);
    const { body: status } = await stack.api('GET', '/apps/planner-web');
    expect(status.lastDeployment).toMatchObject({ id: waiting.id, phase: 'waiting-for-window', opensAt: '2026-12-03T08:00:00.000Z' });

    // Newest wins for what waits: the second push supersedes the first, and waits in its turn.
    const second = stack.push('planner-web', '1.2.0');
    const superseded = await waitForDeploymentOf(stack, 'planner-web', first.digest);
    expect(superseded.phase).toBe('superseded');
    expect(superseded.reason).toMatch(/superseded while waiting for the deploy window/);
    await waitForPhase(stack, 'planner-web', second.digest, 'waiting-for-window');
    // Nothing deployed outside the window.
    expect(await revisionsOf('planner-web')).toEqual(before);

    const traffic = recordTrafficChanges(stack, 'planner-web');
    clock.advanceBy(10 * HOUR_MS); // Thursday 09:00 Oslo
    const deployed = await waitForDeploymentOf(stack, 'planner-web', second.digest);
    expect(deployed.phase).toBe('succeeded');
    // The canary's steps, in order, once the window opened: each split ARM received that gives the new revision any weight.
    const previous = status.activeRevision as string;
    const next = deployed.newRevision as string;
    expect(traffic.map((c) => c.traffic.find((t) => t.revisionName === next)?.weight ?? 0).filter((w) => w > 0)).toEqual([10, 50, 100]);
    // Before the first step the serving revision was pinned by name, so latestRevision never handed the new one traffic.
    const firstStep = traffic.findIndex((c) => c.traffic.some((t) => t.revisionName === next));
    expect(traffic.slice(0, firstStep).some((c) => c.traffic.length === 1 && c.traffic[0].revisionName === previous && c.traffic[0].weight === 100)).toBe(true);
    expect(traffic.flatMap((c) => c.traffic).some((t) => t.latestRevision === true)).toBe(false);
    // At 10 % the old revision kept the other 90 %.
    expect(traffic.find((c) => c.traffic.some((t) => t.revisionName === next && t.weight === 10))?.traffic).toEqual(expect.arrayContaining([{ revisionName: previous, weight: 90 }]));
    const { body: after } = await stack.api('GET', '/apps/planner-web');
    expect(after.traffic).toEqual([{ revisionName: next, weight: 100 }]);
    const window = deployed.steps.find((s: any) => s.step === 'window');
    expect(window).toMatchObject({ outcome: 'succeeded' });
    expect(Date.parse(deployed.steps.find((s: any) => s.step === 'deploy').startedAt)).toBeGreaterThanOrEqual(Date.parse('2026-12-03T08:00:00Z'));
    expect((await deploymentsOf(stack, 'planner-web')).filter((d) => d.image.digest === first.digest).map((d) => d.phase)).toEqual(['superseded']);
    await waitUntilIdle(stack, 'planner-web');
  }, 180_000);

  it('refuses a push during a freeze with the freeze’s reason; an override deploys and is recorded and notified', async () => {
    const frozen = stack.push('planner-jobs', '1.1.0');
    const refused = await waitForDeploymentOf(stack, 'planner-jobs', frozen.digest);
    expect(refused.phase).toBe('rejected');
    expect(refused.reason).toMatch(/deploy freeze \(app planner-jobs\).*year-end freeze/);
    expect(stepOutcomes(refused)).toEqual({ window: 'failed' });
    await waitUntilIdle(stack, 'planner-jobs');

    const override = await stack.api('POST', '/apps/planner-jobs/deploy', { tag: '1.1.0', override: { reason: 'security fix CVE-2026-1234' } });
    expect(override.status).toBe(202);
    const deployed = await waitForDeploymentOf(stack, 'planner-jobs', frozen.digest);
    expect(deployed.id).toBe(override.body.deploymentId);
    expect(deployed.phase).toBe('succeeded');
    const window = deployed.steps.find((s: any) => s.step === 'window');
    expect(window.detail).toMatch(/overridden by key:local-operator-key: security fix CVE-2026-1234 \(deploy freeze/);
    await eventually('the override notification', async () =>
      stack.simulator.notifications.received.find((n) => (n.body as any)?.event === 'deployment.window-overridden' && JSON.stringify(n.body).includes('CVE-2026-1234')),
    );

    const missingReason = await stack.api('POST', '/apps/planner-jobs/deploy', { tag: '1.1.0', override: {} });
    expect(missingReason).toMatchObject({ status: 400, body: { field: 'override.reason' } });
  }, 120_000);

  it('runs at most maxConcurrentDeployments deployments at once in an environment, and judges the window again when a slot frees: one that waited past the window’s close gives the slot back', async () => {
    const advanceTo = (at: string): void => clock.advanceBy(Math.max(0, Date.parse(at) - clock.now().getTime()));
    // Friday 15:00 in Oslo: shared-windowed's Mon–Fri 09:00–16:00 window is open.
    advanceTo('2026-12-04T14:00:00Z');
    // shared-gated takes shared-env's one slot and holds it at its approval gate.
    const holder = stack.push('shared-gated', '1.1.0');
    const held = await waitForPhase(stack, 'shared-gated', holder.digest, 'awaiting-approval');
    const before = await revisionsOf('shared-windowed');
    const windowed = stack.push('shared-windowed', '1.1.0');
    const queued = await waitForPhase(stack, 'shared-windowed', windowed.digest, 'queued');
    expect(queued.steps.find((s: any) => s.step === 'window')).toBeUndefined(); // admitted by the window at once
    expect(queued.reason).toMatch(/^queued: environment shared-env runs its maximum of 1 deployment \(shared-gated-/);

    // Friday 16:30: the window closed while it waited; then the slot frees.
    advanceTo('2026-12-04T15:30:00Z');
    const approve = await stack.api('POST', `/deployments/${held.id}/approve`, { comment: 'go' });
    expect(approve.status).toBe(202);
    const released = await waitForDeploymentOf(stack, 'shared-gated', holder.digest);
    expect(released.phase).toBe('succeeded');
    expect(released.steps.find((s: any) => s.step === 'approval' && s.outcome === 'succeeded').detail).toBe('approved by key:local-operator-key');
    // Deciding again is refused: the deployment has ended.
    expect((await stack.api('POST', `/deployments/${held.id}/approve`)).status).toBe(409);

    const waiting = await waitForPhase(stack, 'shared-windowed', windowed.digest, 'waiting-for-window');
    expect(waiting.opensAt).toBe('2026-12-07T08:00:00.000Z'); // Monday 09:00 in Oslo
    // The slot it was granted once the holder had finished, then gave back.
    const slots = (waiting.steps as any[]).filter((s) => s.step === 'slot');
    expect(slots.map((s) => s.outcome)).toEqual(['succeeded', 'skipped']);
    const lastOfHolder = Math.max(...(released.steps as any[]).map((s) => Date.parse(s.endedAt ?? s.startedAt)));
    expect(Date.parse(slots[0].endedAt)).toBeGreaterThanOrEqual(lastOfHolder);
    expect(slots[1].detail).toMatch(/^given back at 2026-12-04T15:3.*: the deploy window is no longer open \(outside the deploy window/);
    // Given back: another deployment in the environment is not held by one waiting for its window.
    const other = stack.push('shared-a', '1.2.0');
    expect((await waitForDeploymentOf(stack, 'shared-a', other.digest)).phase).toBe('succeeded');
    // Nothing deployed outside the window.
    expect(await revisionsOf('shared-windowed')).toEqual(before);

    advanceTo('2026-12-07T08:30:00Z'); // Monday 09:30 in Oslo
    const deployed = await waitForDeploymentOf(stack, 'shared-windowed', windowed.digest);
    expect(deployed.phase).toBe('succeeded');
    expect(Date.parse(deployed.steps.find((s: any) => s.step === 'deploy').startedAt)).toBeGreaterThanOrEqual(Date.parse('2026-12-07T08:00:00Z'));
    expect(stepOutcomes(deployed)).toMatchObject({ window: 'succeeded', slot: 'succeeded' });
  }, 180_000);
});
