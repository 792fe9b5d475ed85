/**
 * The backup services, wired from the app's configuration and the shared composition root's
 * pieces (tables, Key Vault reader, notifications). Built lazily on first use, like the rest.
 */
import { getServices, type Services } from '../../composition/services';
import { createAzureClientOptions } from '../../adapters/azure/clientOptions';
import { BackupBlobStore } from '../../adapters/backupStore/backupBlobStore';
import { ArmBackupJobLauncher, type BackupJobLauncher } from '../../adapters/backupStore/backupJobLauncher';
import { BackupIndex } from '../../adapters/backupStore/backupIndex';
import { BackupRecordStore } from '../../adapters/backupStore/backupRecordStore';
import { ArmJobsGateway } from '../../adapters/jobs/armJobsGateway';
import { createBackupActivities, type BackupActivities } from './createBackupActivities';
import { reportFinishedBackup } from '../../telemetry/backupTelemetry';

export interface BackupServices {
  readonly records: BackupRecordStore;
  readonly blobs: BackupBlobStore;
  readonly activities: BackupActivities;
}

let backupServices: BackupServices | undefined;

export function getBackupServices(): BackupServices {
  backupServices ??= createBackupServices(getServices());
  return backupServices;
}

export function createBackupServices(services: Services): BackupServices {
  const { settings, apps } = services.config;
  const { credential } = services;
  const records = new BackupRecordStore(services.tables);
  const blobs = new BackupBlobStore(services.blobTarget, settings.backup.container);
  const job = settings.backup.job;
  const local = settings.localStack;
  const azureOptions = createAzureClientOptions({ armEndpoint: local.armEndpoint, caCertPath: local.caCertPath, pollIntervalMs: local.pollIntervalMs });
  const launcher: BackupJobLauncher = job
    ? new ArmBackupJobLauncher(job, new ArmJobsGateway(credential, azureOptions), credential, azureOptions)
    : {
        start: () => Promise.reject(new Error('no backup job is configured (HARBORMASTER_BACKUP_JOB_NAME)')),
        get: () => Promise.resolve(undefined),
        stop: () => Promise.resolve(),
      };
  const activities = createBackupActivities({
    databases: apps.databases,
    records,
    index: new BackupIndex(services.tables),
    blobs,
    launcher,
    channelsFor: (database) => [...new Set(apps.apps.filter((a) => a.database === database).flatMap((a) => a.notify))],
    notify: (channels, notification) => services.notifications.send(channels, notification),
    now: () => new Date(),
    log: (line) => console.log(JSON.stringify(line)),
    reportBackup: reportFinishedBackup,
  });
  return { records, blobs, activities };
}
