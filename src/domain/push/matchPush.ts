/**
 * Which apps a push deploys. Pure: what is deployed now is passed in.
 * Only apps that track the pushed image repository appear in the answer; an empty answer
 * means no app tracks it. One push may deploy several apps (web and worker from one image).
 */
import type { ImagePushed } from './imagePushed';
import { isSameImageRepository } from './registryNames';
import { describeTagPolicy, isUpgrade, tagMatches, type TagPolicy } from './tagPolicy';

export interface TrackedApp {
  readonly name: string;
  readonly image: { readonly registry: string; readonly repository: string; readonly tagPolicy: TagPolicy };
}

/** What an app runs now, by app name; an app missing from the record has nothing deployed. */
export type DeployedImages = Readonly<Record<string, { readonly tag?: string; readonly digest?: string } | undefined>>;

/** `deploy`: the push moves this app forward. `ignored`: it does not, and `reason` says why. */
export type MatchDecision = 'deploy' | 'ignored';

export interface PushMatch {
  readonly app: string;
  readonly decision: MatchDecision;
  readonly reason: string;
}

export const DUPLICATE_REASON = 'duplicate: already deployed';

/**
 * Rules, in order, for each app tracking the pushed repository (registry compared
 * case-insensitively with Docker Hub aliases folded, repository exactly in lowercase):
 * 1. a push without a tag cannot be judged by a tag policy → ignored;
 * 2. the tag must match the policy;
 * 3. the digest the app already runs → ignored as a duplicate (duplicate deliveries are normal);
 * 4. a semver policy deploys only a newer version than the one running.
 */
export function matchPush(push: ImagePushed, apps: ReadonlyArray<TrackedApp>, current: DeployedImages): PushMatch[] {
  return apps
    .filter((app) => isSameImageRepository(app.image, push))
    .map((app) => ({ app: app.name, ...decide(push, app.image.tagPolicy, current[app.name]) }));
}

function decide(push: ImagePushed, policy: TagPolicy, deployed: DeployedImages[string]): Omit<PushMatch, 'app'> {
  if (push.tag === undefined) return { decision: 'ignored', reason: `push has no tag; tag policy ${describeTagPolicy(policy)} needs one` };
  if (!tagMatches(policy, push.tag)) {
    return { decision: 'ignored', reason: `tag "${push.tag}" does not match tag policy ${describeTagPolicy(policy)}` };
  }
  if (push.digest !== undefined && deployed?.digest === push.digest) return { decision: 'ignored', reason: DUPLICATE_REASON };
  if (!isUpgrade(policy, push.tag, deployed?.tag)) {
    return { decision: 'ignored', reason: `not an upgrade: "${push.tag}" is not newer than the deployed "${deployed?.tag ?? ''}"` };
  }
  const digestNote = push.digest === undefined ? '; digest to be resolved from the registry' : '';
  return { decision: 'deploy', reason: `tag "${push.tag}" matches tag policy ${describeTagPolicy(policy)}${digestNote}` };
}
