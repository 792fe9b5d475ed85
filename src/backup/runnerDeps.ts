/** Builds the runner's clients (blob, table, Key Vault) from its settings: the runner's composition root. */
import fs from 'node:fs';
import { createAzureAccess } from '../adapters/azure/storageAccess';
import { BackupBlobStore } from '../adapters/backupStore/backupBlobStore';
import { BackupRecordStore } from '../adapters/backupStore/backupRecordStore';
import { KeyVaultSecretReader } from '../adapters/keyvault/keyVaultSecretReader';
import { TableProvider } from '../adapters/storage/tables';
import type { RunnerDeps } from './backupRunner';
import type { RunnerSettings } from './runnerSettings';

export function createRunnerDeps(settings: RunnerSettings, abortSignal?: AbortSignal): RunnerDeps {
  const { credential, storage } = createAzureAccess(settings.credential, settings.azureClientId, settings.storage);
  const tables = new TableProvider(storage.table);
  const blobs = new BackupBlobStore(storage.blob, settings.container);
  const keyVault = new KeyVaultSecretReader(settings.keyVaultUrl, credential, {
    disableChallengeResourceVerification: Boolean(settings.caCertPath),
    tlsCa: settings.caCertPath ? [fs.readFileSync(settings.caCertPath, 'utf8')] : undefined,
  });
  return {
    blobs,
    records: new BackupRecordStore(tables),
    readSecret: keyVault.read,
    now: () => new Date(),
    pgBinDir: settings.pgBinDir,
    abortSignal,
    log: (line) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`),
  };
}
