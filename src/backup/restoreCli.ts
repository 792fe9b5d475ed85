#!/usr/bin/env node
/**
 * `npm run restore -- <database> <backup-id> --target <connection string>`
 *
 * Streams a verified backup from Blob Storage into `pg_restore` against the target database (which
 * must exist; an empty one is best). The target's password reaches pg_restore through PGPASSWORD,
 * never its argv; `--target-env NAME` reads the connection string from an environment variable
 * instead of the command line. Storage comes from AzureWebJobsStorage (or the identity-based
 * endpoints) and HARBORMASTER_BACKUP_CONTAINER, read by the runner's settings reader
 * (runnerSettings.ts readRestoreSettings): the same variables and rules as the backup job. Refuses a backup that is not
 * Complete unless `--force`. Exits 0 when restored and the checksum matched, 1 otherwise.
 */
import { createAzureAccess } from '../adapters/azure/storageAccess';
import { BackupBlobStore } from '../adapters/backupStore/backupBlobStore';
import { BackupRecordStore } from '../adapters/backupStore/backupRecordStore';
import { TableProvider } from '../adapters/storage/tables';
import { backupBlobName, scrubSecrets } from '../domain/backup';
import { ConnectionStringError, parseConnectionString } from './pgConnection';
import { restoreArchive } from './restoreArchive';
import { readRestoreSettings, type RestoreSettings } from './runnerSettings';

const USAGE = 'usage: npm run restore -- <database> <backup-id> (--target <connection string> | --target-env <VARIABLE>) [--force]';

interface Args {
  database: string;
  backupId: string;
  target: string;
  force: boolean;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args | string {
  const positional: string[] = [];
  let target: string | undefined;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--target') target = argv[++i];
    else if (arg === '--target-env') {
      const name = argv[++i];
      target = name ? env[name] : undefined;
      if (!target) return `--target-env ${name ?? ''}: the variable is not set`;
    } else if (arg === '--force') force = true;
    else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else positional.push(arg);
  }
  if (positional.length !== 2) return 'give the database name and the backup id';
  if (!target) return '--target (or --target-env) is required';
  return { database: positional[0], backupId: positional[1], target, force };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), process.env);
  if (typeof args === 'string') {
    process.stderr.write(`${args}\n${USAGE}\n`);
    return 2;
  }
  let settings: RestoreSettings;
  try {
    settings = readRestoreSettings(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const { storage } = createAzureAccess(settings.credential, settings.azureClientId, settings.storage);
  const blobs = new BackupBlobStore(storage.blob, settings.container);
  const records = new BackupRecordStore(new TableProvider(storage.table));

  let target;
  try {
    target = parseConnectionString(args.target);
  } catch (error) {
    process.stderr.write(`${error instanceof ConnectionStringError ? error.message : 'the target connection string is invalid'}\n`);
    return 2;
  }
  const record = await records.get(args.database, args.backupId);
  if (!record) {
    process.stderr.write(`no backup ${args.backupId} of database "${args.database}"\n`);
    return 1;
  }
  if (record.state !== 'Complete' && !args.force) {
    process.stderr.write(`backup ${args.backupId} is ${record.state}, not Complete (verified); pass --force to try anyway\n`);
    return 1;
  }
  const blobName = record.blobName ?? backupBlobName(args.database, args.backupId);
  process.stdout.write(`restoring ${blobName} (${record.sizeBytes ?? '?'} bytes, taken ${record.createdAt}) into database "${target.database ?? 'postgres'}" on ${target.host ?? 'localhost'}\n`);
  try {
    const outcome = await restoreArchive(blobs, blobName, record.sha256, { connection: target }, { pgBinDir: settings.pgBinDir });
    if (!outcome.checksumMatches) {
      process.stderr.write(`restored, BUT the archive read back does not match its recorded checksum (${outcome.sha256} vs ${record.sha256}): treat the restored data as suspect\n`);
      return 1;
    }
    process.stdout.write(`restored ${outcome.bytes} bytes; checksum ${outcome.sha256} matches\n`);
    return 0;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    process.stderr.write(`${scrubSecrets((error as Error).message, target.secrets)}\n${stderr ? scrubSecrets(stderr, target.secrets) : ''}`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`restore failed: ${(error as Error)?.name ?? 'error'}\n`);
    process.exit(1);
  },
);
