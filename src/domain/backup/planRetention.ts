/**
 * Grandfather-father-son retention as a pure plan: which verified backups stay, which go, and why.
 * The same plan is the dry run (printed) and the real run (executed, each deletion logged).
 *
 * Rules, every one of which can keep a backup (a backup goes only when no rule keeps it):
 * - `newest-verified`: the newest Complete backup whose restore drill did not fail is never
 *   deleted, whatever the policy says;
 * - `keep-last`: the newest `keepLast` Complete backups;
 * - `daily` / `weekly` / `monthly`: the newest backup of each of the newest N calendar days /
 *   ISO weeks / months (UTC) that HAVE a backup (restic's meaning: an outage does not eat the
 *   generations, because empty periods are not counted);
 * - `pre-migration-min-age`: a pre-migration backup younger than `preMigrationMinAgeDays`.
 * Only Complete backups are planned; Pending/Running/Verifying ones are never touched, and Failed
 * ones have no blob (the daily record prune removes their records once past the retention age).
 */
import type { BackupTrigger } from './backupModel';

export interface RetentionCandidate {
  readonly backupId: string;
  readonly trigger: BackupTrigger;
  /** ISO time the backup was taken. */
  readonly createdAt: string;
  /** A pre-migration request joined it: protected like a pre-migration backup. */
  readonly coversMigration?: boolean;
  /** The last restore drill's verdict: a Failed one is not the newest verified backup. */
  readonly drillState?: string;
}

export interface RetentionRules {
  readonly keepLast: number;
  readonly daily: number;
  readonly weekly: number;
  readonly monthly: number;
  readonly preMigrationMinAgeDays: number;
}

export type KeepReason = 'newest-verified' | 'keep-last' | 'daily' | 'weekly' | 'monthly' | 'pre-migration-min-age';

export interface RetentionDecision {
  readonly backupId: string;
  readonly createdAt: string;
  readonly keep: boolean;
  /** Why it stays (empty when it goes). */
  readonly keptBy: readonly KeepReason[];
  /** One line a person can read: the dry run prints these. */
  readonly explanation: string;
}

export interface RetentionPlan {
  readonly keep: readonly RetentionDecision[];
  readonly remove: readonly RetentionDecision[];
}

const DAY_MS = 86_400_000;

/** Taken for a migration, or joined by a migration's request: protected for preMigrationMinAgeDays. */
function isMigrationRestorePoint(c: RetentionCandidate): boolean {
  return c.trigger === 'pre-migration' || c.coversMigration === true;
}

export function planRetention(candidates: readonly RetentionCandidate[], rules: RetentionRules, now: Date): RetentionPlan {
  const newestFirst = [...candidates].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.backupId.localeCompare(a.backupId));
  const reasons = new Map<string, KeepReason[]>(newestFirst.map((c) => [c.backupId, []]));
  const add = (id: string, reason: KeepReason): void => {
    reasons.get(id)?.push(reason);
  };

  const newestVerified = newestFirst.find((c) => c.drillState !== 'Failed');
  if (newestVerified) add(newestVerified.backupId, 'newest-verified');
  newestFirst.slice(0, rules.keepLast).forEach((c) => add(c.backupId, 'keep-last'));
  keepNewestPerPeriod(newestFirst, rules.daily, dayKey).forEach((id) => add(id, 'daily'));
  keepNewestPerPeriod(newestFirst, rules.weekly, isoWeekKey).forEach((id) => add(id, 'weekly'));
  keepNewestPerPeriod(newestFirst, rules.monthly, monthKey).forEach((id) => add(id, 'monthly'));
  for (const c of newestFirst) {
    if (isMigrationRestorePoint(c) && now.getTime() - Date.parse(c.createdAt) < rules.preMigrationMinAgeDays * DAY_MS) add(c.backupId, 'pre-migration-min-age');
  }

  const decisions = newestFirst.map((c): RetentionDecision => {
    const keptBy = reasons.get(c.backupId) ?? [];
    const keep = keptBy.length > 0;
    const explanation = keep
      ? `keep ${c.backupId}: ${keptBy.join(', ')}`
      : `delete ${c.backupId}: not among the newest ${rules.keepLast}, not the newest of one of the kept ${rules.daily} days / ${rules.weekly} weeks / ${rules.monthly} months` +
        (isMigrationRestorePoint(c) ? `, and a pre-migration backup older than ${rules.preMigrationMinAgeDays} days` : '');
    return { backupId: c.backupId, createdAt: c.createdAt, keep, keptBy, explanation };
  });
  return { keep: decisions.filter((d) => d.keep), remove: decisions.filter((d) => !d.keep) };
}

/** Ids of the newest candidate in each of the newest `count` periods that have one. */
function keepNewestPerPeriod(newestFirst: readonly RetentionCandidate[], count: number, keyOf: (at: Date) => string): string[] {
  const kept: string[] = [];
  const seen = new Set<string>();
  for (const c of newestFirst) {
    if (seen.size >= count) break;
    const key = keyOf(new Date(c.createdAt));
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(c.backupId);
  }
  return kept;
}

function dayKey(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function monthKey(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** ISO 8601 week (weeks start Monday; week 1 holds the year's first Thursday), UTC. */
export function isoWeekKey(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const dayOfWeek = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dayOfWeek);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
