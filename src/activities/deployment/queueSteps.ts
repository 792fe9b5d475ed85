/**
 * The two moments a deployment queue (an app's or a release group's) changes hands, shared by
 * both launchers: a request admitted (recorded, started or queued, older ones superseded, a
 * deployment waiting for its window told), and a finished deployment handing on to the next.
 */
import {
  decideRequest,
  newDeploymentId,
  type DeploymentRecord,
  type DeploymentRequest,
  type FinishResult,
  type RequestDecision,
} from '../../domain/deployment';
import type { LaunchRequest, LauncherDeps, OrchestrationStarter } from './deploymentLauncher';
import { imageOf } from './deploymentInput';
import { passToWaiting } from './waitingDeployment';

/** A request of `owner` (an app or a release group) queued under `queueKey`, with an id of its own. */
export function newDeploymentRequest(deps: LauncherDeps, queueKey: string, owner: string, push: LaunchRequest): DeploymentRequest {
  const now = deps.now();
  return {
    app: queueKey,
    deploymentId: newDeploymentId(owner, now, deps.newId().slice(0, 6)),
    digest: push.digest,
    tag: push.tag,
    registry: push.registry,
    repository: push.repository,
    source: push.source,
    deliveryId: push.deliveryId,
    receivedAt: now.toISOString(),
    ...(push.pushedAt ? { pushedAt: push.pushedAt } : {}),
    ...(push.override ? { override: push.override } : {}),
  };
}

export interface QueueTarget {
  /** Where the queue is kept: the app's name, or the group's queue key. */
  queueKey: string;
  /** The partition of the deployment records: the app's or the group's name. */
  recordApp: string;
  /** Windows or freezes apply, so a deployment may be waiting for its window. */
  scheduled: boolean;
  /** Said after the decision's reason in the record, and the record's group. */
  describe?: { reasonSuffix: string; group: DeploymentRecord['group'] };
  start(request: DeploymentRequest): Promise<void>;
  /** Clears `running` when it names `deploymentId` (a request that could not be recorded or started). */
  forget(deploymentId: string): Promise<void>;
}

export async function admitRequest(deps: LauncherDeps, target: QueueTarget, request: DeploymentRequest, push: LaunchRequest, starter: OrchestrationStarter): Promise<RequestDecision> {
  let running: DeploymentRequest | undefined;
  const result = await deps.appState.transact(target.queueKey, (state) => {
    running = state.running;
    return decideRequest(state, request);
  });
  if (result.decision === 'started' || result.decision === 'queued') {
    await recordThenStart(
      deps,
      {
        id: request.deploymentId,
        app: target.recordApp,
        kind: 'deploy',
        image: imageOf(request),
        source: push.source,
        ...(push.requestedBy ? { requestedBy: push.requestedBy } : {}),
        at: request.receivedAt,
        phase: result.decision === 'queued' ? 'queued' : 'verifying',
        reason: target.describe ? `${result.reason}${target.describe.reasonSuffix}` : result.reason,
        ...(target.describe ? { group: target.describe.group } : {}),
      },
      result.decision === 'started' ? () => target.start(request) : undefined,
      () => target.forget(request.deploymentId),
    );
  }
  for (const superseded of result.superseded) {
    await deps.deployments.update(superseded.deploymentId, target.recordApp, request.receivedAt, { phase: 'superseded', reason: `superseded by ${request.deploymentId}` });
  }
  // Newest wins for a deployment waiting for its window too: it ends, and this one starts (and waits in turn).
  return passToWaiting(result, running, request, target.scheduled, starter);
}

/**
 * Writes the deployment's record, then starts it (`start` absent: it stays queued). Never leaves
 * the queue "running" a deployment that has no record or no orchestration: every later push would
 * queue behind nothing, so a failure of either forgets it before it is thrown.
 */
export async function recordThenStart(deps: LauncherDeps, record: Parameters<LauncherDeps['deployments']['create']>[0], start: (() => Promise<void>) | undefined, forget: () => Promise<void>): Promise<void> {
  try {
    await deps.deployments.create(record);
    if (start) await start();
  } catch (error) {
    await forget().catch(() => undefined);
    throw error;
  }
}

/** The queue after a finished deployment: older queued requests superseded, the next one started. Idempotent. */
export async function handOn(deps: LauncherDeps, target: QueueTarget, finishedId: string, outcome: FinishResult): Promise<void> {
  const at = deps.now().toISOString();
  for (const superseded of outcome.superseded) {
    await deps.deployments.update(superseded.deploymentId, target.recordApp, at, { phase: 'superseded', reason: outcome.next ? `superseded by ${outcome.next.deploymentId}` : 'superseded: automatic deploys paused' });
  }
  if (outcome.next) {
    // A retried finish starts the same next deployment (or finds it started).
    const nextRecord = await deps.deployments.get(outcome.next.deploymentId);
    if (nextRecord?.phase === 'queued') await deps.deployments.update(outcome.next.deploymentId, target.recordApp, at, { phase: 'verifying', reason: `started after ${finishedId}` });
    await target.start(outcome.next);
  }
}
