/**
 * Where a rollback goes, decided from the release ledger and what Azure has, before any
 * traffic moves. Pure: the HTTP handler asks it to answer 409 at once, and the rollback
 * orchestration asks it again (through an activity) with fresh facts.
 */
import { ROLLBACK_SAFE_VERDICTS, UNSAFE_VERDICTS, type Release } from './release';

/** What to do with a schema a newer release migrated when traffic goes back to an older one. */
export type MigrationRollbackPolicy = 'keep-schema' | 'down' | 'block';

export interface RollbackRequest {
  /** A revision name (with or without the `app--` prefix). */
  revision?: string;
  /** A release by tag or digest: the newest release carrying it. */
  release?: string;
  force?: boolean;
}

export interface RevisionFact {
  name: string;
  image?: string;
  provisioningState?: string;
  active: boolean;
}

export interface RollbackFacts {
  containerAppName: string;
  mode: 'Single' | 'Multiple';
  serving?: string;
  releases: readonly Release[];
  revisions: readonly RevisionFact[];
  policy: MigrationRollbackPolicy;
}

export interface RollbackPlan {
  ok: true;
  from?: Release;
  target: Release;
  /** Releases newer than the target whose migration stays applied (newest first). */
  crossedMigrations: Release[];
  /** The target's verdict is unsafe and the request forced it. */
  forced: boolean;
  /** Multiple mode: the target revision is inactive and must be activated first. */
  reactivate: boolean;
}

export interface RollbackRefusal {
  ok: false;
  status: 404 | 409;
  reason: string;
  field?: string;
}

export function chooseRollbackTarget(facts: RollbackFacts, request: RollbackRequest): RollbackPlan | RollbackRefusal {
  const byName = new Map(facts.releases.map((r) => [r.revisionName, r]));
  const from = facts.serving ? byName.get(facts.serving) : undefined;
  const servingDigest = from?.digest;
  const exists = (release: Release): RevisionFact | undefined => facts.revisions.find((r) => r.name === release.revisionName);
  // Single mode re-applies the release's image as a new revision; Multiple mode routes to the revision itself.
  const usable = (release: Release): boolean => {
    if (facts.mode === 'Single') return Boolean(release.image);
    const revision = exists(release);
    return revision !== undefined && revision.provisioningState !== 'Failed';
  };

  let target: Release | undefined;
  if (request.revision) {
    const name = request.revision.includes('--') ? request.revision : `${facts.containerAppName}--${request.revision}`;
    target = byName.get(name);
    if (!target) {
      const revision = facts.revisions.find((r) => r.name === name);
      if (!revision) return { ok: false, status: 404, reason: `${name} is not a revision of ${facts.containerAppName}`, field: 'revision' };
      return { ok: false, status: 409, reason: `${name} is not in the release ledger: Harbormaster knows nothing about it` , field: 'revision' };
    }
  } else if (request.release) {
    const wanted = request.release.toLowerCase();
    const matching = newestFirst(facts.releases).filter((r) => r.tag?.toLowerCase() === wanted || r.digest === wanted);
    if (matching.length === 0) return { ok: false, status: 404, reason: `no release of ${facts.containerAppName} has tag or digest ${request.release}`, field: 'release' };
    target = matching.find((r) => !UNSAFE_VERDICTS.has(r.verdict) && usable(r)) ?? matching[0];
  } else {
    target = newestFirst(facts.releases).find(
      (r) => ROLLBACK_SAFE_VERDICTS.has(r.verdict) && r.revisionName !== facts.serving && (servingDigest === undefined || r.digest !== servingDigest) && usable(r),
    );
    if (!target) {
      return { ok: false, status: 409, reason: `${facts.containerAppName} has no verified or baseline release other than the one serving (${facts.serving ?? 'none'}) to roll back to` };
    }
  }

  if (target.revisionName === facts.serving) return { ok: false, status: 409, reason: `${target.revisionName} is already serving`, field: request.revision ? 'revision' : 'release' };
  if (!usable(target)) {
    return { ok: false, status: 409, reason: facts.mode === 'Single' ? `${target.revisionName} has no recorded image to re-apply` : `${target.revisionName} no longer exists or failed to provision` };
  }
  const unsafe = UNSAFE_VERDICTS.has(target.verdict);
  if (unsafe && !request.force) {
    return { ok: false, status: 409, reason: `${target.revisionName} is ${target.verdict}${target.reason ? ` (${target.reason})` : ''}: pass force with a reason to route traffic to it anyway` };
  }
  const crossedMigrations = migrationsCrossed(facts.releases, target);
  if (facts.policy === 'block' && crossedMigrations.length > 0 && !request.force) {
    const names = crossedMigrations.map((r) => `${r.tag ?? r.digest?.slice(0, 19) ?? r.revisionName} (${r.migration?.executionName})`).join(', ');
    return { ok: false, status: 409, reason: `rolling back to ${target.revisionName} crosses the migration of ${names}; migration.rollback is block: pass force with a reason` };
  }
  const revision = exists(target);
  return { ok: true, from, target, crossedMigrations, forced: unsafe, reactivate: facts.mode === 'Multiple' && revision !== undefined && !revision.active };
}

/** Releases after `target` whose migration ran and was not migrated down, newest first. */
export function migrationsCrossed(releases: readonly Release[], target: Release): Release[] {
  return newestFirst(releases).filter(
    (r) => r.createdAt > target.createdAt && r.migration?.executionName !== undefined && r.migration.down?.outcome !== 'Succeeded' && r.digest !== target.digest,
  );
}

function newestFirst(releases: readonly Release[]): Release[] {
  return [...releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.revisionName.localeCompare(a.revisionName));
}
