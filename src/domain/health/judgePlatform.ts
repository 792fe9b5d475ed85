// What Container Apps itself says about a revision, judged. The values are those of the
// Microsoft.App 2026-07-01 API (@azure/arm-appcontainers 4.0.0, KnownRevision*State):
//   provisioningState: Provisioning | Provisioned | Failed | Deprovisioning | Deprovisioned
//   runningState:      Running | Processing | Stopped | Degraded | Failed | Unknown
//   healthState:       Healthy | Unhealthy | None
// plus two running states the portal and users report although the spec enum lacks them:
// `Activating` (a new revision starting; microsoft/azure-container-apps#1217, #1502) and
// `Activation failed` (#1219, "Deployment Progress Deadline Exceeded"). Comparison ignores case,
// spaces and underscores. Any other value is `unknown` and terminal: a wait must not spin forever on
// a state it cannot read.
import { sanitizeExcerpt } from './sanitizeExcerpt';

/**
 * - `healthy`: running and not reported unhealthy (or scaled to zero by design, see `idle`).
 * - `starting`: provisioning, processing or activating: retriable, not a failure.
 * - `unhealthy`: failed, degraded, stopped, removed, or reported unhealthy.
 * - `unknown`: the platform says Unknown (retriable) or a value we do not know (terminal).
 */
export type PlatformOutcome = 'healthy' | 'starting' | 'unhealthy' | 'unknown';

export interface PlatformJudgement {
  outcome: PlatformOutcome;
  /** True when waiting longer cannot change the answer. */
  terminal: boolean;
  reason: string;
  /** Running with zero replicas because the app scales to zero: nothing to probe until it is woken. */
  idle?: boolean;
}

/** The revision fields ARM returns (RevisionProperties), all optional as ARM makes them. */
export interface RevisionStateReading {
  provisioningState?: string;
  runningState?: string;
  healthState?: string;
  replicas?: number;
  active?: boolean;
  /** ARM's `provisioningError`; quoted (sanitized) in the reason when provisioning failed. */
  provisioningError?: string;
}

export interface PlatformJudgeOptions {
  /** The app's minimum replica count is 0, so zero replicas while Running is normal. */
  scaleToZero: boolean;
}


export const KNOWN_PROVISIONING_STATES = ['Provisioning', 'Provisioned', 'Failed', 'Deprovisioning', 'Deprovisioned'] as const;
export const KNOWN_RUNNING_STATES = ['Running', 'Processing', 'Stopped', 'Degraded', 'Failed', 'Unknown', 'Activating', 'ActivationFailed'] as const;
export const KNOWN_HEALTH_STATES = ['Healthy', 'Unhealthy', 'None'] as const;

type Provisioning = (typeof KNOWN_PROVISIONING_STATES)[number];
type Running = (typeof KNOWN_RUNNING_STATES)[number];
type Health = (typeof KNOWN_HEALTH_STATES)[number];

export function judgePlatform(revision: RevisionStateReading, opts: PlatformJudgeOptions): PlatformJudgement {
  const provisioning = recognise(revision.provisioningState, KNOWN_PROVISIONING_STATES);
  const running = recognise(revision.runningState, KNOWN_RUNNING_STATES);
  const health = recognise(revision.healthState, KNOWN_HEALTH_STATES);
  for (const [field, value] of [['provisioningState', provisioning], ['runningState', running], ['healthState', health]] as const) {
    if (value !== undefined && !value.known) {
      return { outcome: 'unknown', terminal: true, reason: `${field} "${sanitizeExcerpt(value.raw, 40)}" is not a state we know` };
    }
  }
  const p = provisioning?.value;
  const r = running?.value;
  const h = health?.value;
  const described = describe(revision);

  if (p === 'Failed') {
    const detail = revision.provisioningError ? `: ${sanitizeExcerpt(revision.provisioningError)}` : '';
    return { outcome: 'unhealthy', terminal: true, reason: `provisioning failed${detail}` };
  }
  if (p === 'Deprovisioning' || p === 'Deprovisioned') {
    return { outcome: 'unhealthy', terminal: true, reason: `the revision is being removed (${described})` };
  }
  if (revision.active === false) {
    return { outcome: 'unhealthy', terminal: true, reason: `the revision is inactive (${described})` };
  }
  if (r === 'Failed' || r === 'ActivationFailed') {
    return { outcome: 'unhealthy', terminal: true, reason: `the revision failed to run (${described})` };
  }
  if (r === 'Stopped') {
    return { outcome: 'unhealthy', terminal: true, reason: `the revision is stopped and will not start by itself (${described})` };
  }
  if (p === 'Provisioning' || r === 'Processing' || r === 'Activating') {
    return { outcome: 'starting', terminal: false, reason: `the revision is starting (${described})` };
  }
  if (r === 'Degraded') {
    return { outcome: 'unhealthy', terminal: false, reason: `the revision is degraded: not all replicas are ready (${described})` };
  }
  if (r === 'Unknown') {
    return { outcome: 'unknown', terminal: false, reason: `the platform reports the running state as Unknown (${described})` };
  }
  if (r === 'Running') return judgeRunning(revision, h, opts, described);
  if (p === 'Provisioned') {
    // Provisioned but no running state yet: the platform has not said it runs.
    return h === 'Unhealthy'
      ? { outcome: 'unhealthy', terminal: false, reason: `provisioned and reported unhealthy (${described})` }
      : { outcome: 'starting', terminal: false, reason: `provisioned, not yet reported running (${described})` };
  }
  return { outcome: 'unknown', terminal: false, reason: 'the platform reported no state for the revision' };
}

function judgeRunning(revision: RevisionStateReading, h: Health | undefined, opts: PlatformJudgeOptions, described: string): PlatformJudgement {
  if (h === 'Unhealthy') {
    return { outcome: 'unhealthy', terminal: false, reason: `running but reported unhealthy (${described})` };
  }
  if (revision.replicas === 0) {
    return opts.scaleToZero
      ? { outcome: 'healthy', terminal: false, idle: true, reason: `running, scaled to zero (${described})` }
      : { outcome: 'starting', terminal: false, reason: `running with no replica ready yet (${described})` };
  }
  return { outcome: 'healthy', terminal: false, reason: `running (${described})` };
}

interface Recognised<T extends string> {
  raw: string;
  known: boolean;
  value?: T;
}

function recognise<T extends string>(raw: string | undefined, known: readonly T[]): Recognised<T> | undefined {
  if (raw === undefined || raw === '') return undefined;
  const key = normalise(raw);
  const value = known.find((k) => normalise(k) === key);
  return value === undefined ? { raw, known: false } : { raw, known: true, value };
}

function normalise(state: string): string {
  return state.replace(/[\s_-]+/g, '').toLowerCase();
}

function describe(revision: RevisionStateReading): string {
  const parts: string[] = [];
  if (revision.provisioningState) parts.push(`provisioning ${sanitizeExcerpt(revision.provisioningState, 40)}`);
  if (revision.runningState) parts.push(`running ${sanitizeExcerpt(revision.runningState, 40)}`);
  if (revision.healthState) parts.push(`health ${sanitizeExcerpt(revision.healthState, 40)}`);
  if (revision.replicas !== undefined) parts.push(`${revision.replicas} replica${revision.replicas === 1 ? '' : 's'}`);
  return parts.join(', ') || 'no states reported';
}

export type { Provisioning as KnownProvisioningState, Running as KnownRunningState, Health as KnownHealthState };
