/**
 * The app settings, read once into one typed object. `readSettings` is pure (the environment
 * comes in as an argument) and reports every bad setting at once in a ConfigurationError naming
 * each setting; values are never echoed, since several are secrets.
 *
 * The definitions (validation, defaults, docs) live in settingsCatalog.ts; this file shapes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigurationError, type ConfigurationProblem } from './configurationError';
import type { ApiKey } from '../domain/access';
import type { SecretValue } from './secretValue';
import { SETTING_DEFINITIONS, type SettingName } from './settingsCatalog';

export { SETTINGS_CATALOG, type SettingCatalogEntry, type SettingName } from './settingsCatalog';

/** Harbormaster's own storage account: a connection string, or endpoints reached with a managed identity. */
export type StorageSettings =
  | { readonly kind: 'connectionString'; readonly connectionString: SecretValue }
  | {
      readonly kind: 'identity';
      readonly blobServiceUri: string;
      readonly queueServiceUri: string;
      readonly tableServiceUri: string;
      /** User-assigned identity; undefined = AZURE_CLIENT_ID, then the system-assigned identity. */
      readonly clientId?: string;
    };

/** The Container Apps Job that runs backups. */
export interface BackupJobSettings {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

/** One secret per registry source; undefined = that source is refused. */
export interface WebhookSecrets {
  readonly acr?: SecretValue;
  readonly eventGrid?: SecretValue;
  readonly dockerHub?: SecretValue;
  readonly ghcr?: SecretValue;
}

/** Who may call the API: API keys, and whether the signed-in user's header is trusted. */
export interface AccessSettings {
  readonly keys: readonly ApiKey[];
  /** WEBSITE_AUTH_ENABLED: App Service authentication runs in front of the app. */
  readonly trustPrincipal: boolean;
}

export type CredentialKind = 'managed-identity' | 'local-dev';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Endpoint overrides for the local stack; all undefined in Azure. */
export interface LocalStackSettings {
  readonly armEndpoint?: string;
  readonly metricsEndpoint?: string;
  readonly logsEndpoint?: string;
  /** `HARBORMASTER_DEV_CONNECT_TO`, unparsed (src/adapters/http/connectTo.ts parses it). */
  readonly connectTo?: string;
  /** Absolute (a relative setting resolves against the app root). */
  readonly caCertPath?: string;
  readonly pollIntervalMs?: number;
}

export interface Settings {
  readonly storage: StorageSettings;
  /** The app root: AzureWebJobsScriptRoot, or the folder holding host.json. */
  readonly appRoot: string;
  /** Absolute path of the apps configuration file. */
  readonly configPath: string;
  /** NCRONTAB, six fields. */
  readonly reconcileSchedule: string;
  /** NCRONTAB, six fields. */
  readonly sweepSchedule: string;
  readonly sweepConcurrency: number;
  readonly alertReminderMinutes: number;
  /** Finished records older than this many days are pruned (deliveries, deployments, failed backups, superseded releases). */
  readonly recordRetentionDays: number;
  /** Health sweep results older than this many hours are pruned. */
  readonly healthHistoryHours: number;
  readonly keyVaultUrl?: string;
  readonly backup: { readonly container: string; readonly job?: BackupJobSettings };
  readonly webhookSecrets: WebhookSecrets;
  readonly access: AccessSettings;
  /** Application Insights; undefined: telemetry stays in this process (logs and GET /api/metrics). */
  readonly telemetry: { readonly connectionString?: string };
  readonly credential: CredentialKind;
  /** Managed identity client id (AZURE_CLIENT_ID). */
  readonly azureClientId?: string;
  readonly durableTaskHub: string;
  readonly logLevel: LogLevel;
  readonly localStack: LocalStackSettings;
  /** True when WEBSITE_INSTANCE_ID is set (Azure sets it on every instance). */
  readonly runningInAzure: boolean;
}

export interface ReadSettingsOptions {
  /** Where relative paths resolve when AzureWebJobsScriptRoot is unset (default: the folder holding host.json above this module). */
  readonly appRoot?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

const SETTINGS_SOURCE = 'app settings';

// Unset and blank are the same thing: Azure portal users clear a setting by blanking it.
const envSchema = z.object(
  Object.fromEntries(Object.entries(SETTING_DEFINITIONS).map(([name, definition]) => [name, definition.schema])) as {
    [K in SettingName]: (typeof SETTING_DEFINITIONS)[K]['schema'];
  },
);

type RawSettings = z.output<typeof envSchema>;

/** Reads and validates every setting. Throws ConfigurationError naming each bad setting. */
export function readSettings(env: Environment = process.env, options: ReadSettingsOptions = {}): Settings {
  const problems: ConfigurationProblem[] = [];
  const input: Record<string, string> = {};
  for (const name of Object.keys(SETTING_DEFINITIONS)) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    // In Azure an unresolvable Key Vault reference stays in the setting as its literal text.
    if (value.trim().startsWith('@Microsoft.KeyVault(')) {
      problems.push({ path: name, message: 'is a Key Vault reference that Azure could not resolve (check the vault URI and that the app\'s identity has the Key Vault Secrets User role)' });
      continue;
    }
    input[name] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      // Only a missing value is "required"; a present but unparsable one (coerced to NaN) keeps its message.
      const message = issue.code === 'invalid_type' && input[name] === undefined ? 'is required' : issue.message;
      problems.push({ path: name, message });
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigurationError(SETTINGS_SOURCE, problems);

  const raw = parsed.data;
  const storage = storageFrom(raw, problems);
  const backupJob = backupJobFrom(raw, problems);
  const runningInAzure = raw.WEBSITE_INSTANCE_ID !== undefined;
  if (runningInAzure && raw.HARBORMASTER_CREDENTIAL === 'local-dev') {
    problems.push({ path: 'HARBORMASTER_CREDENTIAL', message: '"local-dev" is for the local stack and is refused when running in Azure' });
  }
  if (runningInAzure && raw.HARBORMASTER_DEV_CONNECT_TO !== undefined) {
    problems.push({ path: 'HARBORMASTER_DEV_CONNECT_TO', message: 'is a dev-only seam and is refused when running in Azure' });
  }
  if (problems.length > 0 || !storage) throw new ConfigurationError(SETTINGS_SOURCE, problems);

  const appRoot = path.resolve(raw.AzureWebJobsScriptRoot ?? options.appRoot ?? defaultAppRoot());
  return {
    storage,
    appRoot,
    configPath: path.resolve(appRoot, raw.HARBORMASTER_CONFIG_PATH),
    reconcileSchedule: raw.HARBORMASTER_RECONCILE_SCHEDULE,
    sweepSchedule: raw.HARBORMASTER_SWEEP_SCHEDULE,
    sweepConcurrency: raw.HARBORMASTER_SWEEP_CONCURRENCY,
    alertReminderMinutes: raw.HARBORMASTER_ALERT_REMINDER_MINUTES,
    recordRetentionDays: raw.HARBORMASTER_RECORD_RETENTION_DAYS,
    healthHistoryHours: raw.HARBORMASTER_HEALTH_HISTORY_HOURS,
    keyVaultUrl: raw.HARBORMASTER_KEY_VAULT_URL,
    backup: { container: raw.HARBORMASTER_BACKUP_CONTAINER, job: backupJob },
    webhookSecrets: {
      acr: raw.WEBHOOK_SECRET_ACR,
      eventGrid: raw.WEBHOOK_SECRET_EVENTGRID,
      dockerHub: raw.WEBHOOK_SECRET_DOCKERHUB,
      ghcr: raw.WEBHOOK_SECRET_GHCR,
    },
    telemetry: { connectionString: raw.APPLICATIONINSIGHTS_CONNECTION_STRING },
    access: { keys: raw.HARBORMASTER_API_KEYS ?? [], trustPrincipal: raw.WEBSITE_AUTH_ENABLED ?? false },
    credential: raw.HARBORMASTER_CREDENTIAL,
    azureClientId: raw.AZURE_CLIENT_ID,
    durableTaskHub: raw.DURABLE_TASK_HUB,
    logLevel: raw.HARBORMASTER_LOG_LEVEL,
    localStack: {
      armEndpoint: raw.HARBORMASTER_ARM_ENDPOINT,
      metricsEndpoint: raw.HARBORMASTER_METRICS_ENDPOINT,
      logsEndpoint: raw.HARBORMASTER_LOGS_ENDPOINT,
      connectTo: raw.HARBORMASTER_DEV_CONNECT_TO,
      caCertPath: raw.HARBORMASTER_CA_CERT_PATH === undefined ? undefined : path.resolve(appRoot, raw.HARBORMASTER_CA_CERT_PATH),
      pollIntervalMs: raw.HARBORMASTER_POLL_INTERVAL_MS,
    },
    runningInAzure,
  };
}

const IDENTITY_URI_SETTINGS = [
  'AzureWebJobsStorage__blobServiceUri',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
] as const;

function storageFrom(raw: RawSettings, problems: ConfigurationProblem[]): StorageSettings | undefined {
  const identityUris = IDENTITY_URI_SETTINGS.filter((name) => raw[name] !== undefined);
  const usesIdentity = raw.AzureWebJobsStorage__accountName !== undefined || identityUris.length > 0;
  if (raw.AzureWebJobsStorage && usesIdentity) {
    problems.push({ path: 'AzureWebJobsStorage', message: 'is set together with identity-based AzureWebJobsStorage__* settings; set one or the other' });
    return undefined;
  }
  if (raw.AzureWebJobsStorage) return { kind: 'connectionString', connectionString: raw.AzureWebJobsStorage };
  if (!usesIdentity) {
    problems.push({ path: 'AzureWebJobsStorage', message: 'is required (or the identity-based AzureWebJobsStorage__accountName / __blobServiceUri, __queueServiceUri, __tableServiceUri)' });
    return undefined;
  }
  const account = raw.AzureWebJobsStorage__accountName;
  if (!account && identityUris.length < IDENTITY_URI_SETTINGS.length) {
    for (const name of IDENTITY_URI_SETTINGS.filter((n) => raw[n] === undefined)) {
      problems.push({ path: name, message: 'is required when storage is identity-based without AzureWebJobsStorage__accountName' });
    }
    return undefined;
  }
  const derived = (service: string) => `https://${account}.${service}.core.windows.net`;
  return {
    kind: 'identity',
    blobServiceUri: raw.AzureWebJobsStorage__blobServiceUri ?? derived('blob'),
    queueServiceUri: raw.AzureWebJobsStorage__queueServiceUri ?? derived('queue'),
    tableServiceUri: raw.AzureWebJobsStorage__tableServiceUri ?? derived('table'),
    clientId: raw.AzureWebJobsStorage__clientId ?? raw.AZURE_CLIENT_ID,
  };
}

const BACKUP_JOB_SETTINGS = [
  'HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID',
  'HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP',
  'HARBORMASTER_BACKUP_JOB_NAME',
] as const;

function backupJobFrom(raw: RawSettings, problems: ConfigurationProblem[]): BackupJobSettings | undefined {
  const missing = BACKUP_JOB_SETTINGS.filter((name) => raw[name] === undefined);
  if (missing.length === BACKUP_JOB_SETTINGS.length) return undefined;
  if (missing.length > 0) {
    for (const name of missing) problems.push({ path: name, message: 'is required: the backup job is named by subscription, resource group and name together' });
    return undefined;
  }
  return {
    subscriptionId: raw.HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID as string,
    resourceGroup: raw.HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP as string,
    name: raw.HARBORMASTER_BACKUP_JOB_NAME as string,
  };
}

let cachedAppRoot: string | undefined;

/**
 * The folder holding host.json above this module (dist/src/config → the repository or the
 * deployed package root). Found by walking up rather than counting `..`, so it holds for the
 * TypeScript sources and the compiled output alike.
 */
export function defaultAppRoot(): string {
  if (cachedAppRoot) return cachedAppRoot;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'host.json'))) return (cachedAppRoot = dir);
    const parent = path.dirname(dir);
    if (parent === dir) return (cachedAppRoot = process.cwd());
    dir = parent;
  }
}
