/**
 * Analysis at canary steps and in the bake, replayed: the measurements are scripted readings
 * (what the metrics provider would return), the orchestrator takes them on durable timers and
 * judges them with the domain's rules. A failed run rolls back before the revision gets more
 * traffic; an inconclusive one asks a person or fails, as the app says. A background check is
 * measured beside the canary's steps and aborts it the moment it fails.
 */
import { ActivityNames as A, ApprovalEventName, OrchestratorNames } from '../../src/domain/deployment';
import { appDeployment } from './replay/deploymentInputs';
import { analysisVerdicts, finalRecord, newRevisionOf, settledVerdicts, stepOutcomes, trafficRequests, weightsGivenTo } from './replay/deploymentTrace';
import { healthyWorld, stableRevisionOf } from './replay/healthyWorld';
import { replayOrchestration } from './replay/replayHarness';

const FIXTURE = 'scenarios.analysis.json';
/** The provider suite's apps: `background-app` has a check measured throughout its canary. */
const PROVIDERS = 'scenarios.analysisProviders.json';
/** A fifth of the canary's requests fail; the stable revision's none. */
const FAILING_FIFTH = { kind: 'value', value: 0.2, stable: 0, detail: '12 of 60 requests 5xx; stable 0 of 240 requests 5xx' };

