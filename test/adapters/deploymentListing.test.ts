/**
 * Deployment records are listed newest first a page at a time (a maximum page size, continuation
 * tokens), of one app or of every app, and never by reading the whole table; a record is found
 * from its id alone. Records written under the old layout (row key = id) are still found by id,
 * updated in place, and listed once moved; finished records past the retention age are pruned,
 * never a running one or one the caller keeps. Against Azurite.
 */
import { TableClient } from '@azure/data-tables';
import { DeploymentStore, MAX_DEPLOYMENT_PAGE_SIZE } from '../../src/adapters/storage/deploymentStore';
import { TableNames, TableProvider, isTablePageToken } from '../../src/adapters/storage/tables';
import { newDeploymentId, type DeploymentPhase } from '../../src/domain/deployment';
import { claimStorage } from '../support/sharedServices';

jest.setTimeout(60_000);

let storage: Awaited<ReturnType<typeof claimStorage>>;
let store: DeploymentStore;

const IMAGE = { registry: 'r.azurecr.io', repository: 'shop', digest: `sha256:${'a'.repeat(64)}` };
const minute = (n: number) => new Date(Date.UTC(2026, 2, 1, 0, n));

async function deploy(app: string, at: Date, nonce: string, phase: DeploymentPhase = 'succeeded', into = store): Promise<string> {
  const id = newDeploymentId(app, at, nonce);
  await into.create({ id, app, image: IMAGE, source: 'test', at: at.toISOString(), phase });
  return id;
}

async function allPages(options: { app?: string; apps?: string[]; phase?: string; maxPageSize: number }, from = store): Promise<string[][]> {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = await from.listPage({ ...options, continuationToken: token });
    pages.push(page.records.map((r) => r.id));
    token = page.continuationToken;
    if (token) expect(isTablePageToken(token)).toBe(true);
  } while (token);
  return pages;
}

beforeAll(async () => {
  storage = await claimStorage();
  store = new DeploymentStore(new TableProvider({ connectionString: storage.connectionString }));
  await Promise.all([
    ...Array.from({ length: 130 }, (_, i) => deploy('shop', minute(i), `s${i}`, i === 129 ? 'health-waiting' : 'succeeded')),
    ...Array.from({ length: 20 }, (_, i) => deploy('blog', minute(2 * i + 1), `b${i}`, i % 2 === 0 ? 'rolled-back' : 'succeeded')),
  ]);
});

afterAll(async () => {
  await storage?.stop();
});

describe('DeploymentStore.listPage', () => {
  it('pages one app newest first: 50, 50, 30, each page naming the next', async () => {
    const pages = await allPages({ app: 'shop', maxPageSize: 50 });
    expect(pages.map((p) => p.length)).toEqual([50, 50, 30]);
    expect(pages.flat()).toEqual(Array.from({ length: 130 }, (_, i) => newDeploymentId('shop', minute(129 - i), `s${129 - i}`)));
  });

  it('pages every app newest first, the apps interleaved by time', async () => {
    const ids = (await allPages({ maxPageSize: 40 })).flat();
    expect(ids).toHaveLength(150);
    expect(ids.slice(0, 4)).toEqual([newDeploymentId('shop', minute(129), 's129'), newDeploymentId('shop', minute(128), 's128'), newDeploymentId('shop', minute(127), 's127'), newDeploymentId('shop', minute(126), 's126')]);
    expect(new Set(ids).size).toBe(150);
    const times = await Promise.all(ids.map(async (id) => (await store.get(id))!.createdAt));
    expect(times).toEqual([...times].sort().reverse());
  });

  it('filters by phase, of one app and of every app', async () => {
    expect((await allPages({ app: 'blog', phase: 'rolled-back', maxPageSize: 100 })).flat()).toHaveLength(10);
    expect((await allPages({ phase: 'health-waiting', maxPageSize: 100 })).flat()).toEqual([newDeploymentId('shop', minute(129), 's129')]);
  });

  it('never returns more than the maximum page size, whatever is asked', async () => {
    const page = await store.listPage({ maxPageSize: 10_000 });
    expect(page.records).toHaveLength(MAX_DEPLOYMENT_PAGE_SIZE);
    expect(page.continuationToken).toBeDefined();
    expect(await store.list({ app: 'shop', limit: 3 })).toHaveLength(3);
  });

  it('finds a record by its id alone; an id no deployment could have is unknown, with nothing read', async () => {
    const id = newDeploymentId('blog', minute(5), 'b2');
    expect(await store.get(id)).toMatchObject({ id, app: 'blog', phase: 'rolled-back' });
    expect(await store.get(newDeploymentId('blog', minute(5), 'zz'))).toBeUndefined();
    expect(await store.get("nothing-like-an-id' or true")).toBeUndefined();
  });
});

