/**
 * The release ledger's vocabulary: every revision Harbormaster created or found for an app,
 * with what it learned about it. The traffic gate reads these verdicts; nothing routes to a
 * release that failed or was rolled back unless a person forces it with a reason.
 */
import { parseImageReference } from './servingRevision';

/**
 * - `pending`: created by a deployment that has not finished judging it;
 * - `baseline`: what was serving when Harbormaster first saw the app;
 * - `verified`: passed every gate and was promoted (or restored by a rollback and checked);
 * - `failed`: failed a check (the rule that fired is the reason);
 * - `rolled-back`: traffic was taken away from it by a rollback, a rejection or an abort;
 * - `superseded`: a newer verified release replaced it;
 * - `retired`: deactivated after the rollback window.
 */
export type ReleaseVerdict = 'pending' | 'baseline' | 'verified' | 'failed' | 'rolled-back' | 'superseded' | 'retired';

export const RELEASE_VERDICTS: readonly ReleaseVerdict[] = ['pending', 'baseline', 'verified', 'failed', 'rolled-back', 'superseded', 'retired'];

/** Verdicts the gate refuses to route traffic to without `force`. */
export const UNSAFE_VERDICTS: ReadonlySet<ReleaseVerdict> = new Set(['failed', 'rolled-back']);

/** Verdicts a rollback may pick on its own: known to have served well. */
export const ROLLBACK_SAFE_VERDICTS: ReadonlySet<ReleaseVerdict> = new Set(['verified', 'baseline', 'superseded', 'retired']);

export interface ReleaseMigration {
  /** The job execution that ran this release's migration. */
  executionName?: string;
  /** The pre-migration backup taken before it ran. */
  backupId?: string;
  database?: string;
  /** Its down migration, when a rollback ran one (at most once per release). */
  down?: { executionName?: string; outcome?: string; at?: string };
}

export interface Release {
  app: string;
  revisionName: string;
  /** `registry/repository@sha256:…` */
  image?: string;
  digest?: string;
  tag?: string;
  /** The deployment (or rollback) that created it; absent for a baseline. */
  deploymentId?: string;
  verdict: ReleaseVerdict;
  /** Why the verdict: the rule that fired, the rollback's reason. */
  reason?: string;
  /** Traffic was routed to it despite an unsafe verdict, by a person, with this reason. */
  forced?: { reason: string; at: string; by?: string };
  /** For a rollback in single-revision mode: the release whose template it re-applied. */
  restoredFrom?: string;
  migration?: ReleaseMigration;
  /** Released together with the other members of a release group, by this group deployment. */
  group?: { name: string; deploymentId: string };
  createdAt: string;
  updatedAt: string;
}

/**
 * The ledger row for a revision that was serving when Harbormaster first saw the app: its tag
 * comes from the image reference, so a rollback can name it (`{"release": "4.1.0"}`) like any other.
 */
export function baselineRelease(image: string | undefined): Pick<Release, 'verdict' | 'image' | 'digest' | 'tag' | 'reason'> {
  const { digest, tag } = parseImageReference(image);
  return { verdict: 'baseline', image, digest, tag, reason: 'serving when Harbormaster first saw the app' };
}

export function isRoutable(release: Pick<Release, 'verdict'> | undefined): boolean {
  return release === undefined || !UNSAFE_VERDICTS.has(release.verdict);
}
