/**
 * The daily prune of Harbormaster's own records, past a retention age long enough for audit
 * (HARBORMASTER_RECORD_RETENTION_DAYS), never a record still in use:
 * - deliveries, and remembered delivery ids past the replay horizon (they protect nothing after it);
 * - deployments that have finished, except those of each app's current and previous release;
 * - releases the ledger no longer needs (src/domain/rollout/releaseRetention.ts: never the current
 *   or previous one, never a failed or rolled-back one);
 * - Failed backup records and finished drills (Complete backups go with their blobs, by retention);
 * - health sweep results past their own, shorter retention, of every app ever swept.
 */
import type { BackupRecordStore } from '../../adapters/backupStore/backupRecordStore';
import type { DeliveryStore } from '../../adapters/storage/deliveryStore';
import type { DeploymentStore } from '../../adapters/storage/deploymentStore';
import type { HealthHistoryStore } from '../../adapters/storage/healthHistoryStore';
import type { ReleaseLedgerStore } from '../../adapters/storage/releaseLedgerStore';
import { DELIVERY_REPLAY_HORIZON_MS } from '../../domain/push/replayWindow';
import { releasesInUse, releasesToPrune } from '../../domain/rollout';

export interface RecordPrunerDeps {
  readonly apps: readonly string[];
  readonly retentionDays: number;
  readonly deliveries: Pick<DeliveryStore, 'prune'>;
  readonly deployments: Pick<DeploymentStore, 'prune'>;
  readonly ledger: Pick<ReleaseLedgerStore, 'list' | 'delete'>;
  readonly backups: Pick<BackupRecordStore, 'prune'>;
  readonly healthHistory: Pick<HealthHistoryStore, 'pruneAll'>;
}

export interface PruneReport {
  readonly deliveries: number;
  readonly deliveryIds: number;
  readonly deployments: number;
  readonly releases: number;
  readonly failedBackups: number;
  readonly drills: number;
  readonly healthResults: number;
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
  const deliveries = await deps.deliveries.prune(olderThan, new Date(now.getTime() - DELIVERY_REPLAY_HORIZON_MS));
  const deployments = await deps.deployments.prune(olderThan, (record) => inUse.has(record.id));
  const backups = await deps.backups.prune(olderThan);
  const healthResults = await deps.healthHistory.pruneAll(now);
  return { ...deliveries, deployments, releases, ...backups, healthResults };
}
