/**
 * The deployment orchestrator after deploy, replayed against synthetic histories: health gate,
 * approval, promotion, and the one way back (compensation). Whatever fails, traffic goes back to
 * the revision that served before, through the traffic gate, before anything is recorded, and the
 * revision that failed its checks is never given a share of traffic.
 */
import { AbortEventName, ActivityNames as A, ApprovalEventName, OrchestratorNames, ROLLOUT_VERSION, type RevisionObservation } from '../../src/domain/deployment';
import { appDeployment } from './replay/deploymentInputs';
import { finalRecord, newRevisionOf, settledVerdicts, stepOutcomes, trafficRequests, weightsGivenTo } from './replay/deploymentTrace';
import { HEALTHY, STABLE_DIGEST, UNHEALTHY, fail, healthyProbe, healthyWorld, stableRevisionOf } from './replay/healthyWorld';
import { replayOrchestration } from './replay/replayHarness';
import type { ReplayTrace } from './replay/replayTrace';
import { HEALTH_AT_APPROVAL_GATE_FAILS_RELEASE } from '../../src/orchestrators/deployment/deploymentOrchestrator';

const awaitingApproval = (trace: ReplayTrace): boolean => trace.ran(A.notifyDeployment, (i) => i.event === 'awaiting-approval');
const OPERATOR = 'key:local-operator-key';

