// The health-wait after a deploy, one tick at a time (flagger's deployment_ready, with the time
// passed in). The orchestrator reads the platform and the endpoint in an activity, calls this with
// `context.df.currentUtcDateTime`, keeps `nextState`, and sleeps on a durable timer when `waiting`.
//
// Each tick is classified, then counted:
//   terminal platform state (provisioning Failed, running Failed/Stopped, inactive) → failed at once
//   platform state outside the known values                                          → unknown at once
//   platform starting (Provisioning, Processing, Activating), or reporting Unknown   → retriable: counts
//       as neither success nor failure, and breaks a run of successes. A slow start (an AI app that
//       loads models for ~2 min behind a startup probe) is therefore never a failure while the
//       platform still says it is starting; failures count only once the platform says Running.
//   platform unhealthy but not terminal (Degraded, health Unhealthy)                  → failure
//   platform healthy, then the endpoint decides:
//       healthy → success; degraded → success if the policy accepts degraded, else failure;
//       unhealthy or unknown → failure;
//       unreachable → failure for external ingress; for internal or no ingress the FQDN is usually not
//         reachable from Harbormaster, so the platform's word is the evidence → success;
//         for an app scaled to zero (idle) it is a cold start → retriable.
//       no endpoint read → success by platform for internal/no ingress; retriable for external.
// successThreshold successes in a row → passed; failureThreshold failures in a row → failed.
// Otherwise, once `deadlineSeconds` since `startedAt` have passed → failed ("deadline passed").
// The tick is judged before the deadline, so an observation made at the deadline still counts.
import type { HealthObservation } from './healthObservation';
import type { PlatformJudgement } from './judgePlatform';

/**
 * - `passed`: the revision proved healthy; promote.
 * - `failed`: it proved unhealthy, hit a terminal platform state, or the deadline passed; roll back.
 * - `unknown`: the platform reported a state we cannot read; the wait ends rather than spin.
 *   Callers treat it like `failed` for traffic, and show `unknown` with its reason.
 * - `waiting`: check again after the interval.
 */
export type HealthWaitVerdict = 'passed' | 'failed' | 'unknown' | 'waiting';

export type IngressKind = 'external' | 'internal' | 'none';

export interface HealthWaitState {
  /** ISO-8601 time the wait began. */
  startedAt: string;
  consecutiveSuccesses: number;
  consecutiveFailures: number;
  lastObservation?: HealthObservation;
  platform?: PlatformJudgement;
}

export interface HealthWaitObservation {
  platform: PlatformJudgement;
  /** Absent when the endpoint was not read (no ingress, or not reachable from here). */
  endpoint?: HealthObservation;
}

export interface HealthWaitPolicy {
  successThreshold: number;
  failureThreshold: number;
  deadlineSeconds: number;
  degradedIsHealthy: boolean;
  ingress: IngressKind;
  scaleToZero: boolean;
}

export interface HealthWaitJudgement {
  verdict: HealthWaitVerdict;
  terminal: boolean;
  reason: string;
  nextState: HealthWaitState;
}

/** A fresh state for a wait starting at `now`. */
export function startHealthWait(now: Date): HealthWaitState {
  return { startedAt: now.toISOString(), consecutiveSuccesses: 0, consecutiveFailures: 0 };
}

type Tick =
  | { kind: 'success'; reason: string }
  | { kind: 'failure'; reason: string }
  | { kind: 'retriable'; reason: string }
  | { kind: 'end'; verdict: 'failed' | 'unknown'; reason: string };