describe('DeploymentStore.listPage of several apps (a release group member and its group)', () => {
  it('pages their records newest first, interleaved by time, with real continuation tokens, and nothing of other apps', async () => {
    const claimed = await claimStorage();
    try {
      const local = new DeploymentStore(new TableProvider({ connectionString: claimed.connectionString }));
      const member = await Promise.all(Array.from({ length: 30 }, (_, i) => deploy('web', minute(2 * i), `w${i}`, i % 3 === 0 ? 'rolled-back' : 'succeeded', local)));
      const group = await Promise.all(Array.from({ length: 30 }, (_, i) => deploy('suite', minute(2 * i + 1), `g${i}`, 'succeeded', local)));
      await Promise.all(Array.from({ length: 30 }, (_, i) => deploy('api', minute(2 * i), `a${i}`, 'succeeded', local)));

      const pages = await allPages({ apps: ['web', 'suite'], maxPageSize: 25 }, local);
      expect(pages.map((p) => p.length)).toEqual([25, 25, 10]);
      const expected = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? group[29 - i / 2] : member[29 - (i - 1) / 2]));
      expect(pages.flat()).toEqual(expected);

      // A phase filter applies to both, still page by page.
      expect((await allPages({ apps: ['web', 'suite'], phase: 'rolled-back', maxPageSize: 25 }, local)).flat()).toEqual(member.filter((_, i) => i % 3 === 0).reverse());
    } finally {
      await claimed.stop();
    }
  });
});

describe('records written before the newest-first layout', () => {
  it('are found by id and updated where they are, then moved and listed in order on the first listing', async () => {
    const claimed = await claimStorage();
    try {
      const tables = new TableProvider({ connectionString: claimed.connectionString });
      const legacyId = (at: Date, nonce: string) => newDeploymentId('shop', at, nonce);
      // The old layout: row key = id, no index row.
      const raw = TableClient.fromConnectionString(claimed.connectionString, TableNames.deployments, { allowInsecureConnection: true });
      await raw.createTable();
      const old = [legacyId(minute(1), 'aaa111'), legacyId(minute(3), 'bbb222')];
      for (const [i, id] of old.entries()) {
        await raw.createEntity({ partitionKey: 'shop', rowKey: id, kind: 'deploy', phase: i === 0 ? 'succeeded' : 'health-waiting', image: JSON.stringify(IMAGE), source: 'acr', createdAt: minute(2 * i + 1).toISOString(), updatedAt: minute(2 * i + 1).toISOString(), steps: '[]' });
      }
      const migrating = new DeploymentStore(tables);
      const fresh = await deploy('shop', minute(2), 'ccc333', 'succeeded', migrating);

      expect(await migrating.get(old[1])).toMatchObject({ id: old[1], phase: 'health-waiting' });
      await migrating.update(old[1], 'shop', minute(4).toISOString(), { phase: 'succeeded', step: { name: 'promote', outcome: 'succeeded' } });
      expect((await raw.getEntity('shop', old[1])).phase).toBe('succeeded');

      // The first listing moves them: newest first with the new record between them.
      expect((await allPages({ app: 'shop', maxPageSize: 2 }, migrating)).flat()).toEqual([old[1], fresh, old[0]]);
      expect((await allPages({ maxPageSize: 10 }, migrating)).flat()).toEqual([old[1], fresh, old[0]]);
      await expect(raw.getEntity('shop', old[1])).rejects.toMatchObject({ statusCode: 404 });
      expect(await migrating.get(old[1])).toMatchObject({ id: old[1], phase: 'succeeded', steps: [expect.objectContaining({ step: 'promote' })] });
      // Nothing is left under the old layout.
      expect(await new DeploymentStore(tables).migrateLegacyRecords()).toBe(0);
    } finally {
      await claimed.stop();
    }
  });
});

describe('DeploymentStore.prune', () => {
  it('deletes finished deployments created before the cut-off, never running ones or those the caller keeps', async () => {
    const claimed = await claimStorage();
    try {
      const local = new DeploymentStore(new TableProvider({ connectionString: claimed.connectionString }));
      const oldDone = await deploy('shop', new Date('2025-01-01T00:00:00Z'), 'old1', 'rolled-back', local);
      const oldRunning = await deploy('shop', new Date('2025-01-02T00:00:00Z'), 'old2', 'awaiting-approval', local);
      const oldKept = await deploy('blog', new Date('2025-01-03T00:00:00Z'), 'old3', 'succeeded', local);
      const recent = await deploy('blog', new Date('2026-03-05T00:00:00Z'), 'new1', 'succeeded', local);

      const pruned = await local.prune(new Date('2026-01-01T00:00:00Z'), (record) => record.id === oldKept);
      expect(pruned).toBe(1);
      expect(await local.get(oldDone)).toBeUndefined();
      expect((await allPages({ maxPageSize: 10 }, local)).flat()).toEqual([recent, oldKept, oldRunning]);
    } finally {
      await claimed.stop();
    }
  });
});
