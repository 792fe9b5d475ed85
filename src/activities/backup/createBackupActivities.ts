/**
 * The backup activities, built from narrow ports (records, blobs, the job launcher, notify). The
 * orchestrations call them; retention and freshness run from timers in the function itself
 * (they need no pg_dump).
 */
import type { BackupBlobStore } from '../../adapters/backupStore/backupBlobStore';
import { watchedSinceOf, type BackupIndex } from '../../adapters/backupStore/backupIndex';
import type { BackupJobLauncher } from '../../adapters/backupStore/backupJobLauncher';
import type { BackupRecordStore } from '../../adapters/backupStore/backupRecordStore';
import type { Notification } from '../../adapters/notify/notification';
import {
  BACKUP_DEADLINE_MINUTES,
  backupBlobName,
  isTerminalBackupState,
  isVerifiedBackup,
  judgeBackupFreshness,
  planRetention,
  RunnerEnv,
  type BackupProgress,
  type ClaimBackupInput,
  type ClaimBackupResult,
  type DrillProgress,
  type FailBackupInput,
  type FinishBackupInput,
  type FinishDrillInput,
  type FreshnessVerdict,
  type GetBackupProgressInput,
  type GetDrillProgressInput,
  type PrepareDrillResult,
  type RetentionPlan,
  type RetentionRules,
  type StartBackupExecutionInput,
  type StartBackupExecutionResult,
  type BackupDrillInput,
  type BackupRecord,
} from '../../domain/backup';

export interface BackupDatabase {
  readonly name: string;
  readonly connectionStringSecret: string;
  readonly schedule: string;
  readonly retention: RetentionRules;
}

export interface BackupActivityDeps {
  readonly databases: readonly BackupDatabase[];
  readonly records: BackupRecordStore;
  /** When each database was first watched (its first scheduled backup is owed from then). */
  readonly index: Pick<BackupIndex, 'getWatchedSince' | 'watch'>;
  readonly blobs: BackupBlobStore;
  readonly launcher: BackupJobLauncher;
  /** Channels told about a database's backups: those of the apps using it. */
  readonly channelsFor: (database: string) => string[];
  readonly notify: (channels: string[], notification: Notification) => Promise<unknown>;
  readonly now: () => Date;
  readonly log: (line: Record<string, unknown>) => void;
  /** Told about each finished backup (its duration and size as metrics); default: nobody. */
  readonly reportBackup?: (record: BackupRecord) => void;
}

const RUNNING_EXECUTION = new Set(['Running', 'Processing']);

