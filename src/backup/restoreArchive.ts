/**
 * Streams a backup blob into `pg_restore` against a target database (no temp file), checking the
 * SHA-256 of what was read against the backup's record. Used by the restore CLI and by drills.
 *
 * pg_restore runs with `--single-transaction --exit-on-error`, so a failed restore leaves the
 * target as it was. A checksum mismatch is detected only once the stream ends, after pg_restore
 * has finished: the caller reports it (a drill fails, the CLI exits non-zero and says so).
 */
import { pipeline } from 'node:stream/promises';
import type { BackupBlobStore } from '../adapters/backupStore/backupBlobStore';
import type { PgConnection } from './pgConnection';
import { describeExit, exitOf, pgBinary, spawnTool, StderrTail, toolEnv } from './pgTools';
import { BackupFailure, describeStorageError, HashingCounter } from './backupRunner';

export interface RestoreTarget {
  readonly connection: PgConnection;
  /** Overrides the connection's database. */
  readonly database?: string;
}

export interface RestoreOutcome {
  readonly bytes: number;
  readonly sha256: string;
  readonly checksumMatches: boolean;
  readonly stderr: string;
}

export async function restoreArchive(
  blobs: BackupBlobStore,
  blobName: string,
  expectedSha256: string | undefined,
  target: RestoreTarget,
  options: { pgBinDir?: string; abortSignal?: AbortSignal } = {},
): Promise<RestoreOutcome> {
  let download: Awaited<ReturnType<BackupBlobStore['download']>>;
  try {
    download = await blobs.download(blobName, options.abortSignal);
  } catch (error) {
    throw new BackupFailure(`reading the backup blob failed: ${describeStorageError(error)}`);
  }
  const env = toolEnv({ ...target.connection.env, ...(target.database ? { PGDATABASE: target.database } : {}) });
  const args = ['--no-password', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', '--dbname', env.PGDATABASE ?? 'postgres'];
  const child = spawnTool(pgBinary('pg_restore', options.pgBinDir), args, env, 'pipe');
  const stderr = new StderrTail();
  stderr.attach(child.stderr);
  child.stdout?.resume();
  const exited = exitOf(child);
  const hasher = new HashingCounter();
  let streamError: unknown;
  try {
    await pipeline(download.stream, hasher, child.stdin!);
  } catch (error) {
    streamError = error;
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') child.kill('SIGTERM');
  }
  const exit = await exited;
  if (exit.code !== 0) throw new BackupFailure(`pg_restore failed (${describeExit('pg_restore', exit)})`, stderr.value);
  if (streamError) throw new BackupFailure(`reading the backup blob failed mid-restore: ${describeStorageError(streamError)}`, stderr.value);
  const sha256 = hasher.digest();
  return { bytes: hasher.bytes, sha256, checksumMatches: expectedSha256 === undefined || expectedSha256 === sha256, stderr: stderr.value };
}
