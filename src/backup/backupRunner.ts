/**
 * One backup, as the backup job runs it:
 * 1. record Running; read the connection string from Key Vault;
 * 2. open a REPEATABLE READ transaction and export its snapshot, so pg_dump and the row counts
 *    see the same data;
 * 3. stream `pg_dump -Fc --snapshot` through a SHA-256 hasher into a block blob (no temp file;
 *    memory bounded by the upload buffers). The blob's block list is committed only if pg_dump
 *    exits 0: its stdout is piped with `end: false` and ended by hand after a clean exit, or
 *    destroyed with an error otherwise, which makes the upload reject without committing;
 * 4. meanwhile, count rows per table in the snapshot; once both are done, record Verifying;
 * 5. download the blob through `pg_restore --list` and a second hasher: the listing must succeed
 *    and the size and checksum must match the upload;
 * 6. set blob metadata + index tags, record Complete.
 * Any failure: the blob is deleted, the record is Failed with a reason and pg_dump's stderr
 * (scrubbed), and the function rejects, so the CLI exits non-zero.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { backupBlobName, backupIdTime, scrubSecrets, tail, type BackupRecord, type BackupTrigger } from '../domain/backup';
import type { BackupBlobStore } from '../adapters/backupStore/backupBlobStore';
import type { BackupRecordStore } from '../adapters/backupStore/backupRecordStore';
import { parseConnectionString, pgClientConfig, type PgConnection } from './pgConnection';
import { describeExit, exitOf, parseArchiveHeader, pgBinary, spawnTool, StderrTail, toolEnv, toolVersion } from './pgTools';
import { countRowsPerTable } from './tableRowCounts';

export interface RunnerDeps {
  readonly blobs: BackupBlobStore;
  readonly records: BackupRecordStore;
  readonly readSecret: (name: string) => Promise<string>;
  readonly now: () => Date;
  /** Directory of pg_dump/pg_restore; undefined = PATH. */
  readonly pgBinDir?: string;
  /** Aborted when the runner must stop (SIGTERM from the job's timeout or a stop). */
  readonly abortSignal?: AbortSignal;
  readonly log: (line: Record<string, unknown>) => void;
}

export interface BackupJobSpec {
  readonly database: string;
  readonly backupId: string;
  readonly trigger: BackupTrigger;
  readonly deploymentId?: string;
  readonly connectionSecret: string;
  readonly executionName?: string;
}

/** A failure with a reason fit for the record (already scrubbed). */
export class BackupFailure extends Error {
  constructor(message: string, readonly stderr?: string) {
    super(message);
    this.name = 'BackupFailure';
  }
}

const STDERR_KEEP_CHARS = 4_000;

