/**
 * A manual rollback's orchestration, replayed: the plan comes from the release ledger (the
 * planRollback activity's answer is scripted), the target is woken and health-checked before any
 * traffic moves, then all traffic goes to it through the gate. A target that fails its check
 * never gets traffic; in single-revision mode a failing target is given up for the next safe one.
 */
import { ActivityNames as A, OrchestratorNames, ROLLOUT_VERSION } from '../../src/domain/deployment';
import type { Release } from '../../src/domain/rollout';
import { digestFor, manualRollback } from './replay/deploymentInputs';
import { finalRecord, settledVerdicts, stepOutcomes, trafficRequests } from './replay/deploymentTrace';
import { HEALTHY, UNHEALTHY, healthyWorld } from './replay/healthyWorld';
import { replayOrchestration } from './replay/replayHarness';

const OPERATOR = 'key:local-operator-key';
const release = (app: string, name: string, tag: string, verdict: Release['verdict']): Release => ({
  app,
  revisionName: `${app}--${name}`,
  tag,
  digest: digestFor(tag),
  image: `rollbacks.azurecr.io/rb/${app}@${digestFor(tag)}`,
  verdict,
  createdAt: '2026-03-01T09:00:00.000Z',
  updatedAt: '2026-03-01T09:00:00.000Z',
});

