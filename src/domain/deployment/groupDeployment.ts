/**
 * A release group's deployment: what its orchestration carries, and the queue rules it adds to
 * the app queue's. A group has one queue of its own (one deployment of the group at a time,
 * newest wins, the same rules as an app's); its members' own states only learn what they serve.
 */
import type { DeploymentInput } from './activityContracts';
import type { AppQueueState } from './deploymentQueue';
import type { DeploySpec } from './deploySpec';

/** A deployment's input (image, source, windows, slots) with every member's configuration instead of one spec. */
export interface GroupDeploymentInput extends Omit<DeploymentInput, 'spec' | 'releaseGroup'> {
  group: string;
  /** The members' configuration, in promotion order (rolled back in reverse). */
  members: DeploySpec[];
}

/** The key a group's queue is stored under, apart from every app's. */
export function groupQueueKey(group: string): string {
  return `group:${group}`;
}

/** A member's state after its group released `release` (or after the group's release failed: unchanged). */
export function recordGroupRelease(state: AppQueueState, release: { succeeded: boolean; digest: string; tag?: string; pushedAt?: string }): { state: AppQueueState; result: undefined } {
  if (!release.succeeded || state.deployedDigest === release.digest) return { state, result: undefined };
  return {
    state: { ...state, deployedDigest: release.digest, deployedTag: release.tag, deployedPushedAt: release.pushedAt ?? state.deployedPushedAt },
    result: undefined,
  };
}
