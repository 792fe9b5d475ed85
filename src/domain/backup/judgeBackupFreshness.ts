/**
 * Is a database's newest verified backup as recent as its schedule promises? Pure: the schedule,
 * the newest verified backup time and `now` come in.
 *
 * The schedule's most recent fire time at least `graceMinutes` ago is the backup that should
 * exist by now (the grace lets a backup run and verify). Stale when the newest verified backup
 * is older than that fire time — i.e. at least one scheduled backup is missing.
 */
import { Cron } from 'croner';

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
  /**
   * `awaiting-first-backup`: no verified backup exists and none was due yet (the first scheduled
   * time after the database was first seen, plus the grace, has not passed). Information, not a fault.
   */
  readonly verdict: 'fresh' | 'stale' | 'awaiting-first-backup';
  /** The scheduled time a verified backup should exist for. */
  readonly expectedSince?: string;
  /** For `awaiting-first-backup`: the first scheduled backup's time. */
  readonly firstDueAt?: string;
  readonly reason: string;
}

export function judgeBackupFreshness(input: FreshnessInput): FreshnessVerdict {
  const graceMinutes = input.graceMinutes ?? 120;
  const reference = new Date(input.now.getTime() - graceMinutes * 60_000);
  const cron = new Cron(input.schedule, { paused: true, timezone: 'UTC' });
  const [lastDue] = cron.previousRuns(1, reference);
  const newest = input.newestVerifiedAt;
  if (lastDue && newest && Date.parse(newest) >= lastDue.getTime()) {
    const expectedSince = lastDue.toISOString();
    return { verdict: 'fresh', expectedSince, reason: `newest verified backup ${newest} covers the backup due at ${expectedSince}` };
  }
  const watchedSinceMs = input.watchedSince === undefined ? undefined : Date.parse(input.watchedSince);
  if (!lastDue || (watchedSinceMs !== undefined && lastDue.getTime() < watchedSinceMs)) {
    if (newest) return { verdict: 'fresh', reason: `newest verified backup ${newest}; no scheduled backup is due yet` };
    const firstRun = cron.nextRun(watchedSinceMs === undefined ? input.now : new Date(watchedSinceMs));
    if (!firstRun) return { verdict: 'awaiting-first-backup', reason: 'no backup yet, and the schedule never comes due' };
    const firstDueAt = firstRun.toISOString();
    return { verdict: 'awaiting-first-backup', firstDueAt, reason: `no backup yet: the first scheduled backup is due at ${firstDueAt} (judged ${graceMinutes} min later)` };
  }
  const expectedSince = lastDue.toISOString();
  if (!newest) {
    return { verdict: 'stale', expectedSince, reason: `no verified backup exists; one was due at ${expectedSince}` };
  }
  return {
    verdict: 'stale',
    expectedSince,
    reason: `the newest verified backup (${newest}) is older than the backup due at ${expectedSince}`,
  };
}

/**
 * What the health sweep knows of a database's backups: the age in hours of the newest verified
 * one (Infinity: none exists and one was due), or that the first one is not due yet.
 */
export type BackupAge = { readonly ageHours: number } | { readonly awaitingFirstBackup: true; readonly firstDueAt?: string };

export function judgeBackupAge(input: FreshnessInput): BackupAge {
  const freshness = judgeBackupFreshness(input);
  if (freshness.verdict === 'awaiting-first-backup') return { awaitingFirstBackup: true, ...(freshness.firstDueAt ? { firstDueAt: freshness.firstDueAt } : {}) };
  if (!input.newestVerifiedAt) return { ageHours: Number.POSITIVE_INFINITY };
  return { ageHours: Math.max(0, (input.now.getTime() - Date.parse(input.newestVerifiedAt)) / 3_600_000) };
}
