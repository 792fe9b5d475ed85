/**
 * Is a database's newest verified backup as recent as its schedule promises? Pure: the schedule,
 * the newest verified backup time and `now` come in.
 *
 * The schedule's most recent fire time at least `graceMinutes` ago is the backup that should
 * exist by now (the grace lets a backup run and verify). Stale when the newest verified backup
 * is older than that fire time — i.e. at least one scheduled backup is missing.
 */
import { Cron } from 'croner';
import { isVerifiedBackup } from './backupModel';

export interface FreshnessInput {
  /** NCRONTAB, six fields (UTC, as Azure Functions timers run without WEBSITE_TIME_ZONE). */
  readonly schedule: string;
  /** ISO time of the newest Complete backup; undefined when there is none. */
  readonly newestVerifiedAt?: string;
  readonly now: Date;
  /** How long after a scheduled time its backup may still be running (default 120). */
  readonly graceMinutes?: number;
  /** When the database was first configured/seen; no alert before its first scheduled backup. */
  readonly watchedSince?: string;
}

export interface FreshnessVerdict {
  readonly verdict: 'fresh' | 'stale' | 'not-yet-due';
  /** The scheduled time a verified backup should exist for. */
  readonly expectedSince?: string;
  readonly reason: string;
}

export function judgeBackupFreshness(input: FreshnessInput): FreshnessVerdict {
  const graceMs = (input.graceMinutes ?? 120) * 60_000;
  const reference = new Date(input.now.getTime() - graceMs);
  const cron = new Cron(input.schedule, { paused: true, timezone: 'UTC' });
  const [lastDue] = cron.previousRuns(1, reference);
  if (lastDue && input.newestVerifiedAt && Date.parse(input.newestVerifiedAt) >= lastDue.getTime()) {
    const expectedSince = lastDue.toISOString();
    return { verdict: 'fresh', expectedSince, reason: `newest verified backup ${input.newestVerifiedAt} covers the backup due at ${expectedSince}` };
  }
  if (!lastDue || (input.watchedSince && lastDue.getTime() < Date.parse(input.watchedSince))) {
    return { verdict: 'not-yet-due', reason: 'no scheduled backup is due yet' };
  }
  const expectedSince = lastDue.toISOString();
  if (!input.newestVerifiedAt) {
    return { verdict: 'stale', expectedSince, reason: `no verified backup exists; one was due at ${expectedSince}` };
  }
  if (Date.parse(input.newestVerifiedAt) < lastDue.getTime()) {
    return {
      verdict: 'stale',
      expectedSince,
      reason: `the newest verified backup (${input.newestVerifiedAt}) is older than the backup due at ${expectedSince}`,
    };
  }
  return { verdict: 'fresh', expectedSince, reason: `newest verified backup ${input.newestVerifiedAt} covers the backup due at ${expectedSince}` };
}

/**
 * Hours since the newest verified backup (Complete, no failed drill) was taken: the health sweep's
 * backup-age signal. Infinity when none exists (the sweep says "no verified backup exists").
 */
export function newestVerifiedBackupAgeHours(records: ReadonlyArray<{ readonly state: string; readonly createdAt: string; readonly drillState?: string }>, now: Date): number {
  const newest = records.filter(isVerifiedBackup).reduce((max, r) => Math.max(max, Date.parse(r.createdAt)), Number.NEGATIVE_INFINITY);
  if (!Number.isFinite(newest)) return Number.POSITIVE_INFINITY;
  return Math.max(0, (now.getTime() - newest) / 3_600_000);
}
