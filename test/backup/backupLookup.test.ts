/**
 * A backup is found from its id alone (`GET /api/backups/{backupId}`) by one point read in each
 * configured database's partition: never a query across the table, whose every partition would be
 * read for one row. Against Azurite, with every request the table client sends recorded.
 */
import type { PipelineRequest } from '@azure/core-rest-pipeline';
import { BackupRecordStore, BackupTableNames } from '../../src/adapters/backupStore/backupRecordStore';
import { TableProvider } from '../../src/adapters/storage/tables';
import { claimStorage } from '../support/sharedServices';

jest.setTimeout(60_000);

let storage: Awaited<ReturnType<typeof claimStorage>>;
let store: BackupRecordStore;
const sent: string[] = [];

const SHOP = '20260301T000000Z-aaaaaa';
const BLOG = '20260302T000000Z-bbbbbb';
const GONE = '20260303T000000Z-cccccc';

beforeAll(async () => {
  storage = await claimStorage();
  const tables = new TableProvider({ connectionString: storage.connectionString });
  store = new BackupRecordStore(tables);
  const base = { trigger: 'schedule' as const, createdAt: '2026-03-01T00:00:00.000Z' };
  await store.transition('shop', SHOP, 'Complete', { ...base, database: 'shop', backupId: SHOP });
  await store.transition('blog', BLOG, 'Running', { ...base, database: 'blog', backupId: BLOG });
  await store.transition('gone', GONE, 'Complete', { ...base, database: 'gone', backupId: GONE });
  await store.claim('blog', BLOG, base.createdAt, () => Promise.resolve(true));
  (await tables.get(BackupTableNames.backups)).pipeline.addPolicy({
    name: 'recordRequests',
    sendRequest(request: PipelineRequest, next) {
      // The table's part of the address (Azurite's path-style addresses start with the account).
      const url = new URL(request.url);
      sent.push(`${request.method} ${decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/')) + url.search)}`);
      return next(request);
    },
  });
});

afterAll(async () => {
  await storage?.stop();
});

beforeEach(() => {
  sent.length = 0;
});

describe('BackupRecordStore.find', () => {
  it('finds a backup of any configured database with one point read per database, and no query', async () => {
    expect(await store.find(BLOG, ['shop', 'blog'])).toMatchObject({ backupId: BLOG, database: 'blog', state: 'Running' });
    expect(sent.sort()).toEqual([`GET /${BackupTableNames.backups}(PartitionKey='blog',RowKey='${BLOG}')`, `GET /${BackupTableNames.backups}(PartitionKey='shop',RowKey='${BLOG}')`]);
  });

  it('does not find a backup of a database no longer configured', async () => {
    expect(await store.find(GONE, ['shop', 'blog'])).toBeUndefined();
    expect(sent.every((request) => !request.includes('$filter'))).toBe(true);
  });

  it('reads nothing for something that is not a backup id (a claim row, an OData filter)', async () => {
    expect(await store.find('blog', ['~claims', 'blog'])).toBeUndefined();
    expect(await store.find("x' or RowKey ne '", ['shop'])).toBeUndefined();
    expect(sent).toEqual([]);
  });
});
