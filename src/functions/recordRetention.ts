/**
 * The daily prune of Harbormaster's own records past their retention (what goes and what is
 * always kept: src/activities/retention/recordPruner.ts).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getBackupServices } from '../activities/backup/backupServices';
import { pruneRecords } from '../activities/retention/recordPruner';
import { getServices } from '../composition/services';

/** Every day at 03:30 UTC. */
export const PRUNE_RECORDS_SCHEDULE = '0 30 3 * * *';

export async function pruneRecordsDaily(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  const backupServices = getBackupServices();
  const retentionDays = services.config.settings.recordRetentionDays;
  const report = await pruneRecords(
    {
      apps: services.config.apps.apps.map((a) => a.name),
      groups: (services.config.apps.groups ?? []).map((g) => g.name),
      databases: services.config.apps.databases.map((d) => d.name),
      retentionDays,
      deliveries: services.deliveries,
      deployments: services.deployments,
      ledger: services.ledger,
      appState: services.appState,
      backups: backupServices.records,
      backupBlobs: backupServices.blobs,
      healthHistory: services.healthHistory,
      absences: services.absences,
    },
    new Date(),
  );
  context.info(JSON.stringify({ msg: 'records pruned', retentionDays, ...report }));
}

export function registerRecordRetention(): void {
  app.timer('pruneRecords', { schedule: PRUNE_RECORDS_SCHEDULE, handler: pruneRecordsDaily });
}
