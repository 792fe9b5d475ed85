/**
 * A release group's deployment, replayed on the stack suite's group (media-worker, a
 * single-revision app without ingress, promoted first; media-web, with the migration): one
 * verify, backup and migration for the group, every member's gates before any promotion, and
 * when a member fails, every deployed member back to what it served, in reverse order.
 */
import { ActivityNames as A, OrchestratorNames } from '../../src/domain/deployment';
import { groupDeployment } from './replay/deploymentInputs';
import { finalRecord, newRevisionOf, recordedSteps, stepOutcomes, weightsGivenTo } from './replay/deploymentTrace';
import { CRASH_LOOPING, UNHEALTHY, healthyProbe, healthyWorld, stableRevisionOf } from './replay/healthyWorld';
import { replayOrchestration } from './replay/replayHarness';
import type { ActivityScript } from './replay/activityScript';
import type { RevisionObservation } from '../../src/domain/deployment';

const FIXTURE = 'scenarios.groups.json';
const MODES = { modes: { 'media-worker': 'Single' as const } };
/** Revisions a deployment creates are `<app>--hm-…`; those a rollback re-applies are `<app>--rb-…`. */
const newRevisionsOf = (app: string, observation: RevisionObservation) => (probe: { revisionName: string; health: { ingress: string } }) => (probe.revisionName.startsWith(`${app}--hm-`) ? observation : healthyProbe(probe));
const world = (overrides: ActivityScript = {}) => healthyWorld(overrides, MODES);
const rollbackOrder = (steps: string[]) => steps.filter((s) => s.endsWith('/rollback:succeeded') || s.endsWith('/rollback:failed')).map((s) => s.split('/')[0]);

