/**
 * A restore drill that fails demotes the backup it drilled: it no longer counts as the newest
 * verified backup (freshness, the sweep's backup age, the next drill, retention's newest-verified
 * rule) and the alert says so. Records in Table storage (Azurite); the job launcher is a port fake.
 */
import { startAzurite, type RunningAzurite } from '../../devhost/azurite';
import { BackupBlobStore } from '../../src/adapters/backupStore/backupBlobStore';
import { BackupRecordStore } from '../../src/adapters/backupStore/backupRecordStore';
import type { Notification } from '../../src/adapters/notify/notification';
import { TableProvider } from '../../src/adapters/storage/tables';
import { createBackupActivities } from '../../src/activities/backup/createBackupActivities';
import { BackupIndex } from '../../src/adapters/backupStore/backupIndex';

jest.setTimeout(60_000);

let azurite: RunningAzurite;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite?.stop();
});

const OLDER = '20260301T020000Z-aaaaaa';
const NEWER = '20260302T020000Z-bbbbbb';
const NOW = new Date('2026-03-02T06:00:00Z');

it('a failed drill of the newest backup: the one before it becomes the newest verified, and the alert says the backup was demoted', async () => {
  const records = new BackupRecordStore(new TableProvider({ connectionString: azurite.connectionString }));
  for (const [backupId, createdAt] of [[OLDER, '2026-03-01T02:00:00.000Z'], [NEWER, '2026-03-02T02:00:00.000Z']]) {
    await records.transition('shop', backupId, 'Complete', { backupId, database: 'shop', trigger: 'schedule', createdAt, blobName: `shop/${backupId}.dump` });
  }
  const started: string[] = [];
  const told: Notification[] = [];
  const activities = createBackupActivities({
    index: new BackupIndex(new TableProvider({ connectionString: azurite.connectionString })),
    databases: [{ name: 'shop', connectionStringSecret: 'shop-db', schedule: '0 0 2 * * *', retention: { keepLast: 0, daily: 0, weekly: 0, monthly: 0, preMigrationMinAgeDays: 0 } }],
    records,
    blobs: new BackupBlobStore({ connectionString: azurite.connectionString }, 'drill-demotion'),
    launcher: {
      start: (runId, env) => {
        started.push(env.HARBORMASTER_BACKUP_ID ?? Object.values(env).join(' '));
        return Promise.resolve({ name: `exec-${runId}`, status: 'Running' });
      },
      get: () => Promise.resolve(undefined),
      stop: () => Promise.resolve(),
    },
    channelsFor: () => ['ops'],
    notify: (_channels, notification) => {
      told.push(notification);
      return Promise.resolve();
    },
    now: () => NOW,
    log: () => undefined,
  });

  expect((await activities.freshness('shop')).newest?.backupId).toBe(NEWER);

  await activities.finishDrill({ database: 'shop', drillId: 'drill-1', backupId: NEWER, state: 'Failed', reason: '1 of 3 tables restored with a different row count' });

  expect(told).toEqual([expect.objectContaining({ event: 'backup.drill-failed', text: `1 of 3 tables restored with a different row count; backup ${NEWER} no longer counts as verified` })]);
  expect((await activities.freshness('shop')).newest?.backupId).toBe(OLDER);
  // The sweep's backup index agrees: the newest verified backup is the older one.
  expect((await new BackupIndex(new TableProvider({ connectionString: azurite.connectionString })).read()).get('shop')?.newestVerifiedAt).toBe('2026-03-01T02:00:00.000Z');
  const drill = await activities.prepareDrill({ database: 'shop', drillId: 'drill-2' });
  expect(drill).toMatchObject({ ok: true, backupId: OLDER });
  const plan = await activities.applyRetention('shop', { dryRun: true });
  expect(plan.keep.map((d) => [d.backupId, d.keptBy])).toEqual([[OLDER, ['newest-verified']]]);
  expect(plan.remove.map((d) => d.backupId)).toEqual([NEWER]);
});

it('a passed drill is recorded on its backup and changes nothing else', async () => {
  const records = new BackupRecordStore(new TableProvider({ connectionString: azurite.connectionString }));
  const id = '20260303T020000Z-cccccc';
  await records.transition('orders', id, 'Complete', { backupId: id, database: 'orders', trigger: 'schedule', createdAt: '2026-03-03T02:00:00.000Z' });
  const activities = createBackupActivities({
    index: new BackupIndex(new TableProvider({ connectionString: azurite.connectionString })),
    databases: [{ name: 'orders', connectionStringSecret: 'x', schedule: '0 0 2 * * *', retention: { keepLast: 1, daily: 0, weekly: 0, monthly: 0, preMigrationMinAgeDays: 0 } }],
    records,
    blobs: new BackupBlobStore({ connectionString: azurite.connectionString }, 'drill-demotion'),
    launcher: { start: () => Promise.reject(new Error('unused')), get: () => Promise.resolve(undefined), stop: () => Promise.resolve() },
    channelsFor: () => [],
    notify: () => Promise.resolve(),
    now: () => NOW,
    log: () => undefined,
  });
  await activities.finishDrill({ database: 'orders', drillId: 'drill-9', backupId: id, state: 'Passed' });
  expect(await records.get('orders', id)).toMatchObject({ state: 'Complete', drillState: 'Passed', drillId: 'drill-9' });
  expect((await activities.freshness('orders')).newest?.backupId).toBe(id);
});