export function judgeHealthWait(state: HealthWaitState, observation: HealthWaitObservation, policy: HealthWaitPolicy, now: Date): HealthWaitJudgement {
  const startedAtMs = Date.parse(state.startedAt);
  if (!Number.isFinite(startedAtMs)) throw new RangeError(`judgeHealthWait: startedAt is not a date: ${JSON.stringify(state.startedAt)}`);
  const tick = classifyTick(observation, policy);
  const counted = count(state, tick);
  const nextState: HealthWaitState = {
    startedAt: state.startedAt,
    consecutiveSuccesses: counted.successes,
    consecutiveFailures: counted.failures,
    platform: observation.platform,
    ...(observation.endpoint ? { lastObservation: observation.endpoint } : state.lastObservation ? { lastObservation: state.lastObservation } : {}),
  };
  const elapsedSeconds = Math.max(0, Math.floor((now.getTime() - startedAtMs) / 1000));

  if (tick.kind === 'end') return { verdict: tick.verdict, terminal: true, reason: tick.reason, nextState };
  if (counted.successes >= policy.successThreshold) {
    return { verdict: 'passed', terminal: true, reason: `${counted.successes} consecutive healthy checks after ${elapsedSeconds} s: ${tick.reason}`, nextState };
  }
  if (counted.failures >= policy.failureThreshold) {
    return { verdict: 'failed', terminal: true, reason: `${counted.failures} consecutive failed checks: ${tick.reason}`, nextState };
  }
  if (now.getTime() - startedAtMs >= policy.deadlineSeconds * 1000) {
    return { verdict: 'failed', terminal: true, reason: `deadline of ${policy.deadlineSeconds} s passed after ${elapsedSeconds} s; last check: ${tick.reason}`, nextState };
  }
  const progress = `${counted.successes}/${policy.successThreshold} healthy, ${counted.failures}/${policy.failureThreshold} failed`;
  return { verdict: 'waiting', terminal: false, reason: `${progress}: ${tick.reason}`, nextState };
}

function classifyTick(observation: HealthWaitObservation, policy: HealthWaitPolicy): Tick {
  const { platform, endpoint } = observation;
  switch (platform.outcome) {
    case 'unknown':
      return platform.terminal ? { kind: 'end', verdict: 'unknown', reason: `platform: ${platform.reason}` } : { kind: 'retriable', reason: `platform: ${platform.reason}` };
    case 'unhealthy':
      return platform.terminal ? { kind: 'end', verdict: 'failed', reason: `platform: ${platform.reason}` } : { kind: 'failure', reason: `platform: ${platform.reason}` };
    case 'starting':
      return { kind: 'retriable', reason: `platform: ${platform.reason}` };
    case 'healthy':
      return classifyEndpoint(platform, endpoint, policy);
  }
}

function classifyEndpoint(platform: PlatformJudgement, endpoint: HealthObservation | undefined, policy: HealthWaitPolicy): Tick {
  const judgedByPlatform = policy.ingress !== 'external';
  if (endpoint === undefined) {
    return judgedByPlatform
      ? { kind: 'success', reason: `platform: ${platform.reason}; ${policy.ingress} ingress, judged by platform state` }
      : { kind: 'retriable', reason: `platform: ${platform.reason}; the endpoint was not read` };
  }
  const said = `endpoint: ${endpoint.reason}`;
  switch (endpoint.outcome) {
    case 'healthy':
      return { kind: 'success', reason: said };
    case 'degraded':
      return policy.degradedIsHealthy ? { kind: 'success', reason: `${said} (degraded accepted)` } : { kind: 'failure', reason: said };
    case 'unhealthy':
    case 'unknown':
      return { kind: 'failure', reason: said };
    case 'unreachable':
      if (platform.idle && policy.scaleToZero) return { kind: 'retriable', reason: `${said}; scaled to zero, waking` };
      if (judgedByPlatform) return { kind: 'success', reason: `platform: ${platform.reason}; ${said} (${policy.ingress} ingress, judged by platform state)` };
      return { kind: 'failure', reason: said };
  }
}

function count(state: HealthWaitState, tick: Tick): { successes: number; failures: number } {
  switch (tick.kind) {
    case 'success':
      return { successes: state.consecutiveSuccesses + 1, failures: 0 };
    case 'failure':
      return { successes: 0, failures: state.consecutiveFailures + 1 };
    case 'retriable':
    case 'end':
      // Not evidence either way: a run of successes must be unbroken, and failures are not reset.
      return { successes: 0, failures: state.consecutiveFailures };
  }
}
