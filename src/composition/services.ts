/**
 * The composition root: the one place that turns settings into real clients and wires them
 * into the ports activities and triggers use. Built lazily on first use, so loading the app
 * (and listing its functions) needs no network.
 */
import fs from 'node:fs';
import { getConfig, type HarbormasterConfig, type StorageSettings } from '../config';
import type { TokenCredential } from '@azure/core-auth';
import type { BlobTarget } from '../adapters/backupStore/backupBlobStore';
import type { StorageAccess } from '../adapters/azure/storageAccess';
import { ArmContainerAppsGateway } from '../adapters/containerApps/armContainerAppsGateway';
import { createAzureClientOptions } from '../adapters/azure/clientOptions';
import { createAzureAccess } from '../adapters/azure/storageAccess';
import { createHealthEndpointProbe } from '../adapters/health/healthEndpointProbe';
import { createHttpAgent } from '../adapters/http/httpAgent';
import { ArmJobsGateway } from '../adapters/jobs/armJobsGateway';
import { KeyVaultSecretReader } from '../adapters/keyvault/keyVaultSecretReader';
import { NotificationDispatcher } from '../adapters/notify/notificationDispatcher';
import type { Notification } from '../adapters/notify/notification';
import { OciRegistryClient } from '../adapters/registry/ociRegistryClient';
import { AbsenceStore } from '../adapters/storage/absenceStore';
import { AppStateStore } from '../adapters/storage/appStateStore';
import { DeliveryStore } from '../adapters/storage/deliveryStore';
import { DeploymentStore } from '../adapters/storage/deploymentStore';
import { ReleaseLedgerStore } from '../adapters/storage/releaseLedgerStore';
import { DeploySlotStore } from '../adapters/storage/deploySlotStore';
import { createSlotActivities, type SlotActivities } from '../activities/deployment/createSlotActivities';
import { createReleaseActivities, type ReleaseActivities } from '../activities/deployment/createReleaseActivities';
import { TableProvider } from '../adapters/storage/tables';
import { createDeploymentActivities, type DeploymentActivities } from '../activities/deployment/createDeploymentActivities';
import { createAnalysisActivities, type AnalysisActivities } from '../activities/analysis/createAnalysisActivities';
import { createAnalysisProviders } from '../activities/analysis/analysisProviders';
import { createHookActivities, type HookActivities } from '../activities/hooks/createHookActivities';
import { createHealthSweep, type HealthSweep } from '../activities/sweep/healthSweep';
import { ArmMetricsFacts } from '../adapters/metrics/armMetricsFacts';
import { MonitorMetricsReader } from '../adapters/metrics/monitorMetricsReader';
import { LogAnalyticsReader } from '../adapters/logs/logAnalyticsReader';
import { HealthHistoryStore } from '../adapters/storage/healthHistoryStore';
import { BackupIndex } from '../adapters/backupStore/backupIndex';
import { createBackupAgeReader } from '../activities/sweep/backupAges';

export interface Services {
  config: HarbormasterConfig;
  /** The credential of every Azure client. */
  credential: TokenCredential;
  /** Where backups are stored (the app's own storage account). */
  blobTarget: BlobTarget;
  tables: TableProvider;
  deployments: DeploymentStore;
  appState: AppStateStore;
  /** Since when apps and databases with records have been missing from the configuration (the daily prune's). */
  absences: AbsenceStore;
  deliveries: DeliveryStore;
  containerApps: ArmContainerAppsGateway;
  notifications: NotificationDispatcher;
  deploymentActivities: DeploymentActivities & ReleaseActivities & AnalysisActivities & HookActivities & SlotActivities;
  ledger: ReleaseLedgerStore;
  readSecret: (name: string) => Promise<string>;
  registry: OciRegistryClient;
  healthHistory: HealthHistoryStore;
  healthSweep: HealthSweep;
  /** The Container Apps environments' deployment slots. */
  deploySlots: DeploySlotStore;
}

let services: Services | undefined;

export function getServices(): Services {
  services ??= createServices(getConfig());
  return services;
}

