/**
 * The backup runner as the job runs it (a real child process): pg_dump over a password role,
 * streamed into Azurite, verified, recorded; and its failures leave nothing partial.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { buffer } from 'node:stream/consumers';
import { parseConnectionString } from '../../src/backup/pgConnection';
import { restoreArchive } from '../../src/backup/restoreArchive';
import { backupBlobName } from '../../src/domain/backup';
import { eventually } from '../scenarios/scenarioKit';
import { createDatabase, killedMidStreamBinDir, runnerEnv, runRunner, SEED_SQL, startBackupKit, tableContents, type BackupKit } from './backupTestKit';

let kit: BackupKit;

beforeAll(async () => {
  kit = await startBackupKit();
  await createDatabase(kit, 'shop', SEED_SQL);
  kit.keyVault.setSecret('shop-db', kit.role.connectionString('shop'));
  kit.keyVault.setSecret('wrong-password', kit.role.connectionString('shop').replace(kit.role.password, 'not-the-password'));
  // Big enough that the archive spans several upload blocks and outlasts pg_restore --list's reading.
  await createDatabase(kit, 'bulk', `CREATE TABLE blobs (id int PRIMARY KEY, body text);
    INSERT INTO blobs SELECT g, md5(g::text) || md5((g*3)::text) || md5((g*7)::text) FROM generate_series(1, 150000) g;`);
  kit.keyVault.setSecret('bulk-db', kit.role.connectionString('bulk'));
  kit.keyVault.setSecret('server-down', `postgres://hm_backup:${kit.role.password}@127.0.0.1:1/shop`);
}, 180_000);

afterAll(async () => {
  await kit?.stop();
});

describe('backup runner', () => {
  it('streams pg_dump into a blob, verifies it, and records it Complete with metadata, tags and row counts', async () => {
    const backupId = '20250115T020000Z-aaaaaa';
    const run = await runRunner(runnerEnv(kit, { database: 'shop', backupId, secret: 'shop-db', trigger: 'pre-migration', deploymentId: 'dep-42' }));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const record = await kit.records.get('shop', backupId);
    expect(record).toMatchObject({ state: 'Complete', trigger: 'pre-migration', deploymentId: 'dep-42', blobName: backupBlobName('shop', backupId) });
    expect(record?.serverVersion).toMatch(/^\d+\.\d+/);
    expect(record?.pgDumpVersion).toMatch(/^\d+\.\d+/);
    expect(record?.tableRowCounts).toEqual({ 'audit.events': 300, 'public.customers': 250, 'public.orders': 2000 });

    const { stream, sizeBytes } = await kit.blobs.download(record!.blobName!);
    const bytes = await buffer(Readable.from(stream as AsyncIterable<Buffer>));
    expect(bytes.subarray(0, 5).toString()).toBe('PGDMP');
    expect(sizeBytes).toBe(record?.sizeBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(record?.sha256);

    const blob = await kit.blobs.getMetadataAndTags(record!.blobName!);
    expect(blob?.metadata).toMatchObject({ state: 'complete', database: 'shop', trigger: 'pre-migration', deploymentid: 'dep-42', sha256: record?.sha256, sizebytes: String(record?.sizeBytes) });
    expect(blob?.tags).toMatchObject({ database: 'shop', trigger: 'pre-migration', state: 'complete', backupId });
    // The password went through the environment only: it appears in no output and no record.
    const everything = JSON.stringify({ run, record, blob });
    expect(everything).not.toContain(kit.role.password);
  });

  it('round trip: the backup restores into a new database with identical table contents', async () => {
    const backupId = '20250115T030000Z-bbbbbb';
    expect((await runRunner(runnerEnv(kit, { database: 'shop', backupId, secret: 'shop-db' }))).code).toBe(0);
    const record = await kit.records.get('shop', backupId);
    await createDatabase(kit, 'shop_restored');
    const outcome = await restoreArchive(kit.blobs, record!.blobName!, record!.sha256, { connection: parseConnectionString(kit.role.connectionString('shop_restored')) });
    expect(outcome.checksumMatches).toBe(true);
    expect(await tableContents(kit.role.connectionString('shop_restored'))).toEqual(await tableContents(kit.role.connectionString('shop')));
  });

  it('rows committed while the dump runs are neither in the archive nor in the counts (one snapshot for both)', async () => {
    await createDatabase(kit, 'busy', `CREATE TABLE first (id int PRIMARY KEY); CREATE TABLE second (id int PRIMARY KEY);
      INSERT INTO first SELECT generate_series(1, 100); INSERT INTO second SELECT generate_series(1, 100);`);
    kit.keyVault.setSecret('busy-db', kit.role.connectionString('busy'));
    // Another session holds `first`, so pg_dump (and the count of `first`) wait for it after the
    // runner has taken its snapshot; meanwhile rows are committed to both tables.
    const holder = new Client({ connectionString: kit.adminConnectionString('busy') });
    const writer = new Client({ connectionString: kit.adminConnectionString('busy') });
    await holder.connect();
    await writer.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE first IN ACCESS EXCLUSIVE MODE');
      const backupId = '20250115T040000Z-cccccc';
      const running = runRunner(runnerEnv(kit, { database: 'busy', backupId, secret: 'busy-db' }));
      await eventually('pg_dump waiting for the lock', async () => {
        // pg_dump takes a share lock on every table it dumps first: it waits on `first`.
        const waiting = await writer.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'LOCK TABLE %first IN ACCESS SHARE MODE'`);
        return waiting.rowCount ? true : undefined;
      });
      await writer.query('INSERT INTO second SELECT generate_series(101, 150)');
      await holder.query('INSERT INTO first SELECT generate_series(101, 120)');
      await holder.query('COMMIT');
      const run = await running;
      expect(run.code).toBe(0);
      const record = await kit.records.get('busy', backupId);
      expect(record?.tableRowCounts).toEqual({ 'public.first': 100, 'public.second': 100 });

      await createDatabase(kit, 'busy_restored');
      await restoreArchive(kit.blobs, record!.blobName!, record!.sha256, { connection: parseConnectionString(kit.role.connectionString('busy_restored')) });
      const restored = new Client({ connectionString: kit.adminConnectionString('busy_restored') });
      await restored.connect();
      try {
        const counts = await restored.query<{ first: string; second: string }>('SELECT (SELECT count(*) FROM first)::text AS first, (SELECT count(*) FROM second)::text AS second');
        expect(counts.rows[0]).toEqual({ first: '100', second: '100' });
      } finally {
        await restored.end();
      }
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await writer.end();
    }
  });

  it('an archive of several upload blocks is verified over every byte', async () => {
    const backupId = '20250115T033000Z-aaaaab';
    const run = await runRunner(runnerEnv(kit, { database: 'bulk', backupId, secret: 'bulk-db' }));
    expect(run.code).toBe(0);
    const record = await kit.records.get('bulk', backupId);
    expect(record?.state).toBe('Complete');
    expect(record?.sizeBytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(record?.tableRowCounts).toEqual({ 'public.blobs': 150000 });
  });

  it('wrong credentials: Failed with the server\'s reason, no blob, exit 1, password scrubbed', async () => {
    const backupId = '20250115T040000Z-cccccc';
    const run = await runRunner(runnerEnv(kit, { database: 'shop', backupId, secret: 'wrong-password' }));
    expect(run.code).toBe(1);
    const record = await kit.records.get('shop', backupId);
    expect(record?.state).toBe('Failed');
    expect(record?.reason).toMatch(/connecting to the database failed: .*password authentication failed/);
    expect(await kit.blobs.exists(backupBlobName('shop', backupId))).toBe(false);
    expect(JSON.stringify({ run, record })).not.toContain('not-the-password');
  });

  it('server down: Failed with a connection reason and nothing in the container', async () => {
    const backupId = '20250115T050000Z-dddddd';
    const run = await runRunner(runnerEnv(kit, { database: 'shop', backupId, secret: 'server-down' }));
    expect(run.code).toBe(1);
    const record = await kit.records.get('shop', backupId);
    expect(record).toMatchObject({ state: 'Failed', reason: expect.stringMatching(/connecting to the database failed: .*ECONNREFUSED/) });
    expect(await kit.blobs.exists(backupBlobName('shop', backupId))).toBe(false);
  });

  it('pg_dump killed mid-stream (after whole blocks were staged): the block list is never committed, the record says so', async () => {
    const backupId = '20250115T060000Z-eeeeee';
    const run = await runRunner(runnerEnv(kit, { database: 'bulk', backupId, secret: 'bulk-db', pgBinDir: killedMidStreamBinDir(5_000_000) }));
    expect(run.code).toBe(1);
    const record = await kit.records.get('bulk', backupId);
    expect(record).toMatchObject({ state: 'Failed', reason: expect.stringContaining('pg_dump was killed by SIGKILL') });
    expect(await kit.blobs.exists(backupBlobName('bulk', backupId))).toBe(false);
  });

  it('a missing Key Vault secret fails clearly', async () => {
    const backupId = '20250115T070000Z-ffffff';
    const run = await runRunner(runnerEnv(kit, { database: 'shop', backupId, secret: 'no-such-secret' }));
    expect(run.code).toBe(1);
    expect(await kit.records.get('shop', backupId)).toMatchObject({ state: 'Failed', reason: expect.stringContaining('Key Vault secret "no-such-secret" was not found') });
  });

  it('storage errors: with the blob service refusing, the runner exits 1 and leaves no blob', async () => {
    const backupId = '20250115T080000Z-abcdef';
    // Table storage works (the record is written); the blob service refuses every request with a
    // 403, as a storage account whose key or role no longer allows writes does (not retried, so
    // the failure is immediate; a closed port fails the same way after the SDK's retries).
    const refusing = http.createServer((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/xml', 'x-ms-error-code': 'AuthorizationPermissionMismatch' });
      res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.</Message></Error>');
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const env = runnerEnv(kit, { database: 'shop', backupId, secret: 'shop-db' });
      const { port } = refusing.address() as AddressInfo;
      env.AzureWebJobsStorage = env.AzureWebJobsStorage.replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/, `BlobEndpoint=http://127.0.0.1:${port}`);
      const run = await runRunner(env);
      expect(run.code).toBe(1);
      const record = await kit.records.get('shop', backupId);
      expect(record?.state).toBe('Failed');
      expect(record?.reason).toMatch(/uploading the archive failed: .*403|AuthorizationPermissionMismatch/);
      expect(await kit.blobs.exists(backupBlobName('shop', backupId))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  it('bad settings exit 2 naming the variable', async () => {
    const env = runnerEnv(kit, { database: 'shop', backupId: 'x', secret: 'shop-db' });
    delete env.HARBORMASTER_KEY_VAULT_URL;
    const run = await runRunner(env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HARBORMASTER_KEY_VAULT_URL');
  });
});
