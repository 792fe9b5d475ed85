/**
 * What a backup is, as every part of Harbormaster sees it: the runner writes these records, the
 * orchestration reads them, retention and the status API judge them. States are a documented
 * string union and the API returns the same strings.
 */

/**
 * - `Pending`: claimed by an orchestration; the job has not reported yet.
 * - `Running`: pg_dump is streaming into the blob.
 * - `Verifying`: the blob is committed and being read back (pg_restore --list + checksum).
 * - `Complete`: verified; only now does it count as a backup.
 * - `Failed`: anything else; the blob has been removed, `reason` says why.
 */
export type BackupState = 'Pending' | 'Running' | 'Verifying' | 'Complete' | 'Failed';

export type BackupTrigger = 'schedule' | 'manual' | 'pre-migration';

export const BACKUP_TRIGGERS: readonly BackupTrigger[] = ['schedule', 'manual', 'pre-migration'];

export function isBackupTrigger(value: unknown): value is BackupTrigger {
  return typeof value === 'string' && (BACKUP_TRIGGERS as readonly string[]).includes(value);
}

export function isTerminalBackupState(state: BackupState): boolean {
  return state === 'Complete' || state === 'Failed';
}

const BACKUP_STATE_ORDER: Readonly<Record<BackupState, number>> = { Pending: 0, Running: 1, Verifying: 2, Complete: 3, Failed: 3 };

/**
 * States only move forward: Pending → Running → Verifying → Complete, and any state that is not
 * terminal → Failed. A terminal state never changes (a Failed backup is never completed, a
 * Complete one never failed). Staying in the same state is allowed (a retried step).
 * `from` undefined: the record does not exist yet, any state may start it.
 */
export function canMoveBackup(from: BackupState | undefined, to: BackupState): boolean {
  if (from === undefined || from === to) return true;
  if (isTerminalBackupState(from)) return false;
  return BACKUP_STATE_ORDER[to] > BACKUP_STATE_ORDER[from];
}

export interface BackupRecord {
  readonly backupId: string;
  readonly database: string;
  readonly state: BackupState;
  readonly trigger: BackupTrigger;
  /** Pre-migration backups: the deployment that asked for it. */
  readonly deploymentId?: string;
  /** Manual backups: who asked (the API's authenticated caller). */
  readonly requestedBy?: string;
  /**
   * A deployment's pre-migration request joined this backup while it ran (a scheduled or manual
   * one): it is that migration's restore point too, so retention protects it like a
   * pre-migration backup.
   */
  readonly coversMigration?: boolean;
  /** ISO time the backup was requested (also encoded in backupId). */
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly blobName?: string;
  readonly sizeBytes?: number;
  /** Hex SHA-256 of the archive as uploaded (and as read back). */
  readonly sha256?: string;
  readonly serverVersion?: string;
  readonly pgDumpVersion?: string;
  /** pg_dump + upload, ms. */
  readonly dumpMs?: number;
  /** Read-back verification, ms. */
  readonly verifyMs?: number;
  /** Rows per table (schema.table) counted in pg_dump's own snapshot: what a drill compares against. */
  readonly tableRowCounts?: Readonly<Record<string, number>>;
  /** Why it failed (Failed only). */
  readonly reason?: string;
  /** The tail of pg_dump's stderr, secrets scrubbed. */
  readonly stderr?: string;
  /** The job execution that ran it, when known. */
  readonly executionName?: string;
  /** The verdict of the last restore drill of this backup, and which drill gave it. */
  readonly drillState?: DrillState;
  readonly drillId?: string;
}

/**
 * A backup counts as verified when it is Complete and no restore drill of it failed: a drill that
 * could not restore it (or restored different row counts) demotes it, whatever its checksum says.
 */
export function isVerifiedBackup(record: { readonly state: string; readonly drillState?: string }): boolean {
  return record.state === 'Complete' && record.drillState !== 'Failed';
}

/** A restore drill: the newest verified backup restored into a scratch database and its row counts compared. */
export type DrillState = 'Running' | 'Passed' | 'Failed';

export interface DrillRecord {
  readonly drillId: string;
  readonly database: string;
  readonly backupId: string;
  readonly state: DrillState;
  readonly createdAt: string;
  readonly finishedAt?: string;
  /** Tables whose restored row count differs from the count recorded at backup time. */
  readonly mismatches?: ReadonlyArray<{ table: string; expected: number; restored: number | null }>;
  readonly tablesCompared?: number;
  readonly reason?: string;
  readonly stderr?: string;
}
