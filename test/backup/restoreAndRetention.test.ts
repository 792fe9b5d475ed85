/**
 * The restore CLI (npm run restore) as an operator runs it, and retention applied to real
 * backups in Azurite: dry run first, then the deletions, each logged.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createBackupActivities } from '../../src/activities/backup/createBackupActivities';
import { BackupIndex } from '../../src/adapters/backupStore/backupIndex';
import { backupBlobName } from '../../src/domain/backup';
import { CONTAINER, createDatabase, REPO_ROOT, runnerEnv, runRunner, SEED_SQL, sql, startBackupKit, tableContents, type BackupKit } from './backupTestKit';

let kit: BackupKit;
const ids = ['20250301T020000Z-000001', '20250302T020000Z-000002', '20250303T020000Z-000003'];

function restoreCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'src', 'backup', 'restoreCli.js'), ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  kit = await startBackupKit();
  await createDatabase(kit, 'shop', SEED_SQL);
  kit.keyVault.setSecret('shop-db', kit.role.connectionString('shop'));
  for (const backupId of ids) {
    const run = await runRunner(runnerEnv(kit, { database: 'shop', backupId, secret: 'shop-db', trigger: 'schedule' }));
    expect(run.code).toBe(0);
  }
}, 180_000);

afterAll(async () => {
  await kit?.stop();
});

describe('restore CLI', () => {
  const storageEnv = () => ({ AzureWebJobsStorage: kit.azurite.connectionString, HARBORMASTER_BACKUP_CONTAINER: CONTAINER });

  it('restores a backup into a new database with --target; the password never reaches pg_restore\'s argv or the output', async () => {
    await createDatabase(kit, 'shop_copy');
    const run = await restoreCli(['shop', ids[2], '--target', kit.role.connectionString('shop_copy')], storageEnv());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/checksum [0-9a-f]{64} matches/);
    expect(run.stdout + run.stderr).not.toContain(kit.role.password);
    expect(await tableContents(kit.role.connectionString('shop_copy'))).toEqual(await tableContents(kit.role.connectionString('shop')));
  });

  it('--target-env reads the connection string from the environment', async () => {
    await createDatabase(kit, 'shop_copy2');
    const run = await restoreCli(['shop', ids[1], '--target-env', 'RESTORE_TARGET'], { ...storageEnv(), RESTORE_TARGET: kit.role.connectionString('shop_copy2') });
    expect(run.code).toBe(0);
    expect((await sql(kit.role.connectionString('shop_copy2'), 'SELECT count(*)::int AS n FROM orders'))[0].n).toBe(2000);
  });

  it('refuses an unknown backup, a wrong password (scrubbed) and bad usage', async () => {
    expect(await restoreCli(['shop', '20990101T000000Z-000000', '--target', kit.role.connectionString('shop_copy')], storageEnv())).toMatchObject({ code: 1, stderr: expect.stringContaining('no backup') });
    const wrong = await restoreCli(['shop', ids[0], '--target', kit.role.connectionString('shop_copy').replace(kit.role.password, 'WrongPass123')], storageEnv());
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('password authentication failed');
    expect(wrong.stderr).not.toContain('WrongPass123');
    expect(await restoreCli(['shop'], storageEnv())).toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
  });
});

describe('retention applied', () => {
  it('dry run lists what would go and deletes nothing; the real run deletes blob and record, logging each, and keeps the newest', async () => {
    const logs: Array<Record<string, unknown>> = [];
    const activities = createBackupActivities({
      databases: [{ name: 'shop', connectionStringSecret: 'shop-db', schedule: '0 0 2 * * *', retention: { keepLast: 1, daily: 0, weekly: 0, monthly: 0, preMigrationMinAgeDays: 7 } }],
      records: kit.records,
      index: new BackupIndex(kit.tables),
      blobs: kit.blobs,
      launcher: { start: () => Promise.reject(new Error('retention starts no job')), get: () => Promise.resolve(undefined), stop: () => Promise.resolve() },
      channelsFor: () => [],
      notify: () => Promise.resolve(),
      now: () => new Date('2025-03-20T00:00:00Z'),
      log: (line) => logs.push(line),
    });
    const dry = await activities.applyRetention('shop', { dryRun: true });
    expect(dry.remove.map((d) => d.backupId)).toEqual([ids[1], ids[0]]);
    expect(await kit.blobs.listNames('shop/')).toHaveLength(3);
    expect(logs.filter((l) => l.msg === 'retention (dry run) would delete')).toHaveLength(2);

    await activities.applyRetention('shop', { dryRun: false });
    expect(await kit.blobs.listNames('shop/')).toEqual([backupBlobName('shop', ids[2])]);
    expect((await kit.records.list('shop')).map((r) => r.backupId)).toEqual([ids[2]]);
    expect(logs.filter((l) => l.msg === 'retention deleting').map((l) => l.backupId)).toEqual([ids[1], ids[0]]);
  });
});

describe('freshness alerts', () => {
  it('alerts once when the newest verified backup is older than the schedule allows, and resolves when a fresh one exists', async () => {
    const sent: Array<{ channels: string[]; event: string; resolved?: boolean }> = [];
    let now = new Date('2025-03-20T09:00:00Z');
    const activities = createBackupActivities({
      databases: [{ name: 'shop', connectionStringSecret: 'shop-db', schedule: '0 0 2 * * *', retention: { keepLast: 7, daily: 7, weekly: 4, monthly: 6, preMigrationMinAgeDays: 7 } }],
      records: kit.records,
      index: new BackupIndex(kit.tables),
      blobs: kit.blobs,
      launcher: { start: () => Promise.reject(new Error('no job')), get: () => Promise.resolve(undefined), stop: () => Promise.resolve() },
      channelsFor: () => ['ops'],
      notify: async (channels, n) => {
        sent.push({ channels, event: n.event, resolved: n.resolved });
      },
      now: () => now,
      log: () => undefined,
    });
    expect((await activities.checkFreshness('shop')).verdict).toBe('stale');
    expect((await activities.checkFreshness('shop')).verdict).toBe('stale');
    expect(sent).toEqual([{ channels: ['ops'], event: 'backup.stale', resolved: false }]);

    // A backup taken "today" (its id and createdAt say 20 Mar 02:00) makes the database fresh again.
    const backupId = '20250320T020000Z-000004';
    expect((await runRunner(runnerEnv(kit, { database: 'shop', backupId, secret: 'shop-db' }))).code).toBe(0);
    expect((await kit.records.get('shop', backupId))?.createdAt).toBe('2025-03-20T02:00:00.000Z');
    now = new Date('2025-03-20T10:00:00Z');
    expect((await activities.checkFreshness('shop')).verdict).toBe('fresh');
    expect(sent.map((n) => n.event)).toEqual(['backup.stale', 'backup.fresh']);
    expect(sent[1].resolved).toBe(true);
  });
});
