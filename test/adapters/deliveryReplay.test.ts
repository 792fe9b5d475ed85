/**
 * Replayed and redelivered webhooks do not deploy again: a delivery id seen within the replay horizon
 * (Event Grid retries for 24 h) is recorded as a duplicate, a signed GitHub delivery whose event is
 * older than the horizon is rejected as stale, and a delivery whose processing failed is forgotten
 * so the sender's retry still counts. Delivery ids and records live in Table storage (Azurite); the
 * launcher is a recording port.
 */
import { startAzurite, type RunningAzurite } from '../../devhost/azurite';
import { ingestPush, type IngestDeps } from '../../src/activities/push/pushIngestor';
import type { ManagedApp } from '../../src/config';
import { AppStateStore } from '../../src/adapters/storage/appStateStore';
import { DeliveryStore } from '../../src/adapters/storage/deliveryStore';
import { TableProvider } from '../../src/adapters/storage/tables';
import type { ImagePushed } from '../../src/domain/push/imagePushed';
import { DELIVERY_REPLAY_HORIZON_MS, judgeReplay } from '../../src/domain/push/replayWindow';

jest.setTimeout(60_000);

const DIGEST = `sha256:${'4'.repeat(64)}`;
const HOUR = 3_600_000;

let azurite: RunningAzurite;
let tables: TableProvider;

beforeAll(async () => {
  azurite = await startAzurite();
  tables = new TableProvider({ connectionString: azurite.connectionString });
});

afterAll(async () => {
  await azurite?.stop();
});

const apps = [{ name: 'shop', image: { registry: 'myreg.azurecr.io', repository: 'shop', tagPolicy: { kind: 'glob', pattern: 'main-*' } } }] as unknown as ManagedApp[];

function world(now: () => Date, failLaunch = false) {
  const launched: string[] = [];
  const deliveries = new DeliveryStore(tables);
  const deps: IngestDeps = {
    apps,
    registry: { getManifestSummary: () => Promise.resolve({ digest: DIGEST, mediaType: 'x', platforms: ['linux/amd64'], sizeBytesByPlatform: {} }), listTags: () => Promise.resolve([]) },
    deliveries,
    appState: new AppStateStore(tables),
    launcher: {
      request: (app: string, push: { deliveryId?: string }) => {
        if (failLaunch) return Promise.reject(Object.assign(new Error('storage unavailable'), { statusCode: 503 }));
        launched.push(`${app}:${push.deliveryId}`);
        return Promise.resolve({ decision: 'started', reason: 'started', request: { deploymentId: `shop-${launched.length}` } });
      },
    } as unknown as IngestDeps['launcher'],
    now,
    onLateRecordError: (error) => {
      throw error;
    },
  };
  return { deps, launched, deliveries };
}

const starter = { start: () => Promise.resolve() };
const push = (overrides: Partial<ImagePushed>): ImagePushed => ({ source: 'eventgrid', deliveryId: 'eg-1', registry: 'myreg.azurecr.io', repository: 'shop', tag: 'main-41', digest: DIGEST, ...overrides });

describe('delivery-id deduplication within the replay horizon', () => {
  it('the same Event Grid event delivered twice, an hour apart: the second is a duplicate and launches nothing', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const { deps, launched } = world(() => now);
    const first = await ingestPush(deps, push({ deliveryId: 'eg-dup' }), starter);
    expect(first.matched).toEqual([expect.objectContaining({ app: 'shop', decision: 'started' })]);
    now = new Date(now.getTime() + HOUR);
    const again = await ingestPush(deps, push({ deliveryId: 'eg-dup' }), starter);
    expect(again.matched).toEqual([{ app: 'shop', decision: 'duplicate', reason: 'duplicate: delivery eg-dup was already received at 2026-03-01T10:00:00.000Z' }]);
    expect(launched).toEqual(['shop:eg-dup']);
  });

  it('the same id past the horizon is a delivery again (the id is no longer remembered)', async () => {
    let now = new Date('2026-03-02T10:00:00Z');
    const { deps, launched } = world(() => now);
    await ingestPush(deps, push({ deliveryId: 'eg-late' }), starter);
    now = new Date(now.getTime() + DELIVERY_REPLAY_HORIZON_MS + HOUR);
    await ingestPush(deps, push({ deliveryId: 'eg-late' }), starter);
    expect(launched).toEqual(['shop:eg-late', 'shop:eg-late']);
  });

  it('a delivery whose processing failed is forgotten: the sender\'s retry is processed', async () => {
    const now = () => new Date('2026-03-03T10:00:00Z');
    await expect(ingestPush(world(now, true).deps, push({ deliveryId: 'eg-retry' }), starter)).rejects.toThrow('storage unavailable');
    const retry = world(now);
    await ingestPush(retry.deps, push({ deliveryId: 'eg-retry' }), starter);
    expect(retry.launched).toEqual(['shop:eg-retry']);
  });

  it('two deliveries of one id at the same moment: exactly one launches', async () => {
    const now = () => new Date('2026-03-04T10:00:00Z');
    const { deps, launched } = world(now);
    const outcomes = await Promise.all([ingestPush(deps, push({ deliveryId: 'eg-race' }), starter), ingestPush(deps, push({ deliveryId: 'eg-race' }), starter)]);
    expect(outcomes.map((o) => o.matched[0].decision).sort()).toEqual(['duplicate', 'started']);
    expect(launched).toEqual(['shop:eg-race']);
  });

  it('ids with characters Table storage refuses in keys are remembered too', async () => {
    const now = () => new Date('2026-03-05T10:00:00Z');
    const { deps, launched } = world(now);
    const odd = 'acr/id#with?odd\\chars';
    await ingestPush(deps, push({ source: 'acr', deliveryId: odd }), starter);
    expect((await ingestPush(deps, push({ source: 'acr', deliveryId: odd }), starter)).matched[0].decision).toBe('duplicate');
    expect(launched).toHaveLength(1);
  });
});

