/**
 * An app's deployment queue as Harbormaster stores it, and every rule that changes it: the
 * push domain's queue rules (src/domain/push/deploymentQueue.ts: one at a time, newest wins,
 * duplicates collapse) plus what deployments add: an id per request, the deployed tag, manual
 * rollbacks, and the pause a rollback sets (automatic pushes are ignored while paused; a
 * person's deploy still goes). Nothing else writes `running`, `queued` or `paused`.
 */
import {
  nextFromQueue,
  submitDeployment,
  type DeploymentRequest as PushDeploymentRequest,
  type QueueDecision,
} from '../push/deploymentQueue';
import type { PushSource } from '../push/imagePushed';

/** Who asked: a push source, or a person's rollback. */
export type RequestSource = PushSource | 'rollback';

export interface DeploymentRequest extends Omit<PushDeploymentRequest, 'source'> {
  readonly source: RequestSource;
  readonly deploymentId: string;
  readonly registry: string;
  readonly repository: string;
  /** When the push happened by the registry's own clock (every webhook source but Docker Hub says). */
  readonly pushedAt?: string;
  /** A person's deploy outside the deploy windows, with the reason. */
  readonly override?: { reason: string; by?: string };
}

export interface AppQueueState {
  app: string;
  running?: DeploymentRequest;
  queued: DeploymentRequest[];
  /** The digest serving, as far as Harbormaster's deployments and rollbacks know. */
  deployedDigest?: string;
  deployedTag?: string;
  /** The registry's time of the push deployed now: a push made before it is stale. */
  deployedPushedAt?: string;
  paused?: { at: string; reason: string };
  /** The last deployment finished and what it started next: a retried finish returns the same. */
  lastFinished?: { deploymentId: string; next?: string };
}

export type RequestDecision =
  | { decision: 'started' | 'queued'; request: DeploymentRequest; reason: string; superseded: DeploymentRequest[] }
  | { decision: Exclude<QueueDecision, 'started' | 'queued'>; reason: string; deploymentId?: string; superseded: DeploymentRequest[] }
  | { decision: 'ignored' | 'stale'; reason: string; superseded: DeploymentRequest[] };

/**
 * Automatic unless a person asked for it: any push source, including one added later, is
 * automatic, so a paused app never deploys from a source nobody listed.
 */
export function isAutomatic(source: RequestSource): boolean {
  return source !== 'manual' && source !== 'rollback';
}

export function decideRequest(state: AppQueueState, request: DeploymentRequest): { state: AppQueueState; result: RequestDecision } {
  if (state.paused && isAutomatic(request.source)) {
    return { state, result: { decision: 'ignored', reason: `automatic deploys of ${state.app} are paused since ${state.paused.at}: ${state.paused.reason}`, superseded: [] } };
  }
  const stale = staleAgainst(state, request);
  if (stale) return { state, result: { decision: 'stale', reason: stale, superseded: [] } };
  const outcome = submitDeployment(state as Parameters<typeof submitDeployment>[0], request as PushDeploymentRequest);
  const superseded = outcome.superseded as unknown as DeploymentRequest[];
  const next: AppQueueState = { ...state, running: outcome.state.running as unknown as DeploymentRequest | undefined, queued: [...(outcome.state.queued as unknown as DeploymentRequest[])] };
  if (outcome.decision === 'started' || outcome.decision === 'queued') {
    return { state: next, result: { decision: outcome.decision, request, reason: outcome.reason, superseded } };
  }
  const existing = [state.running, ...state.queued].find((r) => r?.digest === request.digest);
  return { state, result: { decision: outcome.decision, reason: outcome.reason, deploymentId: existing?.deploymentId, superseded } };
}

/**
 * A late or replayed automatic push: one the registry made before the push of the release now
 * deployed or running (Event Grid retries for a day; a captured delivery can be sent again).
 * Deploying it would downgrade the app. A person's deploy is never stale.
 */