describe('manual rollback (replayed)', () => {
  it('wakes the target, checks its health before any traffic moves, then moves all traffic and marks the release left behind', async () => {
    const from = release('gate-app', 'hm-main7', 'main-7', 'verified');
    const target = release('gate-app', 'initial', 'main-1', 'superseded');
    const input = manualRollback('scenarios.rollback.json', 'gate-app', { reason: 'customers report 500s', by: OPERATOR });
    const run = await replayOrchestration({
      name: OrchestratorNames.rollback,
      input,
      instanceId: input.deploymentId,
      activities: healthyWorld({ [A.planRollback]: () => ({ ok: true, mode: 'Multiple', from, target, crossedMigrations: [], forced: false, reactivate: true }) }),
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(stepOutcomes(run.trace)).toEqual({ plan: 'succeeded', reactivate: 'succeeded', 'health-wait': 'succeeded', traffic: 'succeeded' });
    const order = run.trace.activityNames([A.recordDeployment, A.notifyDeployment, A.probeRevision]);
    expect(order).toEqual([A.planRollback, A.activateRevision, A.routeTraffic, A.settleRelease, A.finishDeployment, 'sweepApp']);
    expect(run.trace.subOrchestrations(OrchestratorNames.healthWait)).toEqual([expect.objectContaining({ instanceId: `${input.deploymentId}:health`, input: expect.objectContaining({ revisionName: target.revisionName }) })]);
    expect(run.trace.inputsOf(A.routeTraffic)).toEqual([expect.objectContaining({ traffic: [{ revisionName: target.revisionName, weight: 100 }], reason: 'customers report 500s', by: OPERATOR })]);
    expect(run.trace.inputsOf(A.settleRelease)).toEqual([expect.objectContaining({ revisionName: from.revisionName, verdict: 'rolled-back', reason: 'customers report 500s' })]);
    expect(run.trace.inputsOf(A.finishDeployment)).toEqual([expect.objectContaining({ phase: 'succeeded', servingDigest: target.digest, servingTag: 'main-1' })]);
  });

  it('a forced rollback onto a release that was rolled back passes force, reason and who to the gate, and says so', async () => {
    const from = release('gate-app', 'initial', 'main-1', 'verified');
    const target = release('gate-app', 'hm-main2', 'main-2', 'rolled-back');
    const input = manualRollback('scenarios.rollback.json', 'gate-app', { revision: target.revisionName, force: true, reason: 'the fix is in this build after all', by: OPERATOR });
    const run = await replayOrchestration({
      name: OrchestratorNames.rollback,
      input,
      instanceId: input.deploymentId,
      activities: healthyWorld({ [A.planRollback]: () => ({ ok: true, mode: 'Multiple', from, target, crossedMigrations: [], forced: true, reactivate: true }) }),
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(run.trace.inputsOf(A.routeTraffic)).toEqual([expect.objectContaining({ force: true, reason: 'the fix is in this build after all', by: OPERATOR })]);
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.name === 'traffic' && r.step.outcome === 'succeeded').step.detail).toBe(`100 % on ${target.revisionName} (forced)`);
  });

  it('a target that is not healthy never gets traffic: the rollback is refused at its health wait', async () => {
    const from = release('gate-app', 'hm-main7', 'main-7', 'verified');
    const target = release('gate-app', 'initial', 'main-1', 'superseded');
    const input = manualRollback('scenarios.rollback.json', 'gate-app', { reason: 'customers report 500s' });
    const run = await replayOrchestration({
      name: OrchestratorNames.rollback,
      input,
      instanceId: input.deploymentId,
      activities: healthyWorld({ [A.planRollback]: () => ({ ok: true, mode: 'Multiple', from, target, crossedMigrations: [], forced: false, reactivate: false }), [A.probeRevision]: () => UNHEALTHY }),
    });
    expect(run.output).toMatchObject({ phase: 'failed' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'failed' });
    expect(finalRecord(run.trace).reason).toMatch(/^rollback refused or failed at health-wait: gate-app--initial is not healthy: .*; traffic not moved$/);
    expect(trafficRequests(run.trace)).toEqual([]);
    expect(run.trace.ran(A.settleRelease)).toBe(false);
    expect(run.trace.inputsOf(A.notifyDeployment).map((n) => n.event)).toEqual(['rollback-started', 'rollback-failed']);
  });

  it('a refused plan (migration.rollback block) changes nothing', async () => {
    const input = manualRollback('scenarios.rollback.json', 'block-app', { reason: 'bad release' });
    const run = await replayOrchestration({
      name: OrchestratorNames.rollback,
      input,
      instanceId: input.deploymentId,
      activities: healthyWorld({ [A.planRollback]: () => ({ ok: false, status: 409, reason: 'the rollback crosses the migration of main-2 (migration.rollback block)' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'failed', reason: 'rollback refused or failed at plan: the rollback crosses the migration of main-2 (migration.rollback block)' });
    expect(run.trace.activityNames([A.recordDeployment, A.notifyDeployment])).toEqual([A.planRollback, A.finishDeployment]);
  });

  // The walk after the forced target failed ends on an older release: with another image than the one
  // the person rolled away from, that one is settled `rolled-back` as after a rollback that succeeded;
  // with the same image, nothing was rolled away from. A rollback started before rollout version 4
  // replays as it ran.
  it.each([
    { servedBefore: 'main-3', version: ROLLOUT_VERSION, leftBehind: ['rolled-back'], what: 'the release rolled away from is rolled-back' },
    { servedBefore: 'main-1', version: ROLLOUT_VERSION, leftBehind: [], what: 'the release that served the same image is left alone' },
    { servedBefore: 'main-3', version: undefined, leftBehind: [], what: 'a rollback started before version 4 leaves it as it was' },
  ])('single-revision mode: a forced target that fails on live traffic is marked failed, the release before it serves again, and $what', async ({ servedBefore, version, leftBehind }) => {
    const from = release('single-app', 'rb-current', servedBefore, 'verified');
    const target = release('single-app', 'hm-main2', 'main-2', 'failed');
    const before = release('single-app', 'initial', 'main-1', 'baseline');
    const input = { ...manualRollback('scenarios.rollback.json', 'single-app', { release: 'main-2', force: true, reason: 'it worked yesterday', by: OPERATOR }), rolloutVersion: version };
    let plans = 0;
    const run = await replayOrchestration({
      name: OrchestratorNames.rollback,
      input,
      instanceId: input.deploymentId,
      activities: healthyWorld(
        {
          [A.planRollback]: () => (++plans === 1 ? { ok: true, mode: 'Single', from, target, crossedMigrations: [], forced: true, reactivate: false } : { ok: true, mode: 'Single', target: before, crossedMigrations: [], forced: false, reactivate: false }),
          [A.restoreRelease]: (r) => ({ ok: true, revisionName: `single-app--rb-${r.restores.split('--')[1]}`, fqdn: 'single-app.example.test' }),
          [A.probeRevision]: (p) => (p.revisionName === 'single-app--rb-hm-main2' ? UNHEALTHY : HEALTHY),
        },
        { modes: { 'single-app': 'Single' } },
      ),
    });
    expect(run.output).toMatchObject({ phase: 'failed' });
    expect(finalRecord(run.trace).reason).toMatch(/failed on live traffic and is marked failed; single-app--rb-initial serves single-app--initial's image instead/);
    // Forced for the release asked for only; the walk's next step is a plain restore.
    expect(run.trace.inputsOf(A.restoreRelease).map((r) => [r.restores, r.force ?? false, r.restoring ?? false])).toEqual([
      [target.revisionName, true, false],
      [before.revisionName, false, true],
    ]);
    expect(settledVerdicts(run.trace)).toEqual(['single-app--rb-hm-main2:failed', `${target.revisionName}:failed`, 'single-app--rb-initial:verified', ...leftBehind.map((v) => `${from.revisionName}:${v}`)]);
    expect(run.trace.inputsOf(A.finishDeployment)).toEqual([expect.objectContaining({ phase: 'failed', servingDigest: before.digest })]);
  });
});
