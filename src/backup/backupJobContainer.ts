/**
 * The backup job's container as the local stack (and tests) define it in the Jobs simulator: the
 * runner's command plus the job-level settings the runner reads (the same names as the Function
 * app's). In Azure, infra/modules/backupJob.bicep defines the same thing with a managed identity
 * and the image's ENTRYPOINT instead of a command. Per-backup values (database, backup id,
 * trigger...) are never here: they arrive as each execution's override.
 */
export interface BackupJobContainerOptions {
  /** Job secret (configuration.secrets[].name) holding the storage connection string. */
  readonly storageSecretName: string;
  readonly blobContainer: string;
  readonly keyVaultUrl: string;
  /** Local stack: the simulator's CA, so the runner trusts the Key Vault simulator. */
  readonly caCertPath?: string;
  readonly image?: string;
}

/**
 * Node flags of the runner. `--max-semi-space-size=1` (MB): a dump allocates a steady stream of
 * short-lived chunks, and V8 otherwise keeps growing the young generation (to 16 MB semi-spaces)
 * the longer the allocation goes on, so peak RSS grew with the database's size. bench:backup,
 * 100 MB → 1 GB database: no flag 131 → 153 MB (+16 %); 4 MB 120 → 140 (+16 %); 2 MB 124 → 129
 * and 123 → 135 (+4 %, +10 %); 1 MB 122 → 125 (+3 %), throughput unchanged (ratio 0.935).
 * `--expose-gc`: the read-back verification collects its socket buffers by hand (see
 * COLLECT_EVERY_BYTES in backupRunner.ts), which took the 1 GB peak from 135-150 to 129-131 MB.
 */
export const BACKUP_RUNNER_NODE_FLAGS = ['--max-semi-space-size=1', '--expose-gc'] as const;
export const BACKUP_RUNNER_SCRIPT = 'dist/src/backup/runnerCli.js';
export const BACKUP_RUNNER_COMMAND = ['node', ...BACKUP_RUNNER_NODE_FLAGS, BACKUP_RUNNER_SCRIPT] as const;

export function backupJobContainer(options: BackupJobContainerOptions) {
  return {
    name: 'backup-runner',
    image: options.image ?? 'simregistry.azurecr.io/harbormaster-backup:local',
    command: [...BACKUP_RUNNER_COMMAND],
    env: [
      { name: 'AzureWebJobsStorage', secretRef: options.storageSecretName },
      { name: 'HARBORMASTER_BACKUP_CONTAINER', value: options.blobContainer },
      { name: 'HARBORMASTER_KEY_VAULT_URL', value: options.keyVaultUrl },
      { name: 'HARBORMASTER_CREDENTIAL', value: 'local-dev' },
      ...(options.caCertPath ? [{ name: 'HARBORMASTER_CA_CERT_PATH', value: options.caCertPath }] : []),
    ],
  };
}