describe('deployment rollback paths (replayed)', () => {
  it('a revision that fails its health gate is never given traffic; traffic stays on the previous revision and the new one is deactivated', async () => {
    const input = appDeployment('scenarios.failures.json', 'reconcile-app');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld({ [A.probeRevision]: () => UNHEALTHY }) });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back', newRevision: revision, previousRevision: stableRevisionOf('reconcile-app') });
    expect(stepOutcomes(run.trace)).toMatchObject({ deploy: 'succeeded', 'health-wait': 'failed', rollback: 'succeeded' });
    expect(stepOutcomes(run.trace)).not.toHaveProperty('promote');
    expect(finalRecord(run.trace).reason).toMatch(/^2 consecutive failed checks: endpoint: HTTP 503/);
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    // The undo, in order: the previous revision active, all traffic on it (as a restore), the new one deactivated; then the verdict.
    const undo = run.trace.activityNames([A.recordDeployment, A.notifyDeployment, A.probeRevision]);
    expect(undo.slice(undo.indexOf(A.activateRevision))).toEqual([A.activateRevision, A.routeTraffic, A.deactivateRevision, A.settleRelease, A.finishDeployment, 'sweepApp']);
    expect(run.trace.inputsOf(A.routeTraffic)).toEqual([expect.objectContaining({ restoring: true, traffic: [{ revisionName: stableRevisionOf('reconcile-app'), weight: 100 }] })]);
    expect(run.trace.inputsOf(A.deactivateRevision)).toEqual([expect.objectContaining({ revisionName: revision })]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:failed`]);
    // What serves at the end is the previous release.
    expect(run.trace.inputsOf(A.finishDeployment)).toEqual([expect.objectContaining({ phase: 'rolled-back', servingDigest: STABLE_DIGEST })]);
  });

  it('an app that says degraded is healthy passes its health gate on "degraded" answers, and is promoted', async () => {
    // grocery-ai (internal ingress, scales to zero) reports degraded while a non-critical dependency is down.
    const degraded: RevisionObservation = { platform: HEALTHY.platform, endpoint: { status: 200, body: '{"status":"degraded","checks":{"db":"pass","cache":"fail"}}', latencyMs: 4 } };
    const input = appDeployment('scenarios.webai.json', 'grocery-ai');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld({ [A.probeRevision]: () => degraded }) });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', promote: 'succeeded' });
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.name === 'health-wait' && r.step.outcome === 'succeeded').step.detail).toMatch(/degraded/i);
    expect(weightsGivenTo(run.trace, newRevisionOf(run.trace)!)).toEqual([100]);
  });

  it('an approval rejected by a person rolls back as rejected; the release is rolled back, not failed', async () => {
    const input = appDeployment('scenarios.rollback.json', 'gate-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld(),
      events: [{ name: ApprovalEventName, data: { approved: false, by: OPERATOR }, when: awaitingApproval }],
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rejected' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', approval: 'failed', rollback: 'succeeded' });
    expect(finalRecord(run.trace)).toEqual({ phase: 'rejected', reason: `rejected by ${OPERATOR}` });
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:rolled-back`]);
    expect(run.trace.inputsOf(A.notifyDeployment).map((n) => n.event)).toEqual(['started', 'awaiting-approval', 'failed']);
  });

  it('an approval approved by a person promotes; health is re-checked while it waits', async () => {
    const input = appDeployment('scenarios.rollback.json', 'gate-app');
    const approvedAt = new Date(Date.parse('2026-03-02T10:00:00Z') + 5_500);
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld(),
      events: [{ name: ApprovalEventName, data: { approved: true, by: OPERATOR }, at: approvedAt, when: awaitingApproval }],
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(stepOutcomes(run.trace)).toMatchObject({ approval: 'succeeded', promote: 'succeeded' });
    // A health re-check every interval (1 s) while no decision has come.
    const rechecks = run.trace.subOrchestrations(OrchestratorNames.healthWait).filter((s) => s.instanceId.includes(':approval-health:'));
    expect(rechecks.length).toBeGreaterThanOrEqual(4);
    expect(weightsGivenTo(run.trace, revision)).toEqual([100]);
    expect(run.trace.indexOf((e) => e.kind === 'event')).toBeLessThan(run.trace.indexOf((e) => e.kind === 'activity' && e.name === A.routeTraffic));
  });

  it('no decision within the approval timeout is a no: rolled back', async () => {
    const input = appDeployment('scenarios.rollback.json', 'gate-app');
    // The same app with a one-minute timeout and a 10 s health interval: six re-checks, not 1 800.
    input.spec = { ...input.spec, approval: { required: true, timeoutMinutes: 1 }, health: { ...input.spec.health, intervalSeconds: 10 } };
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld() });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(finalRecord(run.trace).reason).toBe('no approval within 1 min');
    expect(stepOutcomes(run.trace)).toMatchObject({ approval: 'failed', rollback: 'succeeded' });
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:rolled-back`]);
  });

  it.each([
    { version: ROLLOUT_VERSION, verdict: 'failed', what: 'it failed a health check: its release is failed' },
    { version: HEALTH_AT_APPROVAL_GATE_FAILS_RELEASE - 1, verdict: 'rolled-back', what: 'a deployment started before version 5 replays as it ran: rolled-back' },
  ])('health that fails while the deployment waits for approval rolls it back without anyone, and the revision never gets traffic; $what', async ({ version, verdict }) => {
    const input = { ...appDeployment('scenarios.rollback.json', 'gate-app'), rolloutVersion: version };
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      // Healthy through its health wait; the re-checks while nobody has decided find it failing (503).
      activities: healthyWorld({ [A.probeRevision]: (probe, call) => (call.instanceId.includes(':approval-health:') ? UNHEALTHY : healthyProbe(probe)) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', approval: 'failed', rollback: 'succeeded' });
    expect(finalRecord(run.trace).reason).toMatch(/^health failed while waiting for approval: 2 consecutive failed checks: endpoint: HTTP 503/);
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    expect(run.trace.inputsOf(A.routeTraffic)).toEqual([expect.objectContaining({ restoring: true, traffic: [{ revisionName: stableRevisionOf('gate-app'), weight: 100 }] })]);
    expect(run.trace.inputsOf(A.notifyDeployment).map((n) => n.event)).toEqual(['started', 'awaiting-approval', 'rolled-back']);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:${verdict}`]);
  });

  it('a manual rollback during the approval wait aborts the deployment: its own compensation restores what served', async () => {
    const input = appDeployment('scenarios.rollback.json', 'gate-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld(),
      events: [{ name: AbortEventName, data: { reason: 'wrong build', by: OPERATOR }, when: awaitingApproval }],
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(finalRecord(run.trace).reason).toBe(`aborted: wrong build (by ${OPERATOR})`);
    expect(stepOutcomes(run.trace)).toMatchObject({ approval: 'failed', rollback: 'succeeded' });
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:rolled-back`]);
    expect(run.trace.inputsOf(A.routeTraffic)).toEqual([expect.objectContaining({ restoring: true, traffic: [{ revisionName: stableRevisionOf('gate-app'), weight: 100 }] })]);
  });

  it('a promotion the traffic gate refuses rolls back; the release is rolled back, not failed (its checks passed)', async () => {
    const input = appDeployment('scenarios.failures.json', 'reconcile-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.routeTraffic]: (i) => (i.restoring ? { ok: true } : { ok: false, reason: 'traffic gate: the app is frozen by a person' }) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', promote: 'failed', rollback: 'succeeded' });
    expect(finalRecord(run.trace).reason).toBe('traffic gate: the app is frozen by a person');
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:rolled-back`]);
    expect(trafficRequests(run.trace)).toEqual([[{ revisionName: revision, weight: 100 }], [{ revisionName: stableRevisionOf('reconcile-app'), weight: 100 }]]);
  });

  it('a rollback the gate refuses is loud: the deployment fails with ROLLBACK FAILED', async () => {
    const input = appDeployment('scenarios.failures.json', 'reconcile-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.probeRevision]: () => UNHEALTHY, [A.routeTraffic]: () => ({ ok: false, reason: 'ARM refused the traffic change' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'failed' });
    expect(stepOutcomes(run.trace)).toMatchObject({ rollback: 'failed' });
    expect(finalRecord(run.trace).reason).toMatch(/^ROLLBACK FAILED \(ARM refused the traffic change\) after: 2 consecutive failed checks/);
    // The new revision is not deactivated when traffic could not be moved off it.
    expect(run.trace.ran(A.deactivateRevision)).toBe(false);
    expect(run.trace.inputsOf(A.notifyDeployment).at(-1)).toMatchObject({ event: 'failed' });
  });

  it('migration.rollback down: the failed release runs its own down migration once, after traffic moved back', async () => {
    const input = appDeployment('scenarios.rollback.json', 'down-app');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld({ [A.probeRevision]: () => UNHEALTHY }) });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ migration: 'succeeded', rollback: 'succeeded', 'down-migration': 'succeeded' });
    expect(run.trace.inputsOf(A.startDownMigration)).toEqual([expect.objectContaining({ command: ['/app/bin/migrate', 'down'], revisionName: revision, image: expect.stringContaining(input.image.digest) })]);
    const restored = run.trace.indexOf((e) => e.kind === 'activity' && e.name === A.routeTraffic);
    const down = run.trace.indexOf((e) => e.kind === 'activity' && e.name === A.startDownMigration);
    expect(restored).toBeGreaterThanOrEqual(0);
    expect(down).toBeGreaterThan(restored);
    expect(run.trace.inputsOf(A.settleRelease)).toEqual([
      expect.objectContaining({ revisionName: revision, verdict: 'failed' }),
      expect.objectContaining({ revisionName: revision, verdict: 'rolled-back', down: { executionName: 'down-app-migrate-down1', outcome: 'Succeeded' } }),
    ]);
    expect(finalRecord(run.trace).reason).toMatch(/; down migration of \S+ ran \(execution down-app-migrate-down1\)$/);
  });

  it('single-revision mode: a restored release that fails on live traffic is marked failed and the next safe release serves', async () => {
    const input = appDeployment('scenarios.rollback.json', 'single-app');
    const initialImage = `rollbacks.azurecr.io/rb/single-app@sha256:${'1'.repeat(64)}`;
    let restores = 0;
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld(
        {
          // The new release and the first re-applied one (main-2's image) fail; the one re-applied next passes.
          [A.probeRevision]: (probe) => (probe.revisionName.startsWith('single-app--restore-') && restores >= 2 ? HEALTHY : UNHEALTHY),
          [A.restoreRelease]: () => {
            restores += 1;
            return { ok: true, revisionName: `single-app--restore-${restores}`, fqdn: `single-app--restore-${restores}.example.test` };
          },
          [A.planRollback]: () => ({ ok: true, mode: 'Single', target: { app: 'single-app', revisionName: 'single-app--initial', image: initialImage, verdict: 'baseline' }, crossedMigrations: [], forced: false, reactivate: false }),
        },
        { modes: { 'single-app': 'Single' } },
      ),
    });
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'failed', rollback: 'succeeded' });
    expect(run.trace.inputsOf(A.restoreRelease).map((r) => r.restores)).toEqual([stableRevisionOf('single-app'), 'single-app--initial']);
    // Only the first re-apply is a restore by the compensation's own right; each is recorded as a release.
    expect(run.trace.inputsOf(A.recordRelease).map((r) => r.restoredFrom)).toEqual([stableRevisionOf('single-app'), 'single-app--initial']);
    expect(settledVerdicts(run.trace)).toEqual(['single-app--restore-1:failed', `${stableRevisionOf('single-app')}:failed`, 'single-app--restore-2:verified', `${newRevisionOf(run.trace)}:failed`]);
    expect(run.trace.subOrchestrations(OrchestratorNames.healthWait).map((s) => s.instanceId)).toEqual([`${input.deploymentId}:health`, `${input.deploymentId}:restore-health`, `${input.deploymentId}:restore-health-1`]);
  });

  it('a completed step is not redone on replay: every episode replays from the start, each activity runs once', async () => {
    const input = appDeployment('scenarios.failures.json', 'arm-bursts');
    let failures = 0;
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      // A transient failure of the traffic change: retried by the orchestration, the steps before it are not.
      activities: healthyWorld({ [A.routeTraffic]: () => (failures++ < 2 ? fail('ARM answered 500') : { ok: true }) }),
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(run.episodes).toBeGreaterThan(15);
    for (const once of [A.verifyImage, A.startMigration, A.deployRevision, A.finishDeployment]) expect(run.trace.activities(once)).toHaveLength(1);
    expect(run.trace.activities(A.routeTraffic).map((e) => [e.attempt, e.failure ?? 'ok'])).toEqual([[1, 'ARM answered 500'], [2, 'ARM answered 500'], [3, 'ok']]);
  });
});
