/**
 * Deploy windows, freezes and deployment slots, replayed on a virtual clock that starts where the
 * stack suite's does (Wednesday 2 December 2026, 23:00 in Oslo): the window's wait is a durable
 * timer to its opening, a newer push supersedes what waits, a freeze refuses, an override goes at
 * once, a full environment queues the deployment, and a slot granted after the window closed is
 * given back. The way back is never held by a window.
 */
import { ActivityNames as A, OrchestratorNames, SupersedeEventName, WindowOverrideEventName } from '../../src/domain/deployment';
import type { Release } from '../../src/domain/rollout';
import { appDeployment, digestFor, manualRollback } from './replay/deploymentInputs';
import { finalRecord, newRevisionOf, recordedSteps, stepOutcomes, trafficRequests, weightsGivenTo } from './replay/deploymentTrace';
import { STABLE_DIGEST, UNHEALTHY, healthyWorld } from './replay/healthyWorld';
import { replayOrchestration } from './replay/replayHarness';
import type { ReplayTrace } from './replay/replayTrace';

const FIXTURE = 'scenarios.windows.json';
const WEDNESDAY_23_OSLO = new Date('2026-12-02T22:00:00Z');
const OPERATOR = 'key:local-operator-key';
const waitingForWindow = (trace: ReplayTrace): boolean => trace.ran(A.notifyDeployment, (n) => n.event === 'waiting-for-window');
const firstRun = (trace: ReplayTrace, name: string): string => trace.activities(name)[0]?.at;