describe('deployment analysis (replayed)', () => {
  it('a healthy release passes the analysis at its canary step and the bake (comparisons with the stable revision only at canary steps), and is promoted', async () => {
    const input = appDeployment(FIXTURE, 'canary-app');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld() });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(stepOutcomes(run.trace)).toMatchObject({ promote: 'succeeded', bake: 'succeeded' });
    expect(analysisVerdicts(run.trace)).toEqual(['20 % error-rate successful', '20 % vs-stable successful', 'bake error-rate successful']);
    expect(weightsGivenTo(run.trace, revision)).toEqual([20, 100]);
    // The bake measures every 4 s for its 8 s: two measurements, each with its own id (a retried activity keeps it).
    const bakeStep = 10;
    const bake = run.trace.inputsOf(A.measureAnalysis).filter((m) => m.measurementId.startsWith(`${input.deploymentId}-${bakeStep}-`));
    expect(bake.map((m) => m.measurementId)).toEqual([`${input.deploymentId}-${bakeStep}-error-rate-1`, `${input.deploymentId}-${bakeStep}-error-rate-2`]);
    // Comparisons read the stable revision the canary runs beside.
    expect(run.trace.inputsOf(A.measureAnalysis).find((m) => m.check.name === 'vs-stable')).toMatchObject({ revisionName: revision, stableRevisionName: stableRevisionOf('canary-app') });
  });

  it('a release failing a fifth of its requests is rolled back at its canary step: it never gets more than the canary weight', async () => {
    const input = appDeployment(FIXTURE, 'canary-app');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld({ [A.measureAnalysis]: () => FAILING_FIFTH }) });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', promote: 'failed', rollback: 'succeeded' });
    expect(stepOutcomes(run.trace)).not.toHaveProperty('bake');
    expect(finalRecord(run.trace).reason).toMatch(/^analysis failed \(20 %\): (error-rate|vs-stable): 1 of 1 measurements failed/);
    expect(finalRecord(run.trace).reason).toMatch(/does not meet successCondition "value <= (0\.05|stable \+ 0\.02)"/);
    expect(weightsGivenTo(run.trace, revision)).toEqual([20]);
    expect(trafficRequests(run.trace).at(-1)).toEqual([{ revisionName: stableRevisionOf('canary-app'), weight: 100 }]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:failed`]);
    expect(run.trace.inputsOf(A.notifyDeployment).at(-1)).toMatchObject({ event: 'rolled-back', reason: expect.stringMatching(/analysis failed/) });
  });

  it('a comparative check alone: the canary\'s 5xx rate against the stable revision\'s in the same window fails it', async () => {
    const input = appDeployment(FIXTURE, 'compare-app');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld({ [A.measureAnalysis]: () => FAILING_FIFTH }) });
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(finalRecord(run.trace).reason).toMatch(/^analysis failed \(20 %\): vs-stable: 1 of 1 measurements failed .*\(stable 0\).*does not meet successCondition "value <= stable \+ 0.02"/);
    expect(weightsGivenTo(run.trace, newRevisionOf(run.trace)!)).toEqual([20]);
  });

  it('a release promoted by blue-green that fails during the bake is rolled back to the revision kept active', async () => {
    const input = appDeployment(FIXTURE, 'bake-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.measureAnalysis]: (m) => (m.measurementId.endsWith('-2') ? FAILING_FIFTH : { kind: 'value', value: 0 }) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', promote: 'succeeded', bake: 'failed', rollback: 'succeeded' });
    expect(finalRecord(run.trace).reason).toMatch(/^analysis failed \(bake\): error-rate/);
    expect(analysisVerdicts(run.trace)).toEqual(['bake error-rate failed']);
    // Promoted, then all traffic back on the previous revision, kept active through the bake.
    expect(trafficRequests(run.trace)).toEqual([[{ revisionName: revision, weight: 100 }], [{ revisionName: stableRevisionOf('bake-app'), weight: 100 }]]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:failed`]);
  });

  it('too little traffic is inconclusive: with `pause` a person is asked and approves, and the release is promoted', async () => {
    const input = appDeployment(FIXTURE, 'quiet-pause-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.measureAnalysis]: () => ({ kind: 'no-data', reason: '2 requests, fewer than minRequests 5' }) }),
      events: [{ name: ApprovalEventName, data: { approved: true, by: 'key:local-operator-key' }, when: (t) => t.ran(A.notifyDeployment, (n) => n.event === 'awaiting-approval') }],
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(analysisVerdicts(run.trace)).toEqual(['20 % error-rate inconclusive']);
    expect(run.trace.inputsOf(A.notifyDeployment).find((n) => n.event === 'awaiting-approval').reason).toMatch(/^analysis inconclusive \(20 %\): error-rate: .*fewer than minRequests 5/);
    expect(run.trace.inputsOf(A.recordDeployment).filter((r) => r.step?.name === 'approval').map((r) => r.step.outcome)).toEqual(['running', 'succeeded']);
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.name === 'approval' && r.step.outcome === 'succeeded').step.detail).toBe('approved by key:local-operator-key');
  });

  it('too little traffic is inconclusive: with `fail` it rolls back', async () => {
    const input = appDeployment(FIXTURE, 'quiet-fail-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.measureAnalysis]: () => ({ kind: 'no-data', reason: '2 requests, fewer than minRequests 5' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(finalRecord(run.trace).reason).toMatch(/^analysis inconclusive \(20 %\): error-rate: 1 of 1 measurements inconclusive .*\(analysis\.inconclusive: fail\)/);
    expect(weightsGivenTo(run.trace, newRevisionOf(run.trace)!)).toEqual([20]);
    expect(run.trace.ran(A.notifyDeployment, (n) => n.event === 'awaiting-approval')).toBe(false);
  });

  it('a background check is measured every interval for the whole canary, beside its steps, and passes a healthy release', async () => {
    const input = appDeployment(PROVIDERS, 'background-app');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld() });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(weightsGivenTo(run.trace, revision)).toEqual([20, 50, 100]);
    expect(analysisVerdicts(run.trace)).toEqual(['background errors-throughout successful']);
    // Every 2 s from the first weight until promotion (two steps of 8 s), none after; each of the new revision.
    const routed = run.trace.activities(A.routeTraffic).map((r) => Date.parse(r.at));
    const [firstWeight, promoted] = [routed[0], routed.at(-1)!];
    const measured = run.trace.activities(A.measureAnalysis);
    expect(measured.map((m) => Date.parse(m.at))).toEqual(Array.from({ length: (promoted - firstWeight) / 2_000 }, (_, i) => firstWeight + 2_000 * (i + 1)));
    expect(measured).toHaveLength(8);
    expect(new Set(measured.map((m) => m.input.revisionName))).toEqual(new Set([revision]));
  });

  it('a failing background check aborts the canary during its first step, before the next weight, and rolls back', async () => {
    const input = appDeployment(PROVIDERS, 'background-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.measureAnalysis]: (m) => (m.measurementId.endsWith('-2') ? FAILING_FIFTH : { kind: 'value', value: 0 }) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', promote: 'failed', rollback: 'succeeded' });
    expect(finalRecord(run.trace).reason).toMatch(/^background analysis failed: errors-throughout: 1 of 2 measurements failed .*does not meet successCondition "value <= 0.05"/);
    expect(analysisVerdicts(run.trace)).toEqual(['background errors-throughout failed']);
    // The second measurement failed 4 s into the first step's 8 s: no next weight, no further measurement.
    expect(weightsGivenTo(run.trace, revision)).toEqual([20]);
    expect(run.trace.activities(A.measureAnalysis)).toHaveLength(2);
    expect(trafficRequests(run.trace).at(-1)).toEqual([{ revisionName: stableRevisionOf('background-app'), weight: 100 }]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:failed`]);
  });
});
