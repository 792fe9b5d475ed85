/**
 * A restore drill, as the backup job runs it: restore a verified backup into a scratch database
 * on the same server (the connection's role needs CREATEDB), count rows per table, compare with
 * the counts recorded in the backup's own snapshot, and drop the scratch database whatever happens.
 */
import { Client } from 'pg';
import { drillDatabaseName, scrubSecrets, tail, type DrillRecord } from '../domain/backup';
import { BackupFailure, type RunnerDeps } from './backupRunner';
import { parseConnectionString, pgClientConfig } from './pgConnection';
import { restoreArchive } from './restoreArchive';
import { compareRowCounts, countRowsPerTable, quoteIdent } from './tableRowCounts';

export interface DrillJobSpec {
  readonly database: string;
  readonly backupId: string;
  readonly drillId: string;
  readonly connectionSecret: string;
}

export async function runDrill(spec: DrillJobSpec, deps: RunnerDeps): Promise<DrillRecord> {
  const base = { database: spec.database, drillId: spec.drillId, backupId: spec.backupId };
  await deps.records.putDrill({ ...base, state: 'Running', createdAt: deps.now().toISOString() });
  let secrets: readonly string[] = [];
  try {
    const backup = await deps.records.get(spec.database, spec.backupId);
    if (!backup || backup.state !== 'Complete' || !backup.blobName) throw new BackupFailure(`backup ${spec.backupId} is not a verified backup`);
    if (!backup.tableRowCounts) throw new BackupFailure(`backup ${spec.backupId} has no recorded row counts to compare against`);
    const connection = parseConnectionString(await deps.readSecret(spec.connectionSecret));
    secrets = connection.secrets;
    const scratch = drillDatabaseName(spec.drillId);
    const admin = new Client(pgClientConfig(connection));
    admin.on('error', () => undefined);
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)}`);
      await admin.query(`CREATE DATABASE ${quoteIdent(scratch)}`);
      try {
        const restored = await restoreArchive(deps.blobs, backup.blobName, backup.sha256, { connection, database: scratch }, { pgBinDir: deps.pgBinDir, abortSignal: deps.abortSignal });
        if (!restored.checksumMatches) throw new BackupFailure('the archive read back does not match its recorded checksum');
        const scratchClient = new Client(pgClientConfig(connection, scratch));
        await scratchClient.connect();
        let counts: Record<string, number>;
        try {
          counts = await countRowsPerTable(scratchClient);
        } finally {
          await scratchClient.end().catch(() => undefined);
        }
        const mismatches = compareRowCounts(backup.tableRowCounts, counts);
        const tablesCompared = Object.keys(backup.tableRowCounts).length;
        const state = mismatches.length === 0 ? 'Passed' : 'Failed';
        const reason = mismatches.length === 0 ? undefined : `${mismatches.length} of ${tablesCompared} tables restored with a different row count (first: ${mismatches[0].table})`;
        await deps.records.putDrill({ ...base, state, finishedAt: deps.now().toISOString(), tablesCompared, mismatches, reason });
        deps.log({ msg: 'drill finished', ...base, state, tablesCompared, mismatches: mismatches.length });
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)} WITH (FORCE)`).catch(() => admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(scratch)}`).catch(() => undefined));
      }
    } finally {
      await admin.end().catch(() => undefined);
    }
  } catch (error) {
    const reason = scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
    const stderr = error instanceof BackupFailure && error.stderr ? scrubSecrets(tail(error.stderr, 4_000), secrets) : undefined;
    await deps.records.putDrill({ ...base, state: 'Failed', finishedAt: deps.now().toISOString(), reason, stderr });
    deps.log({ msg: 'drill failed', ...base, reason });
  }
  return (await deps.records.getDrill(spec.database, spec.drillId))!;
}