describe('signed deliveries older than the horizon', () => {
  it('a captured GitHub delivery of a two-day-old push is rejected as stale, recorded with its reason', async () => {
    const now = () => new Date('2026-03-10T10:00:00Z');
    const { deps, launched, deliveries } = world(now);
    const outcome = await ingestPush(deps, push({ source: 'ghcr', deliveryId: 'gh-old', registry: 'myreg.azurecr.io', pushedAt: '2026-03-08T09:00:00.000Z' }), starter);
    expect(outcome.matched).toEqual([{ app: 'shop', decision: 'rejected', reason: expect.stringMatching(/^stale: a signed delivery of an event from 2026-03-08T09:00:00.000Z, older than the 24 h replay horizon/) }]);
    expect(launched).toEqual([]);
    const recorded = (await deliveries.list({ app: 'shop' })).find((d) => d.id === 'gh-old');
    expect(recorded).toMatchObject({ decision: 'rejected', source: 'ghcr' });
  });

  it.each([
    ['ghcr, 2 h old', { source: 'ghcr', pushedAt: '2026-03-10T08:00:00.000Z' }, 'check-id'],
    ['ghcr, 25 h old', { source: 'ghcr', pushedAt: '2026-03-09T09:00:00.000Z' }, 'too-old'],
    ['ghcr without a push time', { source: 'ghcr' }, 'check-id'],
    ['eventgrid, 25 h old (secret-authenticated, not signed)', { source: 'eventgrid', pushedAt: '2026-03-09T09:00:00.000Z' }, 'check-id'],
    ['reconcile', { source: 'reconcile' }, 'not-a-delivery'],
    ['manual', { source: 'manual' }, 'not-a-delivery'],
  ] as const)('%s → %s', (_case, overrides, kind) => {
    expect(judgeReplay(push(overrides as Partial<ImagePushed>), new Date('2026-03-10T10:00:00Z')).kind).toBe(kind);
  });
});

describe('a push that deploys nothing is answered before its delivery row is committed', () => {
  /** The deliveries table, reachable only once `open()` is called: what a slow storage account looks like to the ingestor. */
  function slowStorage() {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    class GatedTables extends TableProvider {
      override get(name: string) {
        return gate.then(() => super.get(name));
      }
    }
    return { tables: new GatedTables({ connectionString: azurite.connectionString }), open };
  }

  it('decides a push no app follows while storage has not answered, and a listing afterwards reads its row', async () => {
    const storage = slowStorage();
    const deliveries = new DeliveryStore(storage.tables);
    const { deps } = world(() => new Date('2026-03-06T10:00:00Z'));
    const outcome = await ingestPush({ ...deps, deliveries }, push({ repository: 'nobody-follows', deliveryId: 'late-1' }), starter);
    expect(outcome.unmatchedReason).toMatch(/no app follows myreg\.azurecr\.io\/nobody-follows/);

    let listed: unknown[] | undefined;
    const listing = deliveries.list({ app: '_unmatched' }).then((records) => (listed = records));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listed).toBeUndefined(); // the row is not committed yet, and the listing waits for it
    storage.open();
    await listing;
    expect(listed).toEqual([expect.objectContaining({ id: 'late-1', decision: 'ignored', repository: 'nobody-follows' })]);
  });

  it('a row that cannot be stored after the answer is reported, not lost silently', async () => {
    const failing = new DeliveryStore({ get: () => Promise.reject(new Error('table service unavailable')) } as unknown as TableProvider);
    const reported: string[] = [];
    const { deps } = world(() => new Date('2026-03-06T11:00:00Z'));
    await ingestPush({ ...deps, deliveries: failing, onLateRecordError: (error) => reported.push((error as Error).message) }, push({ repository: 'nobody-follows', deliveryId: 'late-2' }), starter);
    await failing.settled();
    expect(reported).toEqual(['table service unavailable']);
  });

  it('a push that deploys is answered only after its row is committed', async () => {
    const storage = slowStorage();
    const deliveries = new DeliveryStore(storage.tables);
    const { deps } = world(() => new Date('2026-03-06T12:00:00Z'));
    let answered = false;
    const ingesting = ingestPush({ ...deps, deliveries }, push({ deliveryId: 'late-3' }), starter).then(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    storage.open();
    await ingesting;
    expect(answered).toBe(true);
  });
});