export function createServices(config: HarbormasterConfig): Services {
  const { settings, apps } = config;
  const { credential, storage } = createAzureAccess(settings.credential, settings.azureClientId, storageAccessOf(settings.storage));
  const local = settings.localStack;
  const azureOptions = createAzureClientOptions({ armEndpoint: local.armEndpoint, caCertPath: local.caCertPath, pollIntervalMs: local.pollIntervalMs });
  const http = createHttpAgent({ connectTo: local.connectTo, caCertPath: local.caCertPath });
  // Health probes reach each origin once per sweep (or one at a time in a health-wait): no pools.
  const probeHttp = createHttpAgent({ connectTo: local.connectTo, caCertPath: local.caCertPath, singleConnectionPerOrigin: true });
  const probe = createHealthEndpointProbe(probeHttp);

  const tables = new TableProvider(storage.table);
  const deployments = new DeploymentStore(tables);

  const keyVault = settings.keyVaultUrl
    ? new KeyVaultSecretReader(settings.keyVaultUrl, credential, {
        disableChallengeResourceVerification: Boolean(local.caCertPath),
        tlsCa: local.caCertPath ? [fs.readFileSync(local.caCertPath, 'utf8')] : undefined,
      })
    : undefined;
  const readSecret = async (name: string): Promise<string> => {
    if (!keyVault) throw new Error(`Secret "${name}" needs HARBORMASTER_KEY_VAULT_URL`);
    return keyVault.read(name);
  };
  const notifications = new NotificationDispatcher(apps.notifications, readSecret, http);
  const containerApps = new ArmContainerAppsGateway(credential, azureOptions);
  const registry = new OciRegistryClient(http, credential);
  const appState = new AppStateStore(tables);
  const ledger = new ReleaseLedgerStore(tables);
  const deploySlots = new DeploySlotStore(tables);
  const jobs = new ArmJobsGateway(credential, azureOptions);
  const notify = (channels: readonly string[], notification: Notification) => notifications.send(channels, notification);
  const healthHistory = new HealthHistoryStore(tables, { retentionHours: settings.healthHistoryHours });
  const metrics = new MonitorMetricsReader(credential, { endpoint: local.metricsEndpoint, tlsOptions: azureOptions.sdk.tlsOptions, retryOptions: azureOptions.sdk.retryOptions });
  const metricsFacts = new ArmMetricsFacts(credential, azureOptions);
  const logs = new LogAnalyticsReader(credential, { endpoint: local.logsEndpoint, tlsOptions: azureOptions.sdk.tlsOptions, retryOptions: azureOptions.sdk.retryOptions });
  const healthSweep = createHealthSweep({
    apps: apps.apps,
    channels: apps.notifications,
    containerApps,
    metrics,
    metricsFacts,
    probe,
    runningDeployment: async (name) => (await appState.get(name)).running,
    runningDeployments: () => appState.listRunning(),
    readBackupAges: createBackupAgeReader({ index: new BackupIndex(tables), databases: apps.databases, now: () => new Date() }),
    history: healthHistory,
    notify: (channels, notification) => notifications.send(channels, notification),
    options: { concurrency: settings.sweepConcurrency, alertReminderMinutes: settings.alertReminderMinutes },
  });

  return {
    config,
    credential,
    blobTarget: storage.blob,
    tables,
    deployments,
    appState,
    absences: new AbsenceStore(tables),
    deliveries: new DeliveryStore(tables),
    containerApps,
    notifications,
    readSecret,
    registry,
    healthHistory,
    healthSweep,
    ledger,
    deploySlots,
    deploymentActivities: {
      ...createDeploymentActivities({ containerApps, jobs, registry, probe, deployments, ledger, notify }),
      ...createReleaseActivities({ apps: apps.apps, containerApps, jobs, ledger, notify }),
      ...createAnalysisActivities({ providerFor: createAnalysisProviders({ metrics, metricsFacts, http, jobs, logs }), now: () => new Date() }),
      ...createHookActivities({ jobs, http, readSecret, now: () => new Date() }),
      ...createSlotActivities({ slots: deploySlots, deployments }),
    },
  };
}

/** The app's storage settings as the access factory takes them (the connection string revealed here only). */
function storageAccessOf(storage: StorageSettings): StorageAccess {
  return storage.kind === 'connectionString'
    ? { kind: 'connectionString', connectionString: storage.connectionString.reveal() }
    : { kind: 'identity', blobServiceUri: storage.blobServiceUri, tableServiceUri: storage.tableServiceUri, clientId: storage.clientId };
}
