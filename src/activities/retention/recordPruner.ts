/**
 * The daily prune of Harbormaster's own records, past a retention age long enough for audit
 * (HARBORMASTER_RECORD_RETENTION_DAYS), never a record still in use:
 * - deliveries, and remembered delivery ids past the replay horizon (they protect nothing after it);
 * - deployments that have finished, except those of each app's current and previous release;
 * - releases the ledger no longer needs (src/domain/rollout/releaseRetention.ts: never the current
 *   or previous one, never a failed or rolled-back one);
 * - Failed backup records and finished drills (Complete backups go with their blobs, by retention);
 * - health sweep results past their own, shorter retention, of every app ever swept;
 * - what is kept per app or database of those that left the configuration, once they have been
 *   gone for the whole retention (src/domain/retention/removedFromConfig.ts; one removed by mistake
 *   and put back keeps everything): an app's releases unchanged for the retention, its deployment
 *   state, health state and silences; a database's finished backups (Complete ones with their
 *   blobs: no retention runs for a database that is not configured), its claim and alert states.
 */
import type { BackupRecordStore } from '../../adapters/backupStore/backupRecordStore';
import type { BackupBlobStore } from '../../adapters/backupStore/backupBlobStore';
import type { AbsenceStore, AbsentKind } from '../../adapters/storage/absenceStore';
import type { AppStateStore } from '../../adapters/storage/appStateStore';
import type { DeliveryStore } from '../../adapters/storage/deliveryStore';
import type { DeploymentStore } from '../../adapters/storage/deploymentStore';
import type { HealthHistoryStore } from '../../adapters/storage/healthHistoryStore';
import type { ReleaseLedgerStore } from '../../adapters/storage/releaseLedgerStore';
import { backupBlobName, isTerminalBackupState } from '../../domain/backup';
import { groupQueueKey } from '../../domain/deployment/groupDeployment';
import { DELIVERY_REPLAY_HORIZON_MS } from '../../domain/push/replayWindow';
import { decideAbsences } from '../../domain/retention';
import { releasesInUse, releasesToPrune } from '../../domain/rollout';

export interface RecordPrunerDeps {
  /** The configured apps, release groups and databases. */
  readonly apps: readonly string[];
  readonly groups: readonly string[];
  readonly databases: readonly string[];
  readonly retentionDays: number;
  readonly deliveries: Pick<DeliveryStore, 'prune'>;
  readonly deployments: Pick<DeploymentStore, 'prune'>;
  readonly ledger: Pick<ReleaseLedgerStore, 'list' | 'delete' | 'listApps'>;
  readonly appState: Pick<AppStateStore, 'listApps' | 'delete'>;
  readonly backups: Pick<BackupRecordStore, 'prune' | 'listDatabases' | 'list' | 'delete' | 'deleteClaimAndAlerts'>;
  readonly backupBlobs: Pick<BackupBlobStore, 'delete'>;
  readonly healthHistory: Pick<HealthHistoryStore, 'pruneAll' | 'listStateApps' | 'deleteState'>;
  readonly absences: Pick<AbsenceStore, 'list' | 'note' | 'unnote'>;
}

export interface PruneReport {
  readonly deliveries: number;
  readonly deliveryIds: number;
  readonly deployments: number;
  readonly releases: number;
  readonly failedBackups: number;
  readonly drills: number;
  readonly healthResults: number;
  /** Apps (and release groups) gone from the configuration for the retention whose records went. */
  readonly removedApps: string[];
  /** Databases gone from the configuration for the retention whose backups went. */
  readonly removedDatabases: string[];
  /** Backups of those databases deleted (Complete ones with their blobs). */
  readonly removedDatabaseBackups: number;
}

const DAY_MS = 86_400_000;

export async function pruneRecords(deps: RecordPrunerDeps, now: Date): Promise<PruneReport> {
  const olderThan = new Date(now.getTime() - deps.retentionDays * DAY_MS);
  // The ledger is read first: the deployments of releases in use are kept with them.
  const inUse = new Set<string>();
  let releases = 0;
  for (const app of deps.apps) {
    const ledger = await deps.ledger.list(app);
    for (const release of releasesInUse(ledger)) if (release.deploymentId) inUse.add(release.deploymentId);
    for (const release of releasesToPrune(ledger, olderThan)) {
      await deps.ledger.delete(app, release.revisionName);
      releases++;
    }
  }
  const removedApps = await absentFor(deps, 'app', await appsWithRecords(deps), new Set([...deps.apps, ...deps.groups.map(groupQueueKey)]), now, olderThan);
  for (const app of removedApps) releases += await forgetApp(deps, app, olderThan);
  const deliveries = await deps.deliveries.prune(olderThan, new Date(now.getTime() - DELIVERY_REPLAY_HORIZON_MS));
  const deployments = await deps.deployments.prune(olderThan, (record) => inUse.has(record.id));
  const backups = await deps.backups.prune(olderThan);
  const removedDatabases = await absentFor(deps, 'database', await deps.backups.listDatabases(), new Set(deps.databases), now, olderThan);
  let removedDatabaseBackups = 0;
  for (const database of removedDatabases) removedDatabaseBackups += await forgetDatabase(deps, database, olderThan);
  const healthResults = await deps.healthHistory.pruneAll(now);
  return { ...deliveries, deployments, releases, ...backups, healthResults, removedApps, removedDatabases, removedDatabaseBackups };
}

/** Names of apps (and release groups) some per-app record is kept under. */
async function appsWithRecords(deps: RecordPrunerDeps): Promise<Set<string>> {
  const lists = await Promise.all([deps.ledger.listApps(), deps.appState.listApps(), deps.healthHistory.listStateApps()]);
  return new Set(lists.flat());
}

/** Notes the names newly missing from the configuration, drops the notes of those back, and returns those missing for the retention. */
async function absentFor(deps: RecordPrunerDeps, kind: AbsentKind, withRecords: Iterable<string>, configured: ReadonlySet<string>, now: Date, olderThan: Date): Promise<string[]> {
  const decision = decideAbsences({ withRecords, configured, absentSince: await deps.absences.list(kind), olderThan });
  for (const name of decision.note) await deps.absences.note(kind, name, now);
  for (const name of decision.unnote) await deps.absences.unnote(kind, name);
  return decision.forget;
}

/** An app gone for the retention: its releases unchanged since `olderThan`, its deployment state, health state and silences. Returns how many releases went. */
async function forgetApp(deps: RecordPrunerDeps, app: string, olderThan: Date): Promise<number> {
  let deleted = 0;
  for (const release of await deps.ledger.list(app)) {
    if (Date.parse(release.updatedAt) >= olderThan.getTime()) continue;
    await deps.ledger.delete(app, release.revisionName);
    deleted++;
  }
  await deps.appState.delete(app);
  await deps.healthHistory.deleteState(app);
  return deleted;
}

/** A database gone for the retention: its finished backups created before `olderThan` (Complete ones with their blobs), its claim and alert states. Returns how many backups went. */
async function forgetDatabase(deps: RecordPrunerDeps, database: string, olderThan: Date): Promise<number> {
  let deleted = 0;
  for (const backup of await deps.backups.list(database)) {
    if (!isTerminalBackupState(backup.state) || Date.parse(backup.createdAt) >= olderThan.getTime()) continue;
    // The blob first: a record without its blob would claim a backup that no longer exists.
    if (backup.state === 'Complete') await deps.backupBlobs.delete(backupBlobName(database, backup.backupId));
    await deps.backups.delete(database, backup.backupId);
    deleted++;
  }
  await deps.backups.deleteClaimAndAlerts(database);
  return deleted;
}
