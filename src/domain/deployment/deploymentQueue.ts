/**
 * An app's deployment queue as Harbormaster stores it: the push domain's queue rules
 * (src/domain/push/deploymentQueue.ts: one at a time, newest wins, duplicates collapse) plus
 * what deployments add: an id per request, the deployed tag, and the pause a manual
 * rollback sets (automatic pushes are ignored while paused; a person's deploy still goes).
 */
import {
  nextFromQueue,
  submitDeployment,
  type DeploymentRequest as PushDeploymentRequest,
  type QueueDecision,
} from '../push/deploymentQueue';

export interface DeploymentRequest extends PushDeploymentRequest {
  readonly deploymentId: string;
  readonly registry: string;
  readonly repository: string;
}

export interface AppQueueState {
  app: string;
  running?: DeploymentRequest;
  queued: DeploymentRequest[];
  deployedDigest?: string;
  deployedTag?: string;
  paused?: { at: string; reason: string };
}

export type RequestDecision =
  | { decision: 'started' | 'queued'; request: DeploymentRequest; reason: string; superseded: DeploymentRequest[] }
  | { decision: Exclude<QueueDecision, 'started' | 'queued'>; reason: string; deploymentId?: string; superseded: DeploymentRequest[] }
  | { decision: 'ignored'; reason: string; superseded: DeploymentRequest[] };

/** Sources that are automatic; a paused app ignores them. */
const AUTOMATIC_SOURCES = new Set(['acr', 'eventgrid', 'dockerhub', 'ghcr', 'reconcile']);

export function decideRequest(state: AppQueueState, request: DeploymentRequest): { state: AppQueueState; result: RequestDecision } {
  if (state.paused && AUTOMATIC_SOURCES.has(request.source)) {
    return { state, result: { decision: 'ignored', reason: `automatic deploys of ${state.app} are paused since ${state.paused.at}: ${state.paused.reason}`, superseded: [] } };
  }
  const outcome = submitDeployment(state, request);
  const superseded = outcome.superseded as DeploymentRequest[];
  const next: AppQueueState = { ...state, running: outcome.state.running as DeploymentRequest | undefined, queued: [...(outcome.state.queued as DeploymentRequest[])] };
  if (outcome.decision === 'started' || outcome.decision === 'queued') {
    return { state: next, result: { decision: outcome.decision, request, reason: outcome.reason, superseded } };
  }
  const existing = [state.running, ...state.queued].find((r) => r?.digest === request.digest);
  return { state, result: { decision: outcome.decision, reason: outcome.reason, deploymentId: existing?.deploymentId, superseded } };
}

export interface FinishResult {
  next?: DeploymentRequest;
  superseded: DeploymentRequest[];
}

/** The running deployment ended: the newest queued request runs next, the rest are superseded. */
export function finishRunning(state: AppQueueState, finished: { deploymentId: string; succeeded: boolean; tag?: string }): { state: AppQueueState; result: FinishResult } {
  if (state.running?.deploymentId !== finished.deploymentId) {
    // A retried finish of a deployment already finished: nothing to change.
    return { state, result: { superseded: [] } };
  }
  const outcome = nextFromQueue(state, finished.succeeded ? 'promoted' : 'failed');
  let next = outcome.next as DeploymentRequest | undefined;
  const superseded = [...(outcome.superseded as DeploymentRequest[])];
  if (next && state.paused && AUTOMATIC_SOURCES.has(next.source)) {
    superseded.push(next);
    next = undefined;
  }
  return {
    state: {
      ...state,
      running: next,
      queued: [],
      deployedDigest: outcome.state.deployedDigest,
      deployedTag: finished.succeeded ? finished.tag : state.deployedTag,
    },
    result: { next, superseded },
  };
}
