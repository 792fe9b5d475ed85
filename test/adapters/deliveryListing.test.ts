/**
 * Delivery listings are paged (a maximum page size, continuation tokens) instead of reading the
 * whole table, and old records are pruned: delivery records past the retention age, delivery ids
 * past the replay horizon. Against Azurite.
 */
import { startAzurite, type RunningAzurite } from '../../devhost/azurite';
import { DeliveryStore, MAX_DELIVERY_PAGE_SIZE } from '../../src/adapters/storage/deliveryStore';
import { TableProvider, isTablePageToken } from '../../src/adapters/storage/tables';

jest.setTimeout(60_000);

let azurite: RunningAzurite;
let store: DeliveryStore;

beforeAll(async () => {
  azurite = await startAzurite();
  store = new DeliveryStore(new TableProvider({ connectionString: azurite.connectionString }));
  const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();
  await Promise.all([
    ...Array.from({ length: 130 }, (_, i) => store.add({ id: `shop-${i}`, source: 'acr', receivedAt: at(i), app: 'shop', decision: 'ignored', reason: 'test' })),
    ...Array.from({ length: 20 }, (_, i) => store.add({ id: `blog-${i}`, source: 'acr', receivedAt: at(i), app: 'blog', decision: 'ignored', reason: 'test' })),
  ]);
});

afterAll(async () => {
  await azurite?.stop();
});

describe('DeliveryStore.listPage', () => {
  it('pages one app newest first: 50, 50, 30, each page naming the next', async () => {
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await store.listPage({ app: 'shop', maxPageSize: 50, continuationToken: token });
      pages.push(page.records.map((r) => r.id));
      token = page.continuationToken;
      if (token) expect(isTablePageToken(token)).toBe(true);
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 30]);
    expect(pages[0][0]).toBe('shop-129');
    expect(pages.flat()).toEqual(Array.from({ length: 130 }, (_, i) => `shop-${129 - i}`));
  });

  it('never returns more than the maximum page size, whatever is asked', async () => {
    const page = await store.listPage({ maxPageSize: 10_000 });
    expect(page.records).toHaveLength(MAX_DELIVERY_PAGE_SIZE);
    expect(page.continuationToken).toBeDefined();
  });

  it.each([
    ['not base64', 'not base64!'],
    ['base64 JSON without the next keys', Buffer.from('{"x":1}').toString('base64')],
    ['over 2 KiB', 'a'.repeat(3000)],
  ])('refuses a token it did not hand out: %s', (_case, token) => {
    expect(isTablePageToken(token)).toBe(false);
  });
});

describe('DeliveryStore.prune', () => {
  it('deletes deliveries received before the cut-off in every app and keeps the rest; forgets delivery ids past the horizon', async () => {
    const local = new DeliveryStore(new TableProvider({ connectionString: azurite.connectionString }));
    await local.add({ id: 'old-1', source: 'acr', receivedAt: '2025-01-01T00:00:00.000Z', app: 'archive', decision: 'ignored', reason: 'old' });
    await local.add({ id: 'old-2', source: 'acr', receivedAt: '2025-01-02T00:00:00.000Z', decision: 'ignored', reason: 'old, unmatched' });
    await local.add({ id: 'new-1', source: 'acr', receivedAt: '2026-03-05T00:00:00.000Z', app: 'archive', decision: 'ignored', reason: 'new' });
    await local.rememberDeliveryId('eventgrid', 'seen-long-ago', new Date('2026-03-01T00:00:00Z'), 86_400_000);
    await local.rememberDeliveryId('eventgrid', 'seen-recently', new Date('2026-03-05T00:00:00Z'), 86_400_000);

    const pruned = await local.prune(new Date('2026-01-01T00:00:00Z'), new Date('2026-03-04T00:00:00Z'));
    expect(pruned).toEqual({ deliveries: 2, deliveryIds: 1 });
    expect((await local.listPage({ app: 'archive' })).records.map((r) => r.id)).toEqual(['new-1']);
    expect((await local.listPage({ app: 'shop', maxPageSize: 100 })).records).toHaveLength(100);
    // The forgotten id is new again; the remembered one is still a redelivery.
    expect(await local.rememberDeliveryId('eventgrid', 'seen-long-ago', new Date('2026-03-05T01:00:00Z'), 86_400_000)).toEqual({ first: true });
    expect((await local.rememberDeliveryId('eventgrid', 'seen-recently', new Date('2026-03-05T01:00:00Z'), 86_400_000)).first).toBe(false);
  });
});
