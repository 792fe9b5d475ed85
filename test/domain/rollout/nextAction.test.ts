import { compileRollout, compileRolloutTail, nextAction, opensPromotion, phaseOf, recordNameOf, startRollout, type RolloutEvent, type RolloutState, type RolloutStep } from '../../../src/domain/rollout';

const blueGreen = { strategy: { kind: 'blue-green' as const }, approval: { required: false, timeoutMinutes: 60 } };
const canary = { strategy: { kind: 'canary' as const, steps: [10, 50, 100], stepWaitSeconds: 5 }, approval: { required: true, timeoutMinutes: 30 } };

/** Drives the decisions through a list of events; returns the actions' kinds and the last state. */
function drive(events: RolloutEvent[], tail: RolloutStep[] = compileRolloutTail(blueGreen, 'Multiple')): { actions: string[]; state: RolloutState } {
  let state = startRollout();
  const actions: string[] = [];
  for (const event of events) {
    const withTail = event.kind === 'stepSucceeded' && state.steps[state.index]?.kind === 'deploy' ? { ...event, tail } : event;
    const next = nextAction(state, withTail);
    state = next.state;
    const action = next.action;
    actions.push(action.kind === 'run' ? `run ${action.step.kind}` : action.kind === 'complete' ? 'complete' : `${action.kind} ${action.phase}: ${action.reason}`);
  }
  return { actions, state };
}

const ok: RolloutEvent = { kind: 'stepSucceeded' };

