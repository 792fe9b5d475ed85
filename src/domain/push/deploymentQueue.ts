/**
 * One deployment at a time per app, newest wins. Pure rules over an app's deployment
 * state; whoever holds the state (a durable entity, a table row) applies them atomically.
 *
 * "Newest" is by `receivedAt` (when Harbormaster received the push); requests received at
 * the same instant are ordered by arrival, the later one newer. So a request that is processed
 * late (a slow handler, a retried delivery) cannot displace one received after it.
 */
import type { PushSource } from './imagePushed';

export interface DeploymentRequest {
  readonly app: string;
  /** Confirmed in the registry: deployments pin the image by digest. */
  readonly digest: string;
  readonly tag?: string;
  readonly source: PushSource;
  readonly deliveryId: string;
  /** ISO 8601. */
  readonly receivedAt: string;
}

/** The deployment in flight; its digest at least, the whole request when known. */
export type RunningDeployment = Pick<DeploymentRequest, 'digest'> & Partial<DeploymentRequest>;

export interface AppDeploymentState {
  readonly running?: RunningDeployment;
  /** Waiting for `running` to end. These rules keep at most one; older ones are superseded. */
  readonly queued: readonly DeploymentRequest[];
  /** The digest serving now (last promoted). */
  readonly deployedDigest?: string;
}

/**
 * What became of a new request:
 * - `started`: nothing was running, so it runs now;
 * - `queued`: another deployment runs; this one waits, replacing any older queued one;
 * - `duplicate`: its digest is already running, queued or deployed; nothing starts;
 * - `superseded`: a newer request (by `receivedAt`) is already running or queued.
 */
export type QueueDecision = 'started' | 'queued' | 'duplicate' | 'superseded';

export interface SubmitOutcome {
  readonly decision: QueueDecision;
  readonly reason: string;
  readonly state: AppDeploymentState;
  /** Requests this one displaced from the queue; record each as superseded. */
  readonly superseded: readonly DeploymentRequest[];
}

export function submitDeployment(state: AppDeploymentState, request: DeploymentRequest): SubmitOutcome {
  const unchanged = { state, superseded: [] };
  if (state.running?.digest === request.digest) return { decision: 'duplicate', reason: 'duplicate: digest is already being deployed', ...unchanged };
  if (state.queued.some((queued) => queued.digest === request.digest)) {
    return { decision: 'duplicate', reason: 'duplicate: digest is already queued', ...unchanged };
  }
  if (state.deployedDigest === request.digest) return { decision: 'duplicate', reason: 'duplicate: already deployed', ...unchanged };

  const newer = [...(state.running ? [state.running] : []), ...state.queued].find((other) => isOlder(request, other));
  if (newer !== undefined) {
    return { decision: 'superseded', reason: `superseded: a push received later (${newer.deliveryId ?? newer.digest}) is already ${newer === state.running ? 'running' : 'queued'}`, ...unchanged };
  }
  if (state.running === undefined) {
    // Nothing runs, so nothing should be queued; if something is, this newer request wins over it.
    return { decision: 'started', reason: 'started: no deployment was running', state: { ...state, running: request, queued: [] }, superseded: state.queued };
  }
  return {
    decision: 'queued',
    reason: 'queued: a deployment of this app is running',
    state: { ...state, queued: [request] },
    superseded: state.queued,
  };
}

/** How the running deployment ended: only `promoted` changes what is deployed. */
export type DeploymentEnd = 'promoted' | 'failed';

export interface NextOutcome {
  /** The deployment to start now, if any. */
  readonly next?: DeploymentRequest;
  readonly state: AppDeploymentState;
  /** Queued requests passed over for a newer one; record each as superseded. */
  readonly superseded: readonly DeploymentRequest[];
}

/**
 * The running deployment ended: record what is deployed, then start the newest queued
 * request; every other queued request is superseded. A queued request for the digest that
 * is now deployed is superseded too (it would be a duplicate).
 */
export function nextFromQueue(state: AppDeploymentState, ended: DeploymentEnd): NextOutcome {
  const deployedDigest = ended === 'promoted' && state.running !== undefined ? state.running.digest : state.deployedDigest;
  const candidates = state.queued.filter((request) => request.digest !== deployedDigest);
  const next = candidates.reduce<DeploymentRequest | undefined>((newest, request) => (newest === undefined || !isOlder(request, newest) ? request : newest), undefined);
  const base: AppDeploymentState = deployedDigest === undefined ? { queued: [] } : { queued: [], deployedDigest };
  return {
    next,
    state: next === undefined ? base : { ...base, running: next },
    superseded: state.queued.filter((request) => request !== next),
  };
}

/** Strictly older by `receivedAt`; equal times are not older (the later arrival wins). */
function isOlder(request: Pick<DeploymentRequest, 'receivedAt'>, other: Partial<Pick<DeploymentRequest, 'receivedAt'>>): boolean {
  if (other.receivedAt === undefined) return false;
  return Date.parse(request.receivedAt) < Date.parse(other.receivedAt);
}
