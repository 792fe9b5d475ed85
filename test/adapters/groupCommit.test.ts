/**
 * Delivery records are group-committed: a burst of webhooks becomes a few Table transactions,
 * yet every caller's write is stored when its promise resolves, the last write of a key wins,
 * and a failed transaction fails exactly the writes it carried. Against Azurite.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RunningAzurite } from '../../devhost/azurite';
import { claimStorage } from '../support/sharedServices';
import { batchesByPartition, GroupCommitWriter } from '../../src/adapters/storage/groupCommit';
import { DeliveryStore } from '../../src/adapters/storage/deliveryStore';
import { TableProvider } from '../../src/adapters/storage/tables';

jest.setTimeout(60_000);

const row = (partitionKey: string, rowKey: string) => ({ entity: { partitionKey, rowKey } });

describe('batchesByPartition', () => {
  it('puts each partition in batches of at most 100 rows', () => {
    const pending = [...Array.from({ length: 250 }, (_, i) => row('a', `r${i}`)), row('b', 'x')];
    const batches = batchesByPartition(pending);
    expect(batches.get('a')!.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.get('b')!.map((b) => b.length)).toEqual([1]);
  });

  it('starts a new batch when a row key repeats, so the writes stay in arrival order', () => {
    const first = row('a', 'same');
    const second = row('a', 'same');
    const batches = batchesByPartition([first, row('a', 'other'), second]);
    expect(batches.get('a')).toEqual([[first, expect.anything()], [second]]);
    expect(batches.get('a')![1][0]).toBe(second);
  });
});

describe('GroupCommitWriter on Azurite', () => {
  let azurite: RunningAzurite;
  let tables: TableProvider;
  const requests: string[] = [];
  let proxy: http.Server;
  let failNext = 0;

  beforeAll(async () => {
    azurite = await claimStorage();
    // A pass-through in front of Azurite's Table endpoint: counts requests, can fail one.
    const target = new URL(azurite.tableEndpoint);
    proxy = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (failNext > 0 && req.method !== 'GET') {
        failNext--;
        req.resume();
        // 400: not retried by the SDK, so the transaction fails as a whole.
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"odata.error":{"code":"InvalidInput","message":{"value":"refused by the test"}}}');
        return;
      }
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    const endpoint = `http://127.0.0.1:${port}${target.pathname}`;
    tables = new TableProvider({ connectionString: azurite.connectionString.replace(/TableEndpoint=[^;]+/, `TableEndpoint=${endpoint}`) });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => proxy?.close(() => resolve()));
    await azurite?.stop();
  });

  it('stores every record of a burst, in far fewer requests than records', async () => {
    const store = new DeliveryStore(tables);
    await store.add({ id: 'warm', source: 'acr', receivedAt: new Date().toISOString(), decision: 'ignored', reason: 'warm-up' });
    requests.length = 0;
    const at = Date.parse('2026-11-23T10:00:00Z');
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.add({ id: `d-${i}`, source: 'acr', receivedAt: new Date(at + i).toISOString(), app: i % 2 ? 'web' : undefined, decision: 'ignored', reason: `r${i}` }),
      ),
    );
    const writes = requests.filter((r) => !r.startsWith('GET')).length;
    expect(writes).toBeLessThanOrEqual(10);

    const web = await store.list({ app: 'web', limit: 1000 });
    expect(web).toHaveLength(150);
    const all = await store.list({ limit: 1000 });
    expect(all.filter((r) => r.id.startsWith('d-'))).toHaveLength(300);
  });

  it('lets the last write of a key win', async () => {
    const table = () => tables.get('GroupCommitOrder');
    const writer = new GroupCommitWriter(table);
    await Promise.all(['first', 'second', 'third'].map((value) => writer.upsert({ partitionKey: 'p', rowKey: 'k', value })));
    const entity = await (await table()).getEntity<{ value: string }>('p', 'k');
    expect(entity.value).toBe('third');
  });

  it('rejects exactly the writes of a failed transaction; the next ones are stored', async () => {
    const table = () => tables.get('GroupCommitFailures');
    const writer = new GroupCommitWriter(table);
    await writer.upsert({ partitionKey: 'p', rowKey: 'warm' });
    failNext = 1;
    // Written together (they arrive while the writer is still finishing `warm`), refused together.
    const outcomes = await Promise.allSettled(['a', 'b', 'c'].map((rowKey) => writer.upsert({ partitionKey: 'p', rowKey })));
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/refused by the test/);
    await writer.upsert({ partitionKey: 'p', rowKey: 'after' });
    const keys: string[] = [];
    for await (const entity of (await table()).listEntities()) keys.push(entity.rowKey!);
    expect(keys.sort()).toEqual(['after', 'warm']);
  });
});

describe('Table requests have a timeout', () => {
  it('a storage endpoint that accepts the connection but never answers fails the call instead of hanging it', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
      // 300 ms per request; without the timeout the call would wait forever (and the test time out).
      const tables = new TableProvider({ connectionString }, 300);
      const started = Date.now();
      await expect(new DeliveryStore(tables).list()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
