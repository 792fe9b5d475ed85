import {
  judgeHealthWait,
  judgePlatform,
  parseHealthResponse,
  startHealthWait,
  type HealthObservation,
  type HealthWaitObservation,
  type HealthWaitPolicy,
  type HealthWaitState,
  type HealthWaitVerdict,
  type PlatformJudgement,
} from '../../../src/domain/health';

const T0 = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

const external: HealthWaitPolicy = { successThreshold: 3, failureThreshold: 3, deadlineSeconds: 600, degradedIsHealthy: false, ingress: 'external', scaleToZero: false };

const running = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Running', healthState: 'Healthy', replicas: 1 }, { scaleToZero: false });
const activating = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Activating', replicas: 0 }, { scaleToZero: false });
const idle = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Running', replicas: 0 }, { scaleToZero: true });
const provisioningFailed = judgePlatform({ provisioningState: 'Failed', provisioningError: 'bad image' }, { scaleToZero: false });
const degradedPlatform = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Degraded', replicas: 1 }, { scaleToZero: false });
const alien = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Hibernating' }, { scaleToZero: false });
const platformUnknown = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Unknown' }, { scaleToZero: false });

const ok = parseHealthResponse({ status: 200, body: '{"status":"ok"}' }, { degradedIsHealthy: false });
const degraded = parseHealthResponse({ status: 200, body: '{"status":"degraded","ai_service":"down"}' }, { degradedIsHealthy: false });
const unhealthy503 = parseHealthResponse({ status: 503, body: '{"status":"unhealthy"}' }, { degradedIsHealthy: false });
const refused = parseHealthResponse({ status: undefined, body: undefined, error: 'connection-refused' }, { degradedIsHealthy: false });
const garbage = parseHealthResponse({ status: 200, body: '<<garbage' }, { degradedIsHealthy: false });
const nothing = parseHealthResponse({ status: undefined, body: undefined }, { degradedIsHealthy: false });

function obs(platform: PlatformJudgement, endpoint?: HealthObservation): HealthWaitObservation {
  return endpoint ? { platform, endpoint } : { platform };
}

function state(successes: number, failures: number): HealthWaitState {
  return { ...startHealthWait(T0), consecutiveSuccesses: successes, consecutiveFailures: failures };
}

describe('judgeHealthWait: one tick, by rule', () => {
  it.each<[string, HealthWaitState, HealthWaitObservation, HealthWaitPolicy, HealthWaitVerdict, boolean, number, number]>([
    // rule, state before, observation, policy, verdict, terminal, successes after, failures after
    ['a healthy tick counts a success', state(0, 0), obs(running, ok), external, 'waiting', false, 1, 0],
    ['the Nth healthy tick in a row passes', state(2, 0), obs(running, ok), external, 'passed', true, 3, 0],
    ['a success resets the failure run', state(0, 2), obs(running, ok), external, 'waiting', false, 1, 0],
    ['a 503 counts a failure and resets the success run', state(2, 0), obs(running, unhealthy503), external, 'waiting', false, 0, 1],
    ['the Mth failure in a row fails', state(0, 2), obs(running, unhealthy503), external, 'failed', true, 0, 3],
    ['degraded counts a failure when the policy refuses it', state(0, 0), obs(running, degraded), external, 'waiting', false, 0, 1],
    ['degraded counts a success when the policy accepts it', state(0, 0), obs(running, degraded), { ...external, degradedIsHealthy: true }, 'waiting', false, 1, 0],
    ['garbage with 200 is a success by status', state(2, 0), obs(running, garbage), external, 'passed', true, 3, 0],
    ['an unknown endpoint answer counts a failure', state(0, 0), obs(running, nothing), external, 'waiting', false, 0, 1],
    ['connection refused while the platform says Activating is retriable, not a failure', state(0, 2), obs(activating, refused), external, 'waiting', false, 0, 2],
    ['still starting breaks a run of successes', state(2, 0), obs(activating, refused), external, 'waiting', false, 0, 0],
    ['connection refused while the platform says Running is a failure (external ingress)', state(0, 0), obs(running, refused), external, 'waiting', false, 0, 1],
    ['an internal app unreachable from here is judged by platform state', state(0, 0), obs(running, refused), { ...external, ingress: 'internal' }, 'waiting', false, 1, 0],
    ['an app without ingress is judged by platform state', state(2, 0), obs(running), { ...external, ingress: 'none' }, 'passed', true, 3, 0],
    ['an external app whose endpoint was not read is retriable', state(1, 1), obs(running), external, 'waiting', false, 0, 1],
    ['a scaled-to-zero app that does not answer yet is waking, not failing', state(0, 1), obs(idle, refused), { ...external, scaleToZero: true }, 'waiting', false, 0, 1],
    ['a degraded platform counts a failure', state(0, 0), obs(degradedPlatform, ok), external, 'waiting', false, 0, 1],
    ['a terminal platform state fails at once', state(2, 0), obs(provisioningFailed), external, 'failed', true, 0, 0],
    ['a platform state outside the known values ends as unknown', state(0, 0), obs(alien), external, 'unknown', true, 0, 0],
    ['the platform saying Unknown is retriable', state(0, 0), obs(platformUnknown), external, 'waiting', false, 0, 0],
  ])('%s', (_rule, before, observation, policy, verdict, terminal, successes, failures) => {
    const judgement = judgeHealthWait(before, observation, policy, at(30));
    expect(judgement).toMatchObject({ verdict, terminal });
    expect(judgement.nextState).toMatchObject({ consecutiveSuccesses: successes, consecutiveFailures: failures, startedAt: before.startedAt });
  });
});