describe('compiling a strategy into steps', () => {
  it.each([
    ['direct, Multiple', { strategy: { kind: 'direct' as const }, approval: { required: false, timeoutMinutes: 1 } }, 'Multiple' as const, ['healthGate', 'setWeight 100']],
    ['blue-green', blueGreen, 'Multiple' as const, ['healthGate', 'setWeight 100']],
    ['canary with approval', canary, 'Multiple' as const, ['healthGate', 'approval', 'setWeight 10', 'pause 5', 'healthGate', 'setWeight 50', 'pause 5', 'healthGate', 'setWeight 100']],
    ['canary on a single-revision app: no weights to split', canary, 'Single' as const, ['healthGate', 'approval', 'setWeight 100']],
  ])('%s', (_name, policy, mode, expected) => {
    const steps = compileRolloutTail(policy, mode).map((s) => (s.kind === 'setWeight' ? `setWeight ${s.weight}` : s.kind === 'pause' ? `pause ${s.seconds}` : s.kind));
    expect(steps).toEqual(expected);
  });

  const checks = [{ name: 'error-rate' }];
  it.each([
    ['canary with analysis and a bake', { ...canary, analysis: { checks, canarySteps: true, bakeSeconds: 60 } }, 'Multiple' as const,
      ['healthGate', 'approval', 'setWeight 10', 'pause 5', 'analysis 10', 'healthGate', 'setWeight 50', 'pause 5', 'analysis 50', 'healthGate', 'setWeight 100', 'bake 60']],
    ['canary with analysis at its steps only', { ...canary, analysis: { checks, canarySteps: true, bakeSeconds: 0 } }, 'Multiple' as const,
      ['healthGate', 'approval', 'setWeight 10', 'pause 5', 'analysis 10', 'healthGate', 'setWeight 50', 'pause 5', 'analysis 50', 'healthGate', 'setWeight 100']],
    ['blue-green with a bake', { ...blueGreen, analysis: { checks, canarySteps: true, bakeSeconds: 120 } }, 'Multiple' as const, ['healthGate', 'setWeight 100', 'bake 120']],
    ['analysis without checks compiles to what the app had without analysis', { ...canary, analysis: { checks: [], canarySteps: true, bakeSeconds: 60 } }, 'Multiple' as const,
      ['healthGate', 'approval', 'setWeight 10', 'pause 5', 'healthGate', 'setWeight 50', 'pause 5', 'healthGate', 'setWeight 100']],
  ])('%s', (_name, policy, mode, expected) => {
    const steps = compileRolloutTail(policy, mode).map((s) =>
      s.kind === 'setWeight' ? `setWeight ${s.weight}` : s.kind === 'pause' ? `pause ${s.seconds}` : s.kind === 'analysis' ? `analysis ${s.weight}` : s.kind === 'bake' ? `bake ${s.seconds}` : s.kind,
    );
    expect(steps).toEqual(expected);
  });

  it('a failed analysis takes the one way back, and the bake is its own record', () => {
    const tail = compileRolloutTail({ ...blueGreen, analysis: { checks, canarySteps: true, bakeSeconds: 60 } }, 'Multiple');
    const { actions, state } = drive([{ kind: 'begin' }, ok, ok, ok, ok, ok, ok, { kind: 'stepFailed', reason: 'analysis failed (bake): 5xx-rate 0.2' }], tail);
    expect(actions.slice(-2)).toEqual(['run bake', 'rollBack rolled-back: analysis failed (bake): 5xx-rate 0.2']);
    expect(recordNameOf(state, state.index)).toBe('bake');
    expect(phaseOf(state, state.index)).toBe('promoting');
  });

  const hooks = [
    { name: 'smoke', phase: 'pre-traffic' as const },
    { name: 'tell-qa', phase: 'post-promotion' as const },
    { name: 'page', phase: 'on-rollback' as const },
  ];
  const named = (s: RolloutStep): string => (s.kind === 'setWeight' ? `setWeight ${s.weight}` : s.kind === 'pause' ? `pause ${s.seconds}` : s.kind === 'hook' ? `${s.phase} ${s.hook}` : s.kind === 'bake' ? `bake ${s.seconds}` : s.kind);
  it.each([
    ['canary with hooks: pre-traffic once healthy and before approval and any weight; post-promotion after the bake; on-rollback is no step', { ...canary, hooks, analysis: { checks, canarySteps: false, bakeSeconds: 60 } }, 'Multiple' as const,
      ['healthGate', 'pre-traffic smoke', 'approval', 'setWeight 10', 'pause 5', 'healthGate', 'setWeight 50', 'pause 5', 'healthGate', 'setWeight 100', 'bake 60', 'post-promotion tell-qa']],
    ['blue-green with a pre-traffic hook', { ...blueGreen, hooks: hooks.slice(0, 1) }, 'Multiple' as const, ['healthGate', 'pre-traffic smoke', 'setWeight 100']],
  ])('%s', (_name, policy, mode, expected) => {
    expect(compileRolloutTail(policy, mode).map(named)).toEqual(expected);
  });

  it.each([
    ['direct', { strategy: { kind: 'direct' as const }, approval: { required: false, timeoutMinutes: 1 } }],
    ['blue-green', blueGreen],
    ['canary with approval', canary],
    ['canary with analysis and a bake', { ...canary, analysis: { checks, canarySteps: true, bakeSeconds: 60 } }],
  ])('%s without hooks (absent or empty) compiles to exactly the steps it had before hooks existed', (_name, policy) => {
    for (const mode of ['Single', 'Multiple'] as const) {
      expect(compileRolloutTail({ ...policy, hooks: [] }, mode)).toEqual(compileRolloutTail(policy, mode));
      expect(compileRolloutTail(policy, mode).some((s) => s.kind === 'hook')).toBe(false);
    }
  });

  it('a failed pre-traffic hook takes the one way back before any weight, recorded as its own step', () => {
    const tail = compileRolloutTail({ ...blueGreen, hooks }, 'Multiple');
    const { actions, state } = drive([{ kind: 'begin' }, ok, ok, ok, ok, ok, { kind: 'stepFailed', reason: 'pre-traffic hook smoke failed: exit 1' }], tail);
    expect(actions.slice(-2)).toEqual(['run hook', 'rollBack rolled-back: pre-traffic hook smoke failed: exit 1']);
    expect(recordNameOf(state, state.index)).toBe('pre-traffic');
    expect(phaseOf(state, state.index)).toBe('health-waiting');
    expect(state.steps.slice(0, state.index).some((s) => s.kind === 'setWeight')).toBe(false);
  });

  it('always starts with verify, backup, migrate, deploy', () => {
    expect(compileRollout(blueGreen, 'Multiple').slice(0, 4).map((s) => s.kind)).toEqual(['verify', 'backup', 'migrate', 'deploy']);
  });
});

