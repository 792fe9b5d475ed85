/**
 * Hooks as rollout steps, replayed: a pre-traffic hook (a job run watched on durable timers and
 * stopped at its timeout, or one HTTP call) runs at 0 % and a failure rolls back before any
 * traffic; a post-promotion hook is told and never rolls back; on-rollback hooks run after traffic
 * is restored, with the reason. The hooks' wire behaviour (signatures, Retry-After, the job's
 * requests) is the activities' (test/hooks/httpHook, test/scenarios/hookPaths).
 */
import { ActivityNames as A, OrchestratorNames } from '../../src/domain/deployment';
import { hookSuiteApps } from '../fixtures/hookSuiteApps';
import { appDeployment, configOf } from './replay/deploymentInputs';
import { finalRecord, newRevisionOf, settledVerdicts, stepOutcomes, weightsGivenTo } from './replay/deploymentTrace';
import { healthyWorld, stableRevisionOf } from './replay/healthyWorld';
import { replayOrchestration } from './replay/replayHarness';

// The hook suite's configuration, with its receiver's address made up.
const HOOKS = configOf({ apps: hookSuiteApps('http://hooks.example.test') });

const hookCalls = (trace: Parameters<typeof stepOutcomes>[0], hook: string) => trace.inputsOf(A.callHook).filter((c) => c.hook.name === hook);

describe('deployment hooks (replayed)', () => {
  it('a passing pre-traffic smoke test lets the release through at 0 % first; the post-promotion hook is told once it serves', async () => {
    const input = appDeployment(HOOKS, 'smoke-app');
    let polls = 0;
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.getMigrationStatus]: () => (++polls < 3 ? { status: 'Running' } : { status: 'Succeeded' }) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    const steps = run.trace.inputsOf(A.recordDeployment).filter((r) => r.step?.outcome === 'succeeded');
    expect(steps.find((r) => r.step.name === 'pre-traffic').step.detail).toBe('pre-traffic hook smoke: execution smoke-app-smoke-exec1 Succeeded (exit 0); logs: https://portal.example.test/smoke-app-smoke');
    expect(steps.find((r) => r.step.name === 'post-promotion').step.detail).toBe('post-promotion hook tell-qa: POST hooks.example.test answered 200');
    // The job ran the new image, for the new revision; the HTTP hook got the event of the promoted release.
    expect(run.trace.inputsOf(A.startHookJob)).toEqual([expect.objectContaining({ image: expect.stringContaining(input.image.digest), event: expect.objectContaining({ phase: 'pre-traffic', revision, revisionFqdn: `${revision}.example.test` }) })]);
    expect(hookCalls(run.trace, 'tell-qa')).toEqual([{ hook: expect.objectContaining({ name: 'tell-qa' }), event: expect.objectContaining({ app: 'smoke-app', phase: 'post-promotion', hook: 'tell-qa', revision, release: { tag: 'main-2', digest: input.image.digest, image: expect.any(String) } }) }]);
    const at = (name: string) => run.trace.indexOf((e) => e.kind === 'activity' && e.name === name);
    expect(at(A.startHookJob)).toBeLessThan(at(A.routeTraffic));
    expect(at(A.routeTraffic)).toBeLessThan(at(A.callHook));
  });

  it('a failing pre-traffic smoke test rolls the release back before any traffic; the on-rollback hook is told why, after traffic is back', async () => {
    const input = appDeployment(HOOKS, 'smoke-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.getMigrationStatus]: () => ({ status: 'Failed', reason: 'BackoffLimitExceeded' }) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'health-wait': 'succeeded', 'pre-traffic': 'failed', rollback: 'succeeded', 'on-rollback': 'succeeded' });
    expect(stepOutcomes(run.trace)).not.toHaveProperty('promote');
    expect(finalRecord(run.trace).reason).toBe('pre-traffic hook smoke failed: execution smoke-app-smoke-exec1 Failed: BackoffLimitExceeded; logs: https://portal.example.test/smoke-app-smoke');
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:failed`]);
    expect(hookCalls(run.trace, 'page')).toEqual([
      { hook: expect.objectContaining({ name: 'page' }), event: expect.objectContaining({ phase: 'on-rollback', hook: 'page', revision, previousRevision: stableRevisionOf('smoke-app'), reason: expect.stringMatching(/^pre-traffic hook smoke failed/) }) },
    ]);
    const restored = run.trace.indexOf((e) => e.kind === 'activity' && e.name === A.routeTraffic);
    expect(run.trace.indexOf((e) => e.kind === 'activity' && e.name === A.callHook)).toBeGreaterThan(restored);
  });

  it('a pre-traffic smoke test still running at its timeoutSeconds is stopped, and the release rolls back before any traffic', async () => {
    const input = appDeployment(HOOKS, 'smoke-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.getMigrationStatus]: () => ({ status: 'Running' }) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(finalRecord(run.trace).reason).toBe('pre-traffic hook smoke failed: execution smoke-app-smoke-exec1 did not finish within 60 s; stopped (Stopped); logs: https://portal.example.test/smoke-app-smoke');
    // Watched on durable timers up to the hook's 60 s, then stopped once: the deadline is the hook's, not the job's own.
    const started = Date.parse(run.trace.activities(A.startHookJob)[0].at);
    const stopped = run.trace.activities(A.stopMigration);
    expect(stopped).toEqual([expect.objectContaining({ input: expect.objectContaining({ jobName: 'smoke-app-smoke', executionName: 'smoke-app-smoke-exec1' }) })]);
    expect(Date.parse(stopped[0].at) - started).toBeGreaterThanOrEqual(60_000);
    expect(Date.parse(stopped[0].at) - started).toBeLessThan(65_000);
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:failed`]);
  });

  it('an HTTP pre-traffic hook that keeps failing rolls back with the hook\'s own account of its tries', async () => {
    const input = appDeployment(HOOKS, 'gate-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.callHook]: () => ({ ok: false, reason: 'POST hooks.example.test answered 500 (3 of 3 tries)' }) }),
    });
    const revision = newRevisionOf(run.trace)!;
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(finalRecord(run.trace).reason).toBe('pre-traffic hook gate failed: POST hooks.example.test answered 500 (3 of 3 tries)');
    // One activity call: the tries are the activity's (within the hook's own budget), not durable retries.
    expect(run.trace.activities(A.callHook)).toHaveLength(1);
    expect(run.trace.inputsOf(A.callHook)[0].event).toMatchObject({ phase: 'pre-traffic', revisionFqdn: `${revision}.example.test` });
    expect(weightsGivenTo(run.trace, revision)).toEqual([]);
    expect(settledVerdicts(run.trace)).toEqual([`${revision}:failed`]);
  });

  it('a post-promotion hook that fails is recorded and does not roll back the promoted release', async () => {
    const input = appDeployment(HOOKS, 'smoke-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.callHook]: () => ({ ok: false, reason: 'POST hooks.example.test answered 502 (2 of 2 tries)' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'succeeded' });
    expect(stepOutcomes(run.trace)).toMatchObject({ 'post-promotion': 'succeeded' });
    expect(run.trace.inputsOf(A.recordDeployment).find((r) => r.step?.name === 'post-promotion' && r.step.outcome === 'succeeded').step.detail).toMatch(/FAILED: POST hooks.example.test answered 502 .*\(a post-promotion hook does not roll back a promoted release\)$/);
    expect(run.trace.ran(A.deactivateRevision)).toBe(false);
  });
});
