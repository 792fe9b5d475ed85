/**
 * Names, inputs and results of the backup orchestrations and activities, and the environment
 * contract between the orchestration (which starts the job) and the runner (which the job runs).
 */
import type { BackupState, BackupTrigger, DrillState } from './backupModel';

export const BackupOrchestratorNames = {
  /** Input BackupOrchestrationInput, output BackupOrchestrationResult. The pipeline's pre-migration step calls it as a sub-orchestration. */
  backup: 'backupOrchestrator',
  drill: 'backupDrillOrchestrator',
} as const;

export const BackupActivityNames = {
  claimBackup: 'claimBackup',
  startBackupExecution: 'startBackupExecution',
  getBackupProgress: 'getBackupProgress',
  failBackup: 'failBackup',
  finishBackup: 'finishBackup',
  prepareDrill: 'prepareDrill',
  getDrillProgress: 'getDrillProgress',
  finishDrill: 'finishDrill',
} as const;

export interface BackupOrchestrationInput {
  readonly database: string;
  readonly trigger: BackupTrigger;
  readonly deploymentId?: string;
  /** Who asked for a manual backup (the API's authenticated caller). */
  readonly requestedBy?: string;
  /** Chosen by the starter (HTTP, timer) so it can answer 202 with it; a sub-orchestration may omit it (then one is derived from the instance id). */
  readonly backupId?: string;
  /** Wait tuning (tests, small databases); defaults BACKUP_POLL_SECONDS / BACKUP_DEADLINE_MINUTES / RECORD_GRACE_SECONDS. */
  readonly timing?: BackupTiming;
}

export interface BackupTiming {
  readonly minPollSeconds?: number;
  readonly maxPollSeconds?: number;
  readonly deadlineMinutes?: number;
  readonly graceSeconds?: number;
}

export interface BackupOrchestrationResult {
  /** The backup that ran — another one's id when this request joined a backup already running. */
  readonly backupId: string;
  readonly state: BackupState;
  readonly reason?: string;
  readonly joined?: boolean;
}

export interface ClaimBackupInput {
  readonly database: string;
  readonly backupId: string;
  readonly trigger: BackupTrigger;
  readonly deploymentId?: string;
  readonly requestedBy?: string;
  readonly at: string;
}
export type ClaimBackupResult =
  | { readonly kind: 'claimed'; readonly backupId: string }
  | { readonly kind: 'joined'; readonly backupId: string }
  | { readonly kind: 'unknown-database'; readonly reason: string };

export interface StartBackupExecutionInput {
  readonly database: string;
  readonly backupId: string;
  readonly trigger: BackupTrigger;
  readonly deploymentId?: string;
}
export type StartBackupExecutionResult = { readonly ok: true; readonly executionName: string } | { readonly ok: false; readonly reason: string };

export interface GetBackupProgressInput {
  readonly database: string;
  readonly backupId: string;
  readonly executionName?: string;
}
export interface BackupProgress {
  readonly state: BackupState | 'Missing';
  readonly reason?: string;
  /** The job execution's status (Running, Succeeded, Failed...), when an execution is named. */
  readonly executionStatus?: string;
  readonly executionReason?: string;
}

export interface FailBackupInput {
  readonly database: string;
  readonly backupId: string;
  readonly reason: string;
}

export interface FinishBackupInput {
  readonly database: string;
  readonly backupId: string;
  readonly state: BackupState;
  readonly reason?: string;
  readonly trigger: BackupTrigger;
}

export interface BackupDrillInput {
  readonly database: string;
  readonly drillId: string;
  readonly timing?: BackupTiming;
}
export interface BackupDrillResult {
  readonly drillId: string;
  readonly backupId?: string;
  readonly state: DrillState;
  readonly reason?: string;
}
export type PrepareDrillResult =
  | { readonly ok: true; readonly backupId: string; readonly executionName: string }
  | { readonly ok: false; readonly reason: string };
export interface GetDrillProgressInput {
  readonly database: string;
  readonly drillId: string;
  readonly executionName: string;
}
export interface DrillProgress {
  readonly state: DrillState | 'Missing';
  readonly reason?: string;
  readonly executionStatus?: string;
  readonly executionReason?: string;
}
export interface FinishDrillInput {
  readonly database: string;
  readonly drillId: string;
  readonly backupId?: string;
  readonly state: DrillState;
  readonly reason?: string;
}

/** How long a backup may take end to end before the orchestration gives up and fails it. */
export const BACKUP_DEADLINE_MINUTES = 240;
/** Time between progress checks. */
export const BACKUP_POLL_SECONDS = 60;
/** First check after this long; doubled up to BACKUP_POLL_SECONDS. */
export const BACKUP_FIRST_POLL_SECONDS = 5;
/** After the execution ended, how long to wait for the runner's final record before calling it lost. */
export const RECORD_GRACE_SECONDS = 30;

/** Environment the backup job's execution gets per run (besides the job's own settings). */
export const RunnerEnv = {
  mode: 'HARBORMASTER_BACKUP_MODE',
  database: 'HARBORMASTER_BACKUP_DATABASE',
  backupId: 'HARBORMASTER_BACKUP_ID',
  trigger: 'HARBORMASTER_BACKUP_TRIGGER',
  deploymentId: 'HARBORMASTER_BACKUP_DEPLOYMENT_ID',
  /** Name (not value) of the Key Vault secret holding the connection string. */
  connectionSecret: 'HARBORMASTER_BACKUP_CONNECTION_SECRET',
  drillId: 'HARBORMASTER_BACKUP_DRILL_ID',
} as const;

export type RunnerMode = 'backup' | 'drill';