function staleAgainst(state: AppQueueState, request: DeploymentRequest): string | undefined {
  if (!request.pushedAt || !isAutomatic(request.source)) return undefined;
  const at = Date.parse(request.pushedAt);
  if (state.running?.pushedAt && at < Date.parse(state.running.pushedAt) && state.running.digest !== request.digest) {
    return `stale: pushed at ${request.pushedAt}, before the running deployment's push (${state.running.pushedAt})`;
  }
  if (state.deployedPushedAt && at < Date.parse(state.deployedPushedAt) && state.deployedDigest !== request.digest) {
    return `stale: pushed at ${request.pushedAt}, before the deployed release's push (${state.deployedPushedAt})`;
  }
  return undefined;
}

export type RollbackStart =
  | { started: true; request: DeploymentRequest }
  | { started: false; running: DeploymentRequest };

/**
 * A manual rollback of an idle app runs as the app's one running deployment (pushes queue
 * behind it) and pauses automatic deploys. An app with a deployment running is not idle: the
 * caller aborts that deployment instead.
 */
export function startRollback(state: AppQueueState, request: DeploymentRequest, pause: { at: string; reason: string }): { state: AppQueueState; result: RollbackStart } {
  if (state.running) return { state, result: { started: false, running: state.running } };
  return { state: { ...state, running: request, paused: pause }, result: { started: true, request } };
}

export function pauseAutomatic(state: AppQueueState, pause: { at: string; reason: string }): { state: AppQueueState; result: undefined } {
  if (state.paused) return { state, result: undefined };
  return { state: { ...state, paused: pause }, result: undefined };
}

export function resumeAutomatic(state: AppQueueState): { state: AppQueueState; result: boolean } {
  if (!state.paused) return { state, result: false };
  const { paused: _paused, ...rest } = state;
  return { state: { ...rest, queued: state.queued }, result: true };
}

export interface FinishResult {
  next?: DeploymentRequest;
  superseded: DeploymentRequest[];
}

export interface FinishedDeployment {
  deploymentId: string;
  succeeded: boolean;
  tag?: string;
  /** What serves now when it is known (a rollback's target; the previous release after a failure). */
  servingDigest?: string;
  servingTag?: string;
}

/**
 * The running deployment ended: record what serves, then start the newest queued request; the
 * rest are superseded. Idempotent: finishing the same deployment again returns the next one it
 * already chose (so a retried finish still gets that one started) and changes nothing.
 */
export function finishRunning(state: AppQueueState, finished: FinishedDeployment): { state: AppQueueState; result: FinishResult } {
  if (state.running?.deploymentId !== finished.deploymentId) {
    if (state.lastFinished?.deploymentId === finished.deploymentId && state.lastFinished.next && state.running?.deploymentId === state.lastFinished.next) {
      return { state, result: { next: state.running, superseded: [] } };
    }
    return { state, result: { superseded: [] } };
  }
  const outcome = nextFromQueue(state as Parameters<typeof nextFromQueue>[0], finished.succeeded ? 'promoted' : 'failed');
  let next = outcome.next as unknown as DeploymentRequest | undefined;
  const superseded = [...(outcome.superseded as unknown as DeploymentRequest[])];
  if (next && state.paused && isAutomatic(next.source)) {
    superseded.push(next);
    next = undefined;
  }
  const deployedDigest = finished.servingDigest ?? outcome.state.deployedDigest;
  const deployedTag = deployedDigest === state.running.digest && finished.succeeded ? finished.tag : deployedDigest === state.deployedDigest ? state.deployedTag : finished.servingTag;
  return {
    state: {
      ...state,
      running: next,
      queued: [],
      deployedDigest,
      deployedTag,
      deployedPushedAt: deployedDigest === state.running.digest && finished.succeeded ? (state.running.pushedAt ?? state.deployedPushedAt) : state.deployedPushedAt,
      lastFinished: { deploymentId: finished.deploymentId, next: next?.deploymentId },
    },
    result: { next, superseded },
  };
}

/**
 * A stale `running`: the deployment it names is over (its record is terminal) or never got
 * going (no record, no orchestration) long after it was accepted. Reconcile clears it so the
 * app's pushes stop queueing behind nothing.
 */
export function clearStaleRunning(state: AppQueueState, deploymentId: string): { state: AppQueueState; result: boolean } {
  if (state.running?.deploymentId !== deploymentId) return { state, result: false };
  return { state: { ...state, running: undefined, lastFinished: { deploymentId } }, result: true };
}