export async function runBackup(spec: BackupJobSpec, deps: RunnerDeps): Promise<BackupRecord> {
  const started = deps.now();
  const blobName = backupBlobName(spec.database, spec.backupId);
  const existing = await deps.records.get(spec.database, spec.backupId);
  if (existing?.state === 'Complete') return existing; // a retried execution of a finished backup
  const running = await deps.records.transition(spec.database, spec.backupId, 'Running', {
    database: spec.database,
    backupId: spec.backupId,
    trigger: spec.trigger,
    deploymentId: spec.deploymentId,
    // The id encodes when the backup was requested; a record the orchestration created first keeps its own.
    createdAt: existing?.createdAt ?? backupIdTime(spec.backupId)?.toISOString() ?? started.toISOString(),
    blobName,
    executionName: spec.executionName,
  });
  if (!running.moved) {
    if (running.current === 'Complete') return (await deps.records.get(spec.database, spec.backupId))!;
    throw new BackupFailure(`the backup is already ${running.current}${running.reason ? ` (${running.reason})` : ''}: it is not run again`);
  }

  let secrets: readonly string[] = [];
  try {
    const connectionString = await readConnectionString(spec.connectionSecret, deps);
    const connection = parseConnectionString(connectionString);
    secrets = connection.secrets;
    const dumped = await dumpToBlob(spec, blobName, connection, deps);
    await ensureNotAbandoned(spec, deps);
    await moveOrStop(spec, deps, 'Verifying');
    const verifyStarted = Date.now();
    const header = await verifyBlob(blobName, dumped.sha256, dumped.sizeBytes, deps);
    const verifyMs = Date.now() - verifyStarted;
    await ensureNotAbandoned(spec, deps);
    const finished = deps.now();
    const pgDumpVersion = header.pgDumpVersion ?? dumped.pgDumpVersion;
    await deps.blobs.setMetadataAndTags(
      blobName,
      {
        state: 'complete',
        database: spec.database,
        backupid: spec.backupId,
        trigger: spec.trigger,
        ...(spec.deploymentId ? { deploymentid: spec.deploymentId } : {}),
        serverversion: asciiOnly(header.serverVersion ?? ''),
        pgdumpversion: asciiOnly(pgDumpVersion),
        sizebytes: String(dumped.sizeBytes),
        sha256: dumped.sha256,
        durationms: String(finished.getTime() - started.getTime()),
      },
      {
        database: spec.database,
        trigger: spec.trigger,
        state: 'complete',
        backupId: spec.backupId,
        ...(spec.deploymentId ? { deploymentId: tagValue(spec.deploymentId) } : {}),
      },
    );
    const complete: Omit<Partial<BackupRecord>, 'state'> = {
      finishedAt: finished.toISOString(),
      sizeBytes: dumped.sizeBytes,
      sha256: dumped.sha256,
      serverVersion: header.serverVersion,
      pgDumpVersion,
      dumpMs: dumped.dumpMs,
      verifyMs,
      tableRowCounts: dumped.tableRowCounts,
      stderr: dumped.stderr ? scrubSecrets(tail(dumped.stderr, STDERR_KEEP_CHARS), secrets) : undefined,
    };
    // Conditional on the record as it is now: if the orchestration failed it meanwhile (and removed
    // the blob), Complete is refused and the failure path below runs instead.
    await moveOrStop(spec, deps, 'Complete', complete);
    deps.log({ msg: 'backup complete', database: spec.database, backupId: spec.backupId, sizeBytes: dumped.sizeBytes, dumpMs: dumped.dumpMs, verifyMs });
    return { ...(await deps.records.get(spec.database, spec.backupId))! };
  } catch (error) {
    const reason = scrubSecrets(reasonOf(error, deps.abortSignal), secrets);
    const stderr = error instanceof BackupFailure && error.stderr ? scrubSecrets(tail(error.stderr, STDERR_KEEP_CHARS), secrets) : undefined;
    deps.log({ msg: 'backup failed', database: spec.database, backupId: spec.backupId, reason });
    // Another execution of this backup completed it: its blob is the backup, leave both alone.
    if ((await deps.records.get(spec.database, spec.backupId).catch(() => undefined))?.state === 'Complete') throw new BackupFailure(reason, stderr);
    // Nothing partial remains: a committed-but-unverified blob is removed; an uncommitted one never appeared.
    const removal = await deps.blobs.delete(blobName).then(
      () => undefined,
      (e: unknown) => `; removing the blob also failed (${describeStorageError(e)}), retention or the orchestration will retry`,
    );
    const current = await deps.records.get(spec.database, spec.backupId).catch(() => undefined);
    await deps.records.transition(spec.database, spec.backupId, 'Failed', {
      finishedAt: deps.now().toISOString(),
      // The orchestration's verdict, when it came first, stays the reason.
      reason: current?.state === 'Failed' && current.reason ? current.reason : reason + (removal ?? ''),
      stderr,
    });
    throw new BackupFailure(reason, stderr);
  }
}

/**
 * The orchestration may have given up on this backup (its deadline passed) while we were still
 * running: stop early rather than verify an abandoned backup. The state changes themselves are
 * conditional (`transition`), so this is an early exit, not the guard.
 */
async function ensureNotAbandoned(spec: BackupJobSpec, deps: RunnerDeps): Promise<void> {
  if ((await deps.records.get(spec.database, spec.backupId))?.state === 'Failed') {
    throw new BackupFailure('the orchestration had already failed this backup (it ran past its deadline)');
  }
}

/** Moves the record forward, or stops the backup when its stored state no longer allows it. */
async function moveOrStop(spec: BackupJobSpec, deps: RunnerDeps, to: 'Verifying' | 'Complete', changes: Omit<Partial<BackupRecord>, 'state'> = {}): Promise<void> {
  const moved = await deps.records.transition(spec.database, spec.backupId, to, changes);
  if (!moved.moved) {
    throw new BackupFailure(
      moved.current === 'Failed' ? 'the orchestration had already failed this backup (it ran past its deadline)' : `the backup is already ${moved.current}; it cannot become ${to}`,
    );
  }
}

async function readConnectionString(secretName: string, deps: RunnerDeps): Promise<string> {
  try {
    return await deps.readSecret(secretName);
  } catch (error) {
    throw new BackupFailure(`reading the connection string from Key Vault failed: ${(error as Error).message}`);
  }
}

interface DumpResult {
  sizeBytes: number;
  sha256: string;
  dumpMs: number;
  pgDumpVersion: string;
  tableRowCounts: Record<string, number>;
  stderr: string;
}

