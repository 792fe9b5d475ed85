/** Builds the runner's clients (blob, table, Key Vault) from its settings: the runner's composition root. */
import fs from 'node:fs';
import { createCredential } from '../adapters/azure/credential';
import { BackupBlobStore } from '../adapters/backupStore/backupBlobStore';
import { BackupRecordStore } from '../adapters/backupStore/backupRecordStore';
import { KeyVaultSecretReader } from '../adapters/keyvault/keyVaultSecretReader';
import { TableProvider } from '../adapters/storage/tables';
import type { RunnerDeps } from './backupRunner';
import type { RunnerSettings } from './runnerSettings';

export function createRunnerDeps(settings: RunnerSettings, abortSignal?: AbortSignal): RunnerDeps {
  const credential = createCredential(settings.credential, settings.storage.kind === 'identity' ? settings.storage.clientId : settings.azureClientId);
  const storage = settings.storage;
  const tables = new TableProvider(storage.kind === 'connectionString' ? { connectionString: storage.connectionString } : { tableServiceUri: storage.tableServiceUri, credential });
  const blobs = new BackupBlobStore(storage.kind === 'connectionString' ? { connectionString: storage.connectionString } : { blobServiceUri: storage.blobServiceUri, credential }, settings.container);
  const keyVault = new KeyVaultSecretReader(settings.keyVaultUrl, createCredential(settings.credential, settings.azureClientId), {
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
