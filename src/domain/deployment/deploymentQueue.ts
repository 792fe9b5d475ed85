/**
 * One deployment at a time per app, newest wins (issue 5 part 4), as pure state changes.
 * The caller applies them under optimistic concurrency, so racing webhooks cannot both win.
 */
export interface DeploymentRequest {
  deploymentId: string;
  digest: string;
  tag?: string;
  registry: string;
  repository: string;
  source: string;
  deliveryId: string;
  receivedAt: string;
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
  | { decision: 'started'; request: DeploymentRequest; reason: string }
  | { decision: 'queued'; request: DeploymentRequest; reason: string }
  | { decision: 'duplicate'; reason: string; deploymentId?: string }
  | { decision: 'ignored'; reason: string };

/** Sources that are automatic; a paused app ignores them (a person's deploy still goes). */
const AUTOMATIC_SOURCES = new Set(['acr', 'eventgrid', 'dockerhub', 'ghcr', 'reconcile']);

export function decideRequest(state: AppQueueState, request: DeploymentRequest): { state: AppQueueState; result: RequestDecision } {
  if (state.paused && AUTOMATIC_SOURCES.has(request.source)) {
    return { state, result: { decision: 'ignored', reason: `automatic deploys of ${state.app} are paused since ${state.paused.at}: ${state.paused.reason}` } };
  }
  if (state.running?.digest === request.digest) {
    return { state, result: { decision: 'duplicate', reason: 'this digest is being deployed now', deploymentId: state.running.deploymentId } };
  }
  const queuedSame = state.queued.find((q) => q.digest === request.digest);
  if (queuedSame) return { state, result: { decision: 'duplicate', reason: 'this digest is already queued', deploymentId: queuedSame.deploymentId } };
  if (!state.running && state.deployedDigest === request.digest) {
    return { state, result: { decision: 'duplicate', reason: 'this digest is already deployed' } };
  }
  if (state.running) {
    return {
      state: { ...state, queued: [...state.queued, request] },
      result: { decision: 'queued', request, reason: `waiting for deployment ${state.running.deploymentId} to end` },
    };
  }
  return { state: { ...state, running: request }, result: { decision: 'started', request, reason: 'no deployment running' } };
}

export interface FinishResult {
  next?: DeploymentRequest;
  superseded: DeploymentRequest[];
}

/** The running deployment ended: the newest queued request runs next, the rest are superseded. */
export function finishRunning(state: AppQueueState, finished: { deploymentId: string; succeeded: boolean; digest: string; tag?: string }): { state: AppQueueState; result: FinishResult } {
  if (state.running && state.running.deploymentId !== finished.deploymentId) {
    // A replayed finish of an older deployment: nothing to change.
    return { state, result: { superseded: [] } };
  }
  const deployed = finished.succeeded ? { deployedDigest: finished.digest, deployedTag: finished.tag } : {};
  const byNewest = [...state.queued].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  const [next, ...superseded] = byNewest;
  const paused = state.paused;
  if (paused && next && AUTOMATIC_SOURCES.has(next.source)) {
    return { state: { ...state, ...deployed, running: undefined, queued: [] }, result: { superseded: byNewest } };
  }
  return { state: { ...state, ...deployed, running: next, queued: [] }, result: { next, superseded } };
}