describe('release group deployment (replayed)', () => {
  it('releases a good push as one deployment: one verify, backup and migration; both members\' gates, then promotions in order', async () => {
    const input = groupDeployment(FIXTURE, 'media');
    const run = await replayOrchestration({ name: OrchestratorNames.groupDeployment, input, instanceId: input.deploymentId, activities: world() });
    expect(run.output).toMatchObject({ phase: 'succeeded', group: 'media' });
    expect(stepOutcomes(run.trace)).toEqual({ verify: 'succeeded', backup: 'succeeded', migration: 'succeeded' });
    for (const member of ['media-worker', 'media-web']) expect(stepOutcomes(run.trace, member)).toMatchObject({ deploy: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });
    expect(run.trace.activities(A.verifyImage)).toHaveLength(1);
    expect(run.trace.activities(A.startMigration)).toHaveLength(1);
    // One backup, by the member that declares the migration, under an id that ends in the group deployment's.
    expect(run.trace.subOrchestrations('backupOrchestrator')).toEqual([expect.objectContaining({ instanceId: `${input.deploymentId}:backup`, input: expect.objectContaining({ database: 'media-db', deploymentId: `media-web-in-${input.deploymentId}` }) })]);
    const steps = recordedSteps(run.trace);
    expect(steps.indexOf('media-worker/promote:running')).toBeGreaterThan(steps.indexOf('media-web/health-wait:succeeded'));
    expect(steps.indexOf('media-web/promote:running')).toBeGreaterThan(steps.indexOf('media-worker/promote:succeeded'));
    // The worker has no ingress: judged by platform state; it is single-revision, so it took no traffic change.
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.member === 'media-worker' && r.step.name === 'health-wait' && r.step.outcome === 'succeeded').step.detail).toMatch(/judged by platform state/);
    expect(weightsGivenTo(run.trace, newRevisionOf(run.trace, 'media-web')!)).toEqual([100]);
    expect(run.trace.inputsOf(A.deployRevision).map((d) => d.release.group)).toEqual([{ name: 'media', deploymentId: input.deploymentId }, { name: 'media', deploymentId: input.deploymentId }]);
  });

  it('rolls both back when the worker never becomes ready: the web app never gets traffic', async () => {
    const input = groupDeployment(FIXTURE, 'media', { tag: '2.2.0' });
    const run = await replayOrchestration({ name: OrchestratorNames.groupDeployment, input, instanceId: input.deploymentId, activities: world({ [A.probeRevision]: newRevisionsOf('media-worker', CRASH_LOOPING) }) });
    const web = newRevisionOf(run.trace, 'media-web')!;
    const worker = newRevisionOf(run.trace, 'media-worker')!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace, 'media-worker')).toMatchObject({ 'health-wait': 'failed', rollback: 'succeeded' });
    expect(stepOutcomes(run.trace, 'media-web')).toMatchObject({ deploy: 'succeeded', rollback: 'succeeded' });
    expect(stepOutcomes(run.trace, 'media-web')).not.toHaveProperty('promote');
    expect(weightsGivenTo(run.trace, web)).toEqual([]);
    expect(rollbackOrder(recordedSteps(run.trace))).toEqual(['media-web', 'media-worker']);
    const verdicts = run.trace.inputsOf(A.settleRelease).filter((s) => s.revisionName === web || s.revisionName === worker);
    expect(verdicts).toEqual([
      expect.objectContaining({ revisionName: web, verdict: 'rolled-back', reason: expect.stringMatching(/^group media rolled back: media-worker: /) }),
      expect.objectContaining({ revisionName: worker, verdict: 'failed' }),
    ]);
    // The single-revision worker goes back by re-applying its previous image.
    expect(run.trace.inputsOf(A.restoreRelease)).toEqual([expect.objectContaining({ app: 'media-worker', restores: stableRevisionOf('media-worker') })]);
  });

  it('rolls the worker back too when the web app fails its health gate, in reverse order', async () => {
    const input = groupDeployment(FIXTURE, 'media', { tag: '2.3.0' });
    const run = await replayOrchestration({ name: OrchestratorNames.groupDeployment, input, instanceId: input.deploymentId, activities: world({ [A.probeRevision]: newRevisionsOf('media-web', UNHEALTHY) }) });
    const web = newRevisionOf(run.trace, 'media-web')!;
    const worker = newRevisionOf(run.trace, 'media-worker')!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace, 'media-worker')).toMatchObject({ deploy: 'succeeded', 'health-wait': 'succeeded', rollback: 'succeeded' });
    expect(stepOutcomes(run.trace, 'media-web')).toMatchObject({ 'health-wait': 'failed', rollback: 'succeeded' });
    expect(finalRecord(run.trace).reason).toMatch(/^media-web: /);
    expect(rollbackOrder(recordedSteps(run.trace))).toEqual(['media-web', 'media-worker']);
    expect(run.trace.inputsOf(A.settleRelease).filter((s) => s.revisionName === web || s.revisionName === worker).map((s) => [s.revisionName, s.verdict])).toEqual([
      [web, 'failed'],
      [worker, 'rolled-back'],
    ]);
    expect(run.trace.inputsOf(A.settleRelease).find((s) => s.revisionName === worker).reason).toMatch(/^group media rolled back: media-web/);
    expect(weightsGivenTo(run.trace, web)).toEqual([]);
  });

  it('rolls the promoted worker back too when the web app\'s promotion is refused after the worker was promoted', async () => {
    const input = groupDeployment(FIXTURE, 'media', { tag: '2.4.0' });
    const run = await replayOrchestration({
      name: OrchestratorNames.groupDeployment,
      input,
      instanceId: input.deploymentId,
      activities: world({ [A.routeTraffic]: (route) => (route.restoring ? { ok: true } : { ok: false, reason: 'simulated fault: traffic switch refused' }) }),
    });
    const web = newRevisionOf(run.trace, 'media-web')!;
    const worker = newRevisionOf(run.trace, 'media-worker')!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace, 'media-worker')).toMatchObject({ deploy: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded', rollback: 'succeeded' });
    expect(stepOutcomes(run.trace, 'media-web')).toMatchObject({ deploy: 'succeeded', 'health-wait': 'succeeded', promote: 'failed', rollback: 'succeeded' });
    const steps = recordedSteps(run.trace);
    expect(steps.indexOf('media-worker/promote:succeeded')).toBeLessThan(steps.indexOf('media-web/promote:running'));
    expect(rollbackOrder(steps)).toEqual(['media-web', 'media-worker']);
    // Refused, not a failed check: both releases rolled back, the worker's with the group's reason.
    expect(run.trace.inputsOf(A.settleRelease).filter((s) => s.revisionName === web || s.revisionName === worker).map((s) => [s.revisionName, s.verdict])).toEqual([
      [web, 'rolled-back'],
      [worker, 'rolled-back'],
    ]);
    expect(run.trace.inputsOf(A.settleRelease).find((s) => s.revisionName === worker).reason).toMatch(/^group media rolled back: media-web/);
    // The web app's traffic never left what served: only the refused change asked for the new revision.
    expect(run.trace.inputsOf(A.routeTraffic).filter((r) => r.restoring).map((r) => r.traffic)).toEqual([[{ revisionName: stableRevisionOf('media-web'), weight: 100 }]]);
  });
});
