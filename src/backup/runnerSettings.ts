/**
 * The runner's settings, from its environment: the job's own settings (same names as the
 * Function app's: storage, Key Vault, credential, CA for the local stack) plus the per-execution
 * override (database, backup id, trigger...). The job has only blob and table endpoints (no
 * queue), so the app's full readSettings does not apply; this reads the subset the runner needs
 * and names every bad variable at once.
 */
import path from 'node:path';
import { z } from 'zod';
import { ConfigurationError, type ConfigurationProblem } from '../config/configurationError';
import { isBackupTrigger, RunnerEnv, type BackupTrigger, type RunnerMode } from '../domain/backup';

import type { StorageAccess } from '../adapters/azure/storageAccess';

export type RunnerStorage = StorageAccess;

export interface RunnerSettings {
  readonly mode: RunnerMode;
  readonly database: string;
  readonly backupId: string;
  readonly trigger: BackupTrigger;
  readonly deploymentId?: string;
  readonly connectionSecret: string;
  readonly drillId?: string;
  readonly executionName?: string;
  readonly storage: RunnerStorage;
  readonly container: string;
  readonly keyVaultUrl: string;
  readonly credential: 'managed-identity' | 'local-dev';
  readonly azureClientId?: string;
  readonly caCertPath?: string;
  readonly pgBinDir?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function readRunnerSettings(env: Env, cwd = process.cwd()): RunnerSettings {
  const problems: ConfigurationProblem[] = [];
  const get = getter(env);
  const required = (name: string): string => {
    const value = get(name);
    if (!value) problems.push({ path: name, message: 'is required' });
    return value ?? '';
  };
  const mode = (get(RunnerEnv.mode) ?? 'backup') as RunnerMode;
  if (mode !== 'backup' && mode !== 'drill') problems.push({ path: RunnerEnv.mode, message: 'must be "backup" or "drill"' });
  const database = required(RunnerEnv.database);
  const backupId = required(RunnerEnv.backupId);
  const triggerText = get(RunnerEnv.trigger) ?? 'manual';
  if (!isBackupTrigger(triggerText)) problems.push({ path: RunnerEnv.trigger, message: 'must be "schedule", "manual" or "pre-migration"' });
  const connectionSecret = required(RunnerEnv.connectionSecret);
  const drillId = get(RunnerEnv.drillId);
  if (mode === 'drill' && !drillId) problems.push({ path: RunnerEnv.drillId, message: 'is required in drill mode' });

  const shared = readSharedSettings(get, problems);
  const keyVaultUrl = required('HARBORMASTER_KEY_VAULT_URL');
  if (keyVaultUrl && !z.url({ protocol: /^https$/ }).safeParse(keyVaultUrl).success) problems.push({ path: 'HARBORMASTER_KEY_VAULT_URL', message: 'must be an https URL' });
  if (problems.length > 0 || !shared.storage) throw new ConfigurationError('backup runner environment', problems);

  const caCertPath = get('HARBORMASTER_CA_CERT_PATH');
  return {
    mode,
    database,
    backupId,
    trigger: triggerText as BackupTrigger,
    deploymentId: get(RunnerEnv.deploymentId),
    connectionSecret,
    drillId,
    executionName: get('CONTAINER_APP_JOB_EXECUTION_NAME'),
    storage: shared.storage,
    container: shared.container,
    keyVaultUrl,
    credential: shared.credential,
    azureClientId: shared.azureClientId,
    caCertPath: caCertPath ? path.resolve(cwd, caCertPath) : undefined,
    pgBinDir: shared.pgBinDir,
  };
}

/** What the restore CLI needs from its environment: the runner's storage, container, credential and pg tools. */
export interface RestoreSettings {
  readonly storage: RunnerStorage;
  readonly container: string;
  readonly credential: 'managed-identity' | 'local-dev';
  readonly azureClientId?: string;
  readonly pgBinDir?: string;
}

export function readRestoreSettings(env: Env): RestoreSettings {
  const problems: ConfigurationProblem[] = [];
  const shared = readSharedSettings(getter(env), problems);
  if (problems.length > 0 || !shared.storage) throw new ConfigurationError('restore environment', problems);
  return { ...shared, storage: shared.storage };
}

function getter(env: Env): (name: string) => string | undefined {
  return (name) => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
}

/** Storage, container, credential and pg tools: the same variables, and rules, for the runner and the restore CLI. */
function readSharedSettings(get: (name: string) => string | undefined, problems: ConfigurationProblem[]): Omit<RestoreSettings, 'storage'> & { storage?: RunnerStorage } {
  let storage: RunnerStorage | undefined;
  const connectionString = get('AzureWebJobsStorage');
  const blobServiceUri = get('AzureWebJobsStorage__blobServiceUri');
  const tableServiceUri = get('AzureWebJobsStorage__tableServiceUri');
  if (connectionString) storage = { kind: 'connectionString', connectionString };
  else if (blobServiceUri && tableServiceUri) storage = { kind: 'identity', blobServiceUri, tableServiceUri, clientId: get('AzureWebJobsStorage__clientId') ?? get('AZURE_CLIENT_ID') };
  else problems.push({ path: 'AzureWebJobsStorage', message: 'is required (or AzureWebJobsStorage__blobServiceUri and AzureWebJobsStorage__tableServiceUri)' });

  const container = get('HARBORMASTER_BACKUP_CONTAINER') ?? 'backups';
  if (!/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/.test(container)) problems.push({ path: 'HARBORMASTER_BACKUP_CONTAINER', message: 'must be a blob container name' });
  const credential = get('HARBORMASTER_CREDENTIAL') ?? 'managed-identity';
  if (credential !== 'managed-identity' && credential !== 'local-dev') problems.push({ path: 'HARBORMASTER_CREDENTIAL', message: 'must be "managed-identity" or "local-dev"' });
  return {
    storage,
    container,
    credential: credential as RestoreSettings['credential'],
    azureClientId: get('AZURE_CLIENT_ID'),
    pgBinDir: get('HARBORMASTER_PG_BIN_DIR'),
  };
}
