/**
 * An app's health sweep history is listed newest first a page at a time (a page size and
 * continuation tokens), through the whole retention and never past it, and never another app's.
 * Against Azurite.
 */
import { HealthHistoryStore } from '../../src/adapters/storage/healthHistoryStore';
import { TableProvider, isTablePageToken } from '../../src/adapters/storage/tables';
import { claimStorage } from '../support/sharedServices';

jest.setTimeout(60_000);

const NOW = new Date('2026-06-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

let storage: Awaited<ReturnType<typeof claimStorage>>;
let store: HealthHistoryStore;

beforeAll(async () => {
  storage = await claimStorage();
  store = new HealthHistoryStore(new TableProvider({ connectionString: storage.connectionString }), { retentionHours: 48 });
  // 30 sweeps of `web` within the retention (every 1.5 h), 3 past it, and another app's.
  await Promise.all([
    ...Array.from({ length: 30 }, (_, i) => store.append('web', hoursAgo(1.5 * i + 0.5), `w${i}`, { n: i })),
    ...[49, 60, 100].map((h) => store.append('web', hoursAgo(h), `old${h}`, { n: -h })),
    ...Array.from({ length: 5 }, (_, i) => store.append('api', hoursAgo(i + 1), `a${i}`, { n: 100 + i })),
  ]);
});

afterAll(async () => {
  await storage?.stop();
});

describe('HealthHistoryStore.listPage', () => {
  it('pages one app newest first down to the oldest entry of the retention, each page naming the next', async () => {
    const pages: number[][] = [];
    let token: string | undefined;
    do {
      const page = await store.listPage<{ n: number }>('web', { maxPageSize: 7, continuationToken: token, now: NOW });
      pages.push(page.entries.map((e) => e.record.n));
      token = page.continuationToken;
      if (token) expect(isTablePageToken(token)).toBe(true);
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 7, 2]);
    expect(pages.flat()).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('answers one page when everything fits, with no token', async () => {
    const page = await store.listPage<{ n: number }>('api', { maxPageSize: 500, now: NOW });
    expect(page.entries.map((e) => e.record.n)).toEqual([100, 101, 102, 103, 104]);
    expect(page.continuationToken).toBeUndefined();
  });
});
