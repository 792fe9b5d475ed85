/**
 * What the daily prune may delete from an app's release ledger, and which deployment records it
 * must keep for it. Pure: the cut-off is passed in.
 *
 * - The current release (the newest `verified` or `baseline` one) and the previous one (the newest
 *   rollback-safe release after it: where a rollback would go) are in use: never deleted, nor the
 *   records of the deployments that made them.
 * - `failed` and `rolled-back` releases are kept whatever their age: they are what stops a
 *   known-bad digest from being deployed again by reconcile or routed to by the gate.
 * - `pending` ones belong to a deployment that has not finished.
 * - The rest (`superseded`, `retired`) go once unchanged since the cut-off.
 */
import { ROLLBACK_SAFE_VERDICTS, type Release, type ReleaseVerdict } from './release';

const CURRENT_VERDICTS: ReadonlySet<ReleaseVerdict> = new Set(['verified', 'baseline']);
const PRUNABLE_VERDICTS: ReadonlySet<ReleaseVerdict> = new Set(['superseded', 'retired']);

/** The current and the previous release (either may be missing), newest first. */
export function releasesInUse(releases: readonly Release[]): Release[] {
  const newestFirst = [...releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.revisionName.localeCompare(a.revisionName));
  const current = newestFirst.find((r) => CURRENT_VERDICTS.has(r.verdict));
  const previous = newestFirst.find((r) => r !== current && ROLLBACK_SAFE_VERDICTS.has(r.verdict) && (!current || r.createdAt <= current.createdAt));
  return [current, previous].filter((r): r is Release => r !== undefined);
}

/** The releases the prune deletes: superseded or retired, unchanged since `olderThan`, not in use. */
export function releasesToPrune(releases: readonly Release[], olderThan: Date): Release[] {
  const inUse = new Set(releasesInUse(releases).map((r) => r.revisionName));
  return releases.filter((r) => PRUNABLE_VERDICTS.has(r.verdict) && !inUse.has(r.revisionName) && Date.parse(r.updatedAt) < olderThan.getTime());
}
