/**
 * Backup states only move forward, and each move is conditional on the record as stored (ETag):
 * the runner completing and the orchestration failing the same backup can interleave any way and
 * the record never claims a backup whose blob was removed. Against Azurite and PostgreSQL.
 */
import { BackupIndex } from '../../src/adapters/backupStore/backupIndex';
import { BackupBlobStore } from '../../src/adapters/backupStore/backupBlobStore';
import { BackupRecordStore, BackupTableNames } from '../../src/adapters/backupStore/backupRecordStore';
import { createBackupActivities } from '../../src/activities/backup/createBackupActivities';
import { runBackup, type RunnerDeps } from '../../src/backup/backupRunner';
import { backupBlobName, canMoveBackup, type BackupState } from '../../src/domain/backup';
import { CONTAINER, createDatabase, SEED_SQL, startBackupKit, type BackupKit } from './backupTestKit';

jest.setTimeout(120_000);

let kit: BackupKit;

beforeAll(async () => {
  kit = await startBackupKit();
  await createDatabase(kit, 'shop', SEED_SQL);
}, 180_000);

afterAll(async () => {
  await kit?.stop();
});

/** What the orchestration's deadline handling writes, as it reaches Table storage: a merge of Failed. */
async function orchestrationMarksFailed(database: string, backupId: string, reason: string): Promise<void> {
  const table = await kit.tables.get(BackupTableNames.backups);
  await table.upsertEntity({ partitionKey: database, rowKey: backupId, state: 'Failed', reason }, 'Merge');
}

const STATES: BackupState[] = ['Pending', 'Running', 'Verifying', 'Complete', 'Failed'];

describe('canMoveBackup: only forward', () => {
  const allowed: Record<BackupState, BackupState[]> = {
    Pending: ['Pending', 'Running', 'Verifying', 'Complete', 'Failed'],
    Running: ['Running', 'Verifying', 'Complete', 'Failed'],
    Verifying: ['Verifying', 'Complete', 'Failed'],
    Complete: ['Complete'],
    Failed: ['Failed'],
  };
  it.each(STATES.flatMap((from) => STATES.map((to) => [from, to, allowed[from].includes(to)] as const)))('%s → %s: %s', (from, to, ok) => {
    expect(canMoveBackup(from, to)).toBe(ok);
  });
});

describe('BackupRecordStore.transition on Table storage', () => {
  it('creates, moves forward, and refuses to move a terminal record, leaving it as it was', async () => {
    const records = new BackupRecordStore(kit.tables);
    const id = '20250201T010000Z-aaaaaa';
    expect(await records.transition('shop', id, 'Pending', { backupId: id, database: 'shop', trigger: 'manual', createdAt: '2025-02-01T01:00:00.000Z' })).toEqual({ moved: true, from: undefined });
    expect(await records.transition('shop', id, 'Running')).toEqual({ moved: true, from: 'Pending' });
    expect(await records.transition('shop', id, 'Pending')).toMatchObject({ moved: false, current: 'Running' });
    expect(await records.transition('shop', id, 'Failed', { reason: 'deadline passed' })).toEqual({ moved: true, from: 'Running' });
    expect(await records.transition('shop', id, 'Complete', { sizeBytes: 123 })).toEqual({ moved: false, current: 'Failed', reason: 'deadline passed' });
    expect(await records.get('shop', id)).toMatchObject({ state: 'Failed', reason: 'deadline passed' });
    expect((await records.get('shop', id))?.sizeBytes).toBeUndefined();
  });

  it('details never change the state', async () => {
    const records = new BackupRecordStore(kit.tables);
    const id = '20250201T020000Z-aaaaaa';
    await records.transition('shop', id, 'Complete', { backupId: id, database: 'shop', trigger: 'manual', createdAt: '2025-02-01T02:00:00.000Z' });
    await records.update('shop', id, { executionName: 'exec-1', state: 'Running' } as never);
    expect(await records.get('shop', id)).toMatchObject({ state: 'Complete', executionName: 'exec-1' });
  });
});

describe('the runner and the orchestration racing on one backup', () => {
  it('the orchestration fails it (and removes the blob) between the runner tagging the blob and recording Complete: it stays Failed', async () => {
    const backupId = '20250201T030000Z-bbbbbb';
    const blobName = backupBlobName('shop', backupId);
    const records = new BackupRecordStore(kit.tables);
    await records.transition('shop', backupId, 'Pending', { backupId, database: 'shop', trigger: 'schedule', createdAt: '2025-02-01T03:00:00.000Z' });

    // The window: right after the runner set the blob's metadata (its last step before Complete).
    class RacingBlobs extends BackupBlobStore {
      override async setMetadataAndTags(name: string, metadata: Record<string, string>, tags: Record<string, string>): Promise<void> {
        await super.setMetadataAndTags(name, metadata, tags);
        await orchestrationMarksFailed('shop', backupId, 'no result within the deadline');
        await this.delete(name);
      }
    }
    const deps: RunnerDeps = {
      blobs: new RacingBlobs({ connectionString: kit.azurite.connectionString }, CONTAINER),
      records,
      readSecret: () => Promise.resolve(kit.role.connectionString('shop')),
      now: () => new Date(),
      log: () => undefined,
    };
    await expect(runBackup({ database: 'shop', backupId, trigger: 'schedule', connectionSecret: 'shop-db' }, deps)).rejects.toThrow(/already failed/);

    const record = await records.get('shop', backupId);
    expect(record).toMatchObject({ state: 'Failed', reason: 'no result within the deadline' });
    expect(await kit.blobs.exists(blobName)).toBe(false);
  });

  it('the runner completes it between the orchestration reading it and failing it: it stays Complete and its blob is kept', async () => {
    const backupId = '20250201T040000Z-cccccc';
    const blobName = backupBlobName('shop', backupId);
    const records = new BackupRecordStore(kit.tables);
    await records.transition('shop', backupId, 'Verifying', { backupId, database: 'shop', trigger: 'schedule', createdAt: '2025-02-01T04:00:00.000Z', blobName });
    await kit.blobs.upload(blobName, (await import('node:stream')).Readable.from([Buffer.from('PGDMP archive')]), {});

    // The orchestration's read sees Verifying; the runner's Complete lands right after it.
    class StaleFirstRead extends BackupRecordStore {
      private first = true;
      override async get(database: string, id: string) {
        const seen = await super.get(database, id);
        if (this.first) {
          this.first = false;
          await records.transition(database, id, 'Complete', { sizeBytes: 13 });
        }
        return seen;
      }
    }
    const activities = createBackupActivities({
      index: new BackupIndex(kit.tables),
      databases: [{ name: 'shop', connectionStringSecret: 'shop-db', schedule: '0 0 2 * * *', retention: { keepLast: 3, daily: 7, weekly: 4, monthly: 6, preMigrationMinAgeDays: 30 } }],
      records: new StaleFirstRead(kit.tables),
      blobs: kit.blobs,
      launcher: { start: () => Promise.reject(new Error('unused')), get: () => Promise.resolve(undefined), stop: () => Promise.resolve() },
      channelsFor: () => [],
      notify: () => Promise.resolve(),
      now: () => new Date(),
      log: () => undefined,
    });
    await activities.failBackup({ database: 'shop', backupId, reason: 'no result within the deadline' });

    expect(await records.get('shop', backupId)).toMatchObject({ state: 'Complete', sizeBytes: 13 });
    expect(await kit.blobs.exists(blobName)).toBe(true);
  });
});