async function dumpToBlob(spec: BackupJobSpec, blobName: string, connection: PgConnection, deps: RunnerDeps): Promise<DumpResult> {
  const pgDump = pgBinary('pg_dump', deps.pgBinDir);
  const pgDumpVersion = await toolVersion(pgDump).catch(() => {
    throw new BackupFailure('pg_dump could not be started (is the PostgreSQL client installed, and HARBORMASTER_PG_BIN_DIR right?)');
  });
  const client = new Client(pgClientConfig(connection));
  try {
    await client.connect();
  } catch (error) {
    throw new BackupFailure(`connecting to the database failed: ${(error as Error).message}`);
  }
  // A connection error after connect (server gone) must not crash the process; the queries report it.
  client.on('error', () => undefined);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0].id;

    const started = Date.now();
    const child = spawnTool(pgDump, ['--format=custom', '--no-password', `--snapshot=${snapshot}`], toolEnv(connection.env), 'ignore');
    const stderr = new StderrTail();
    stderr.attach(child.stderr);
    const exited = exitOf(child);
    const hasher = new HashingCounter();
    // The rows are counted in the same snapshot while pg_dump runs, not after it: pg_dump keeps one
    // core busy compressing, and the counts' scans take the other (bench:backup, 1 GB: the runner's
    // end to end past the dump went from 4.9 s to 3.1–3.7 s). The transaction stays open until both are done,
    // as pg_dump needs while it imports the snapshot. A failure is reported after the dump's.
    const counting = countRowsPerTable(client);
    counting.catch(() => undefined);
    const onAbort = (): void => {
      child.kill('SIGTERM');
    };
    deps.abortSignal?.addEventListener('abort', onAbort, { once: true });
    // end:false — the upload may only see the end of the stream if pg_dump succeeded.
    child.stdout!.pipe(hasher, { end: false });
    let dumpFailure: BackupFailure | undefined;
    void exited.then((exit) => {
      if (exit.code === 0 && !exit.signal) {
        hasher.end();
        return;
      }
      dumpFailure = new BackupFailure(`${describeExit('pg_dump', exit)}${firstLine(stderr.value)}`, stderr.value);
      hasher.destroy(dumpFailure);
    });
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    const uploading = deps.blobs.upload(blobName, body, { state: 'uploading', database: spec.database, backupid: spec.backupId, trigger: spec.trigger }, deps.abortSignal);
    const piping = pipeline(hasher, body);
    try {
      await Promise.all([uploading, piping]);
    } catch (error) {
      // pg_dump's own failure, when it came first, is the reason (the upload only saw its effect).
      const firstFailure = dumpFailure;
      child.kill('SIGTERM');
      await exited;
      if (firstFailure && !deps.abortSignal?.aborted) throw firstFailure;
      await piping.catch(() => undefined);
      await uploading.catch(() => undefined);
      if (error instanceof BackupFailure) throw error;
      if (deps.abortSignal?.aborted) throw new BackupFailure('the backup was interrupted (the job was stopped or timed out)', stderr.value);
      throw new BackupFailure(`uploading the archive failed: ${describeStorageError(error)}`, stderr.value);
    } finally {
      deps.abortSignal?.removeEventListener('abort', onAbort);
    }
    const exit = await exited;
    if (exit.code !== 0) throw new BackupFailure(describeExit('pg_dump', exit), stderr.value);
    const dumpMs = Date.now() - started;
    const tableRowCounts = await counting;
    await client.query('COMMIT');
    return { sizeBytes: hasher.bytes, sha256: hasher.digest(), dumpMs, pgDumpVersion, tableRowCounts, stderr: stderr.value };
  } catch (error) {
    if (error instanceof BackupFailure) throw error;
    throw new BackupFailure(`the database failed during the backup: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function verifyBlob(blobName: string, sha256: string, sizeBytes: number, deps: RunnerDeps): Promise<ReturnType<typeof parseArchiveHeader>> {
  let download: Awaited<ReturnType<BackupBlobStore['download']>>;
  try {
    download = await deps.blobs.download(blobName, deps.abortSignal);
  } catch (error) {
    throw new BackupFailure(`verification could not read the blob back: ${describeStorageError(error)}`);
  }
  const restore = spawnTool(pgBinary('pg_restore', deps.pgBinDir), ['--list'], toolEnv({}), 'pipe');
  const stderr = new StderrTail();
  stderr.attach(restore.stderr);
  const exited = exitOf(restore);
  let listing = '';
  restore.stdout!.setEncoding('utf8');
  restore.stdout!.on('data', (chunk: string) => {
    if (listing.length < 64 * 1024) listing += chunk;
  });
  // pg_restore --list reads only the header and TOC, then exits: the rest of the blob is still
  // read (and hashed) to the end, so the checksum covers every byte.
  const hasher = createHash('sha256');
  let bytes = 0;
  let collectedAt = 0;
  const toRestore = new RestoreFeed(restore.stdin!);
  try {
    for await (const chunk of download.stream as AsyncIterable<Buffer>) {
      hasher.update(chunk);
      bytes += chunk.length;
      if (collectGarbage && bytes - collectedAt >= COLLECT_EVERY_BYTES) {
        collectGarbage({ type: 'minor' });
        collectedAt = bytes;
      }
      await toRestore.write(chunk);
    }
  } catch (error) {
    restore.kill('SIGTERM');
    await exited;
    throw new BackupFailure(`verification failed reading the blob: ${describeStorageError(error)}`);
  }
  toRestore.end();
  const exit = await exited;
  if (exit.code !== 0) throw new BackupFailure(`verification failed: pg_restore --list rejected the archive (${describeExit('pg_restore', exit)})`, stderr.value);
  if (bytes !== sizeBytes || hasher.digest('hex') !== sha256) {
    throw new BackupFailure(`verification failed: the blob read back (${bytes} bytes) does not match what was uploaded (${sizeBytes} bytes, checksum ${sha256.slice(0, 12)}…)`);
  }
  const header = parseArchiveHeader(listing);
  if (header.format !== 'CUSTOM') throw new BackupFailure('verification failed: the archive is not in pg_dump custom format');
  return header;
}

/**
 * The read-back receives the archive as fast as storage sends it: every socket read is a fresh
 * 64 KB buffer, garbage once hashed, yet so little JS heap is allocated per chunk that V8 seldom
 * collects, and the buffers pile up until its external-memory trigger fires. That pile was the
 * runner's peak RSS (bench:backup, 400 MB database: 95-103 MB through the dump, then 132-134 MB in
 * the read-back's last quarter second). The runner runs with `--expose-gc`
 * (BACKUP_RUNNER_NODE_FLAGS), and a minor collection every 4 MB read keeps the read-back near the
 * dump's level, no slower: peak RSS 132-134 → 117-118 MB at 400 MB; in full bench runs 130-135 →
 * 111-112 MB at 100 MB and 135-150 → 129-131 MB at 1 GB. Without the flag (the restore CLI, a
 * runner started by hand) `gc` is undefined and nothing is collected by hand.
 */
const COLLECT_EVERY_BYTES = 4 * 1024 * 1024;
const collectGarbage = globalThis.gc;

/** Writes to a child's stdin while it is open (with backpressure); once the child stops reading, further writes are dropped. */
class RestoreFeed {
  private open = true;
  constructor(private readonly stdin: NodeJS.WritableStream & { destroyed?: boolean }) {
    stdin.on('error', () => (this.open = false));
    stdin.on('close', () => (this.open = false));
  }

  async write(chunk: Buffer): Promise<void> {
    if (!this.open || this.stdin.destroyed) return;
    if (this.stdin.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stdin.off('drain', done);
        this.stdin.off('close', done);
        this.stdin.off('error', done);
        resolve();
      };
      this.stdin.once('drain', done);
      this.stdin.once('close', done);
      this.stdin.once('error', done);
    });
  }

  end(): void {
    if (this.open && !this.stdin.destroyed) this.stdin.end();
  }
}

/** Counts and hashes what passes through. */
export class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  private result: string | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  digest(): string {
    this.result ??= this.hash.digest('hex');
    return this.result;
  }
}

function reasonOf(error: unknown, abortSignal?: AbortSignal): string {
  if (error instanceof BackupFailure) return error.message;
  if (abortSignal?.aborted) return 'the backup was interrupted (the job was stopped or timed out)';
  return `the backup failed: ${describeStorageError(error)}`;
}

/** Status and code of an Azure error, or a Node error's message; never a response body. */
export function describeStorageError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string; name?: string };
  if (e?.statusCode !== undefined) return `storage answered ${e.statusCode}${e.code ? ` ${e.code}` : ''}`;
  if (e?.name === 'AbortError') return 'the operation was aborted';
  return e?.code ? `${e.code}${e.message ? `: ${e.message.split('\n')[0]}` : ''}` : (e?.message?.split('\n')[0] ?? 'unknown error');
}

function firstLine(stderr: string): string {
  const line = stderr.split('\n').map((l) => l.trim()).find(Boolean);
  return line ? `: ${line}` : '';
}

function asciiOnly(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?');
}

/** Blob index tag values allow letters, digits, space and + - . / : = _ (max 256). */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9 +\-./:=_]/g, '_').slice(0, 256);
}