describe('deploy windows and slots (replayed)', () => {
  it('waits for the window with its opening time on a durable timer, then deploys the canary when it opens', async () => {
    const input = appDeployment(FIXTURE, 'planner-web', { tag: '1.2.0' });
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, start: WEDNESDAY_23_OSLO, activities: healthyWorld() });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    const waiting = run.trace.inputsOf(A.recordDeployment).find((r) => r.phase === 'waiting-for-window');
    expect(waiting).toMatchObject({ opensAt: '2026-12-03T08:00:00.000Z', reason: expect.stringMatching(/outside the deploy window of app planner-web/) });
    expect(run.trace.timers()[0]).toBe('2026-12-03T08:00:00.000Z');
    expect(recordedSteps(run.trace).slice(0, 2)).toEqual(['window:running', 'window:succeeded']);
    // Nothing touched the app before the window opened.
    expect(Date.parse(firstRun(run.trace, A.verifyImage))).toBeGreaterThanOrEqual(Date.parse('2026-12-03T08:00:00Z'));
    expect(Date.parse(firstRun(run.trace, A.deployRevision))).toBeGreaterThanOrEqual(Date.parse('2026-12-03T08:00:00Z'));
    expect(weightsGivenTo(run.trace, revision)).toEqual([10, 50, 100]);
  });

  it('a newer push supersedes the deployment waiting for its window: it ends without touching anything', async () => {
    const input = appDeployment(FIXTURE, 'planner-web', { tag: '1.1.0' });
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      start: WEDNESDAY_23_OSLO,
      activities: healthyWorld(),
      events: [{ name: SupersedeEventName, data: { by: 'planner-web-20261202-230100-def456' }, when: waitingForWindow }],
    });
    expect(run.output).toMatchObject({ phase: 'superseded' });
    expect(finalRecord(run.trace)).toEqual({ phase: 'superseded', reason: 'superseded while waiting for the deploy window by planner-web-20261202-230100-def456' });
    expect(run.trace.activityNames([A.recordDeployment])).toEqual([A.notifyDeployment, A.finishDeployment]);
    expect(run.trace.inputsOf(A.notifyDeployment).map((n) => n.event)).toEqual(['waiting-for-window']);
    expect(run.trace.inputsOf(A.finishDeployment)).toEqual([expect.objectContaining({ phase: 'superseded' })]);
  });

  it('a freeze refuses the push with its reason', async () => {
    const input = appDeployment(FIXTURE, 'planner-jobs', { tag: '1.1.0' });
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, start: WEDNESDAY_23_OSLO, activities: healthyWorld() });
    expect(run.output).toMatchObject({ phase: 'rejected' });
    expect(finalRecord(run.trace).reason).toMatch(/deploy freeze \(app planner-jobs\).*year-end freeze/);
    expect(stepOutcomes(run.trace)).toEqual({ window: 'failed' });
    expect(run.trace.activityNames([A.recordDeployment])).toEqual([A.notifyDeployment, A.finishDeployment]);
    expect(run.trace.inputsOf(A.notifyDeployment)).toEqual([expect.objectContaining({ event: 'failed' })]);
  });

  it('a person\'s override deploys through the freeze at once, recorded and notified', async () => {
    const input = appDeployment(FIXTURE, 'planner-jobs', { tag: '1.1.0', override: { reason: 'security fix CVE-2026-1234', by: OPERATOR } });
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, start: WEDNESDAY_23_OSLO, activities: healthyWorld() });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    const window = run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.name === 'window');
    expect(window.step).toMatchObject({ outcome: 'succeeded', detail: expect.stringMatching(/^overridden by key:local-operator-key: security fix CVE-2026-1234 \(deploy freeze/) });
    expect(run.trace.inputsOf(A.notifyDeployment).map((n) => n.event)).toEqual(['window-overridden', 'started', 'succeeded']);
    expect(firstRun(run.trace, A.deployRevision)).toBe(WEDNESDAY_23_OSLO.toISOString());
  });

  it('an override raised on a deployment waiting for its window lets it go at once', async () => {
    const input = appDeployment(FIXTURE, 'planner-web', { tag: '1.2.0' });
    const overrideAt = new Date('2026-12-02T22:30:00Z');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      start: WEDNESDAY_23_OSLO,
      activities: healthyWorld(),
      events: [{ name: WindowOverrideEventName, data: { reason: 'hotfix', by: OPERATOR }, at: overrideAt, when: waitingForWindow }],
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.name === 'window' && r.step.outcome === 'succeeded')).toMatchObject({ phase: 'verifying', step: { detail: expect.stringMatching(/^overridden by key:local-operator-key: hotfix \(outside the deploy window/) } });
    expect(firstRun(run.trace, A.verifyImage)).toBe(overrideAt.toISOString());
  });

  it('never holds the way back: an overridden release that fails its health gate is rolled back at once, outside the window', async () => {
    const thursday17Oslo = new Date('2026-12-03T16:00:00Z');
    const input = appDeployment(FIXTURE, 'planner-web', { tag: '1.3.0', override: { reason: 'hotfix', by: OPERATOR } });
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, start: thursday17Oslo, activities: healthyWorld({ [A.probeRevision]: () => UNHEALTHY }) });
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ window: 'succeeded', 'health-wait': 'failed', rollback: 'succeeded' });
    // The window next opens on Monday; the rollback was done within seconds.
    expect(Date.parse(run.trace.activities(A.routeTraffic).at(-1)!.at) - thursday17Oslo.getTime()).toBeLessThan(60_000);
    expect(weightsGivenTo(run.trace, newRevisionOf(run.trace)!)).toEqual([]);
  });

  it('never holds the way back: a manual rollback outside the window moves traffic at once, with no window step', async () => {
    const thursday17Oslo = new Date('2026-12-03T16:00:00Z');
    const release = (revisionName: string, tag: string, digest: string, verdict: Release['verdict']): Release => ({
      app: 'planner-web',
      revisionName,
      tag,
      digest,
      image: `planner.azurecr.io/planner/web@${digest}`,
      verdict,
      createdAt: '2026-12-03T15:00:00.000Z',
      updatedAt: '2026-12-03T15:00:00.000Z',
    });
    const from = release('planner-web--hm-1-3-0', '1.3.0', digestFor('1.3.0'), 'verified');
    const target = release('planner-web--stable', '1.0.0', STABLE_DIGEST, 'superseded');
    const input = manualRollback(FIXTURE, 'planner-web', { reason: 'back to the baseline', by: OPERATOR });
    const run = await replayOrchestration({
      name: OrchestratorNames.rollback,
      input,
      instanceId: input.deploymentId,
      start: thursday17Oslo,
      activities: healthyWorld({ [A.planRollback]: () => ({ ok: true, mode: 'Multiple', from, target, crossedMigrations: [], forced: false, reactivate: false }) }),
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(stepOutcomes(run.trace)).not.toHaveProperty('window');
    expect(run.trace.ran(A.notifyDeployment, (n) => n.event === 'waiting-for-window')).toBe(false);
    // The window next opens on Monday; traffic was back within seconds.
    expect(trafficRequests(run.trace)).toEqual([[{ revisionName: target.revisionName, weight: 100 }]]);
    expect(Date.parse(run.trace.activities(A.routeTraffic)[0].at) - thursday17Oslo.getTime()).toBeLessThan(60_000);
  });

  it('a full environment queues the deployment: it claims a slot every 5 s and starts its work only once granted', async () => {
    const input = appDeployment(FIXTURE, 'shared-b', { tag: '1.1.0' });
    const start = new Date('2026-12-02T12:00:00Z');
    const freesAt = start.getTime() + 12_000;
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      start,
      activities: healthyWorld({ [A.claimDeploySlot]: (claim) => (Date.parse(claim.at) >= freesAt ? { granted: true, holders: [] } : { granted: false, holders: ['shared-a-20261202-115900-aaa111 (shared-a)'] }) }),
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    const queued = run.trace.inputsOf(A.recordDeployment).find((r) => r.phase === 'queued');
    expect(queued.reason).toBe('queued: environment shared-env runs its maximum of 1 deployment (shared-a-20261202-115900-aaa111 (shared-a))');
    expect(run.trace.inputsOf(A.claimDeploySlot).map((c) => (Date.parse(c.at) - start.getTime()) / 1000)).toEqual([0, 5, 10, 15]);
    expect(run.trace.inputsOf(A.claimDeploySlot)[0]).toMatchObject({ environment: 'shared-env', limit: 1, owner: 'shared-b', deploymentId: input.deploymentId });
    expect(stepOutcomes(run.trace)).toMatchObject({ slot: 'succeeded' });
    expect(Date.parse(firstRun(run.trace, A.verifyImage))).toBeGreaterThanOrEqual(freesAt);
  });

  it('a slot granted after the window closed is given back, and the deployment waits for the window again', async () => {
    const input = appDeployment(FIXTURE, 'shared-windowed', { tag: '1.1.0' });
    // Friday 15:59:30 in Oslo: the window (Mon-Fri 09:00-16:00) is open; the environment's slot frees at 16:00:30.
    const start = new Date('2026-12-04T14:59:30Z');
    const freesAt = Date.parse('2026-12-04T15:00:30Z');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      start,
      activities: healthyWorld({ [A.claimDeploySlot]: (claim) => (Date.parse(claim.at) >= freesAt ? { granted: true, holders: [] } : { granted: false, holders: ['shared-gated-20261204-145000-bbb222 (shared-gated)'] }) }),
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(recordedSteps(run.trace).filter((s) => s.startsWith('slot') || s.startsWith('window'))).toEqual(['slot:running', 'slot:succeeded', 'slot:skipped', 'window:running', 'window:succeeded', 'slot:succeeded']);
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.outcome === 'skipped' && r.step.name === 'slot').step.detail).toMatch(/^given back at 2026-12-04T15:00:3\d.*: the deploy window is no longer open \(outside the deploy window/);
    expect(run.trace.inputsOf(A.releaseDeploySlot)).toEqual([{ environments: ['shared-env'], deploymentId: input.deploymentId }]);
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.phase === 'waiting-for-window').opensAt).toBe('2026-12-07T08:00:00.000Z');
    // Claimed again when the window opened on Monday; nothing deployed before.
    expect(run.trace.inputsOf(A.recordDeployment).filter((r) => r.step?.name === 'slot' && r.step.outcome === 'succeeded').at(-1).step.detail).toMatch(/^a slot of shared-env claimed again at 2026-12-07T08:00/);
    expect(Date.parse(firstRun(run.trace, A.deployRevision))).toBeGreaterThanOrEqual(Date.parse('2026-12-07T08:00:00Z'));
  });
});