describe('judgeHealthWait: the deadline', () => {
  it('fails, terminally, once the deadline has passed without a verdict', () => {
    const judgement = judgeHealthWait(state(0, 0), obs(activating, refused), external, at(600));
    expect(judgement).toMatchObject({ verdict: 'failed', terminal: true });
    expect(judgement.reason).toMatch(/^deadline of 600 s passed after 600 s; last check: platform: the revision is starting/);
  });

  it('keeps waiting one second before the deadline', () => {
    expect(judgeHealthWait(state(0, 0), obs(activating, refused), external, at(599)).verdict).toBe('waiting');
  });

  it('lets the tick observed at the deadline still pass', () => {
    expect(judgeHealthWait(state(2, 0), obs(running, ok), external, at(700)).verdict).toBe('passed');
  });

  it('rejects a state whose startedAt is not a date', () => {
    expect(() => judgeHealthWait({ ...state(0, 0), startedAt: 'yesterday' }, obs(running, ok), external, at(1))).toThrow(RangeError);
  });
});

describe('judgeHealthWait: reasons', () => {
  it('names the progress and the last observation while waiting', () => {
    expect(judgeHealthWait(state(0, 0), obs(running, ok), external, at(5)).reason).toBe('1/3 healthy, 0/3 failed: endpoint: HTTP 200, status "ok"');
  });

  it('names the failing answer when it fails', () => {
    expect(judgeHealthWait(state(0, 2), obs(running, unhealthy503), external, at(5)).reason).toBe('3 consecutive failed checks: endpoint: HTTP 503, status "unhealthy"');
  });

  it('keeps the last endpoint observation across ticks that read none', () => {
    const first = judgeHealthWait(state(0, 0), obs(running, ok), external, at(5));
    const second = judgeHealthWait(first.nextState, obs(activating), external, at(10));
    expect(second.nextState.lastObservation).toEqual(ok);
    expect(second.nextState.platform).toEqual(activating);
  });
});

// State machine: tick a scenario the way the orchestrator would (every `interval` seconds),
// and assert the phase after each tick.
function run(policy: HealthWaitPolicy, intervalSeconds: number, ticks: Array<[HealthWaitObservation, HealthWaitVerdict]>): void {
  let current = startHealthWait(T0);
  ticks.forEach(([observation, expected], i) => {
    const judgement = judgeHealthWait(current, observation, policy, at((i + 1) * intervalSeconds));
    expect({ tick: i + 1, verdict: judgement.verdict }).toEqual({ tick: i + 1, verdict: expected });
    expect(judgement.terminal).toBe(expected !== 'waiting');
    current = judgement.nextState;
  });
}

describe('judgeHealthWait: scenarios ticked through', () => {
  it("an AI app: internal, scales to zero, ~2 min cold start, then running: passes without counting the start as failures", () => {
    const ai: HealthWaitPolicy = { successThreshold: 2, failureThreshold: 3, deadlineSeconds: 600, degradedIsHealthy: false, ingress: 'internal', scaleToZero: true };
    const processing = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Processing', replicas: 0 }, { scaleToZero: true });
    const up = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Running', healthState: 'Healthy', replicas: 1 }, { scaleToZero: true });
    const loading: Array<[HealthWaitObservation, HealthWaitVerdict]> = Array.from({ length: 8 }, () => [obs(processing, refused), 'waiting']);
    run(ai, 15, [...loading, [obs(up), 'waiting'], [obs(up), 'passed']]);
  });

  it("a web app: external, reports degraded while the AI starts; accepted as healthy by its policy", () => {
    const web: HealthWaitPolicy = { ...external, successThreshold: 2, degradedIsHealthy: true };
    const degradedAccepted = parseHealthResponse({ status: 200, body: '{"status":"degraded","database":"ok","ai_service":"down"}' }, { degradedIsHealthy: true });
    run(web, 5, [[obs(activating, refused), 'waiting'], [obs(running, degradedAccepted), 'waiting'], [obs(running, ok), 'passed']]);
  });

  it('an image whose health answers 503 is failed after three checks in a row', () => {
    run(external, 5, [[obs(activating, refused), 'waiting'], [obs(running, unhealthy503), 'waiting'], [obs(running, unhealthy503), 'waiting'], [obs(running, unhealthy503), 'failed']]);
  });

  it('flapping never passes: a failure breaks the run of successes', () => {
    run(external, 5, [[obs(running, ok), 'waiting'], [obs(running, ok), 'waiting'], [obs(running, unhealthy503), 'waiting'], [obs(running, ok), 'waiting'], [obs(running, ok), 'waiting'], [obs(running, ok), 'passed']]);
  });

  it('a revision that never leaves Activating fails at the deadline', () => {
    const short = { ...external, deadlineSeconds: 60 };
    run(short, 20, [[obs(activating, refused), 'waiting'], [obs(activating, refused), 'waiting'], [obs(activating, refused), 'failed']]);
  });

  it('a platform state nobody knows ends the wait as unknown instead of spinning', () => {
    run(external, 5, [[obs(activating, refused), 'waiting'], [obs(alien), 'unknown']]);
  });
});
