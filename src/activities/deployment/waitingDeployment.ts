import { SupersedeEventName, WindowOverrideEventName, type DeploymentRequest, type RequestDecision, type SupersedeEvent, type WindowOverride } from '../../domain/deployment';
import type { OrchestrationStarter } from './deploymentLauncher';

/**
 * What a request means for a deployment that may be waiting for its deploy window (only apps
 * and groups with windows or freezes have one): a newer request supersedes it (newest wins for
 * what waits too), and a person's override of the same release lets it go now.
 */
export async function passToWaiting(result: RequestDecision, running: DeploymentRequest | undefined, request: DeploymentRequest, scheduled: boolean, starter: OrchestrationStarter): Promise<RequestDecision> {
  if (!scheduled || !running || running.source === 'rollback' || !starter.raiseEvent) return result;
  if (result.decision === 'queued') {
    await starter.raiseEvent(running.deploymentId, SupersedeEventName, { by: request.deploymentId } satisfies SupersedeEvent);
  } else if (result.decision === 'duplicate' && request.override && running.digest === request.digest) {
    await starter.raiseEvent(running.deploymentId, WindowOverrideEventName, request.override satisfies WindowOverride);
    return { ...result, reason: `${result.reason}; the override goes to it: it deploys now if it waits for its window` };
  }
  return result;
}