describe('nextAction: one decision function, one way back', () => {
  it('runs every step in order and completes', () => {
    const { actions } = drive([{ kind: 'begin' }, ok, ok, ok, ok, ok, ok]);
    expect(actions).toEqual(['run verify', 'run backup', 'run migrate', 'run deploy', 'run healthGate', 'run setWeight', 'complete']);
  });

  it('stops without undoing anything when a step before deploy fails', () => {
    const { actions } = drive([{ kind: 'begin' }, ok, ok, { kind: 'stepFailed', reason: 'migration failed' }]);
    expect(actions.at(-1)).toBe('stop failed: migration failed');
  });

  it('rolls back once the deploy step has changed the world', () => {
    const { actions } = drive([{ kind: 'begin' }, ok, ok, ok, ok, { kind: 'stepFailed', reason: '3 failed checks' }]);
    expect(actions.at(-1)).toBe('rollBack rolled-back: 3 failed checks');
  });

  it('rolls back a deploy step that failed after its revision was created (the answer was lost, the revision may serve)', () => {
    const lost = drive([{ kind: 'begin' }, ok, ok, ok, { kind: 'stepFailed', reason: 'ARM 404 reading the new revision', deployed: true }]);
    expect(lost.actions.at(-1)).toBe('rollBack rolled-back: ARM 404 reading the new revision');
    // A deploy that failed before creating anything stops: there is nothing to undo.
    expect(drive([{ kind: 'begin' }, ok, ok, ok, { kind: 'stepFailed', reason: 'ARM 403' }]).actions.at(-1)).toBe('stop failed: ARM 403');
  });

  it('a rejection at the approval gate is rolled back as rejected', () => {
    const { actions } = drive([{ kind: 'begin' }, ok, ok, ok, ok, ok, { kind: 'stepFailed', reason: 'rejected by ops', rejected: true }], compileRolloutTail(canary, 'Multiple'));
    expect(actions.at(-1)).toBe('rollBack rejected: rejected by ops');
  });

  it('an abort (a manual rollback) takes the same way back as a failed check', () => {
    expect(drive([{ kind: 'begin' }, ok, ok, ok, ok, { kind: 'aborted', reason: 'customers report 500s' }]).actions.at(-1)).toBe('rollBack rolled-back: aborted: customers report 500s');
    expect(drive([{ kind: 'begin' }, ok, { kind: 'aborted', reason: 'wrong build' }]).actions.at(-1)).toBe('stop failed: aborted: wrong build');
  });

  it('names phases and record steps as the API always has', () => {
    const { state } = drive([{ kind: 'begin' }, ok, ok, ok, ok], compileRolloutTail(canary, 'Multiple'));
    const names = state.steps.map((_s, i) => recordNameOf(state, i));
    expect(names).toEqual(['verify', 'backup', 'migration', 'deploy', 'health-wait', 'approval', 'promote', 'promote', 'promote', 'promote', 'promote', 'promote', 'promote']);
    expect(state.steps.map((_s, i) => phaseOf(state, i))).toEqual([
      'verifying', 'backing-up', 'migrating', 'deploying', 'health-waiting', 'awaiting-approval', 'promoting', 'promoting', 'promoting', 'promoting', 'promoting', 'promoting', 'promoting',
    ]);
    expect(state.steps.map((_s, i) => opensPromotion(state, i)).indexOf(true)).toBe(6);
  });
});