export function createBackupActivities(deps: BackupActivityDeps) {
  const database = (name: string) => deps.databases.find((d) => d.name === name);

  /**
   * `record`: write the "first watched" row when missing (the hourly check does; a GET only reads,
   * and a database nobody watched yet counts as watched from now).
   */
  async function freshness(name: string, options: { record?: boolean } = {}): Promise<{ verdict: FreshnessVerdict; newest?: BackupRecord }> {
    const db = database(name);
    if (!db) throw new Error(`database "${name}" is not in the configuration`);
    const now = deps.now();
    const [records, watched] = await Promise.all([deps.records.list(db.name), deps.index.getWatchedSince(db.name)]);
    if (watched === undefined && options.record) await deps.index.watch(db.name, now);
    const newest = records.filter(isVerifiedBackup).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    const watchedSince = watchedSinceOf({ watchedSince: watched ?? now.toISOString(), oldestRecordAt: records.map((r) => r.createdAt).sort()[0] });
    return { verdict: judgeBackupFreshness({ schedule: db.schedule, newestVerifiedAt: newest?.createdAt, now, watchedSince }), newest };
  }

  /** A held claim still holds while its backup is in progress and not past the orchestration's deadline. */
  const isLive = async (db: string, claim: { backupId: string; claimedAt: string }): Promise<boolean> => {
    const record = await deps.records.get(db, claim.backupId);
    if (record && isTerminalBackupState(record.state)) return false;
    return deps.now().getTime() - Date.parse(claim.claimedAt) < (BACKUP_DEADLINE_MINUTES + 10) * 60_000;
  };

  const alert = async (db: string, notification: Omit<Notification, 'app'>): Promise<void> => {
    const channels = deps.channelsFor(db);
    deps.log({ msg: 'backup alert', database: db, event: notification.event, text: notification.text, channels });
    if (channels.length > 0) await deps.notify(channels, { ...notification, app: db });
  };

  return {
    async claimBackup(input: ClaimBackupInput): Promise<ClaimBackupResult> {
      if (!database(input.database)) return { kind: 'unknown-database', reason: `database "${input.database}" is not in the configuration` };
      const claim = await deps.records.claim(input.database, input.backupId, input.at, (held) => isLive(input.database, held));
      if (claim.backupId !== input.backupId) {
        // The running backup was taken before this deployment's migration: it is its restore point.
        if (input.trigger === 'pre-migration') await deps.records.update(input.database, claim.backupId, { coversMigration: true });
        return { kind: 'joined', backupId: claim.backupId };
      }
      const existing = await deps.records.get(input.database, input.backupId);
      if (!existing) {
        // Conditional: a runner that already moved it on is never set back to Pending.
        await deps.records.transition(input.database, input.backupId, 'Pending', {
          backupId: input.backupId,
          database: input.database,
          trigger: input.trigger,
          deploymentId: input.deploymentId,
          ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
          createdAt: input.at,
          blobName: backupBlobName(input.database, input.backupId),
        });
      }
      return { kind: 'claimed', backupId: input.backupId };
    },

    async startBackupExecution(input: StartBackupExecutionInput): Promise<StartBackupExecutionResult> {
      const db = database(input.database);
      if (!db) return { ok: false, reason: `database "${input.database}" is not in the configuration` };
      const execution = await deps.launcher.start(input.backupId, {
        [RunnerEnv.mode]: 'backup',
        [RunnerEnv.database]: db.name,
        [RunnerEnv.backupId]: input.backupId,
        [RunnerEnv.trigger]: input.trigger,
        [RunnerEnv.connectionSecret]: db.connectionStringSecret,
        ...(input.deploymentId ? { [RunnerEnv.deploymentId]: input.deploymentId } : {}),
      });
      await deps.records.update(db.name, input.backupId, { executionName: execution.name });
      return { ok: true, executionName: execution.name };
    },

    async getBackupProgress(input: GetBackupProgressInput): Promise<BackupProgress> {
      const record = await deps.records.get(input.database, input.backupId);
      const execution = input.executionName ? await deps.launcher.get(input.executionName) : undefined;
      return { state: record?.state ?? 'Missing', reason: record?.reason, executionStatus: execution?.status, executionReason: execution?.reason };
    },

    /** The orchestration's verdict when the runner could not give one: nothing partial remains. */
    async failBackup(input: FailBackupInput): Promise<void> {
      const record = await deps.records.get(input.database, input.backupId);
      if (record?.state === 'Complete') return;
      // Failed first: a runner still going sees it and will not complete the backup. Conditional: a
      // runner that completed it since the read above wins, and its blob stays.
      const failed = await deps.records.transition(input.database, input.backupId, 'Failed', { reason: input.reason, finishedAt: deps.now().toISOString() });
      if (!failed.moved && failed.current === 'Complete') return;
      if (record?.executionName) {
        const execution = await deps.launcher.get(record.executionName).catch(() => undefined);
        if (executionRunning(execution?.status)) {
          // Best effort: the record is already Failed; a stop that fails leaves the job to its own replicaTimeout.
          await deps.launcher.stop(record.executionName).catch((error: unknown) => {
            deps.log({ msg: 'stopping the backup execution failed', database: input.database, backupId: input.backupId, error: (error as Error).message });
          });
        }
      }
      await deps.blobs.delete(record?.blobName ?? backupBlobName(input.database, input.backupId));
      deps.log({ msg: 'backup failed', database: input.database, backupId: input.backupId, reason: input.reason });
    },

    async finishBackup(input: FinishBackupInput): Promise<void> {
      await deps.records.release(input.database, input.backupId);
      if (deps.reportBackup) {
        const record = await deps.records.get(input.database, input.backupId);
        if (record) deps.reportBackup(record);
      }
      if (input.state === 'Failed') {
        await alert(input.database, {
          event: 'backup.failed',
          severity: 'critical',
          title: `Backup of ${input.database} failed`,
          text: input.reason ?? 'the backup failed',
          facts: { database: input.database, backupId: input.backupId, trigger: input.trigger },
          dedupKey: `backup-failed-${input.database}`,
        });
      }
    },

    async prepareDrill(input: BackupDrillInput): Promise<PrepareDrillResult> {
      const db = database(input.database);
      if (!db) return { ok: false, reason: `database "${input.database}" is not in the configuration` };
      const newest = (await deps.records.list(db.name)).filter(isVerifiedBackup).sort((a, b) => b.backupId.localeCompare(a.backupId))[0];
      if (!newest) return { ok: false, reason: `database "${db.name}" has no verified backup to drill` };
      await deps.records.putDrill({ database: db.name, drillId: input.drillId, backupId: newest.backupId, state: 'Running', createdAt: deps.now().toISOString() });
      const execution = await deps.launcher.start(`drill-${input.drillId}`, {
        [RunnerEnv.mode]: 'drill',
        [RunnerEnv.database]: db.name,
        [RunnerEnv.backupId]: newest.backupId,
        [RunnerEnv.drillId]: input.drillId,
        [RunnerEnv.connectionSecret]: db.connectionStringSecret,
      });
      return { ok: true, backupId: newest.backupId, executionName: execution.name };
    },

    async getDrillProgress(input: GetDrillProgressInput): Promise<DrillProgress> {
      const record = await deps.records.getDrill(input.database, input.drillId);
      const execution = await deps.launcher.get(input.executionName);
      return { state: record?.state ?? 'Missing', reason: record?.reason, executionStatus: execution?.status, executionReason: execution?.reason };
    },

    async finishDrill(input: FinishDrillInput): Promise<void> {
      const record = await deps.records.getDrill(input.database, input.drillId);
      if (input.state === 'Failed' && record?.state !== 'Failed') {
        await deps.records.putDrill({ database: input.database, drillId: input.drillId, backupId: input.backupId, state: 'Failed', reason: input.reason, finishedAt: deps.now().toISOString() });
      }
      // The drill's verdict is the backup's: a backup that did not restore is no longer verified.
      if (input.backupId) await deps.records.update(input.database, input.backupId, { drillState: input.state, drillId: input.drillId });
      if (input.state === 'Failed') {
        const demoted = input.backupId ? `; backup ${input.backupId} no longer counts as verified` : '';
        await alert(input.database, {
          event: 'backup.drill-failed',
          severity: 'critical',
          title: `Restore drill of ${input.database} failed`,
          text: `${input.reason ?? 'the restore drill failed'}${demoted}`,
          facts: { database: input.database, drillId: input.drillId, backupId: input.backupId ?? '-' },
          dedupKey: `backup-drill-${input.database}`,
        });
      }
    },

    /** Plans GFS retention for one database; unless `dryRun`, deletes what the plan removes (blob, then record), logging each. */
    async applyRetention(name: string, options: { dryRun: boolean }): Promise<RetentionPlan> {
      const db = database(name);
      if (!db) throw new Error(`database "${name}" is not in the configuration`);
      const complete = (await deps.records.list(db.name)).filter((r) => r.state === 'Complete');
      const plan = planRetention(complete, db.retention, deps.now());
      for (const decision of plan.remove) {
        deps.log({ msg: options.dryRun ? 'retention (dry run) would delete' : 'retention deleting', database: db.name, backupId: decision.backupId, why: decision.explanation });
        if (options.dryRun) continue;
        await deps.blobs.delete(backupBlobName(db.name, decision.backupId));
        await deps.records.delete(db.name, decision.backupId);
      }
      return plan;
    },

    /** Read only (the status API): the verdict and the newest verified backup, no alert. */
    freshness: (name: string) => freshness(name),

    /** The verdict, alerting when it changed since the last check (stale → alert, fresh again → resolve). */
    async checkFreshness(name: string): Promise<FreshnessVerdict> {
      const { verdict } = await freshness(name, { record: true });
      const previous = await deps.records.getAlertState(name, 'freshness');
      const current = verdict.verdict === 'stale' ? 'stale' : 'ok';
      if (current !== (previous ?? 'ok')) {
        await alert(name, {
          event: current === 'stale' ? 'backup.stale' : 'backup.fresh',
          severity: current === 'stale' ? 'critical' : 'info',
          title: current === 'stale' ? `Backups of ${name} are stale` : `Backups of ${name} are current again`,
          text: verdict.reason,
          dedupKey: `backup-stale-${name}`,
          resolved: current === 'ok',
        });
        await deps.records.setAlertState(name, 'freshness', current);
      }
      return verdict;
    },
  };
}

export type BackupActivities = ReturnType<typeof createBackupActivities>;

/** Whether a job execution status means it is still going. */
export function executionRunning(status: string | undefined): boolean {
  return status !== undefined && RUNNING_EXECUTION.has(status);
}
