import net from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { DEVSTORE_ACCOUNT_KEY, DEVSTORE_ACCOUNT_NAME, type RunningAzurite } from '../../devhost/azurite';
import { claimStorage } from '../support/sharedServices';
import { createTableStorageProbe } from '../../src/adapters/storage/storageProbe';
import { loadAppsConfig, readSettings, type HarbormasterConfig } from '../../src/config';
import { createHealthzHandler, type HealthzBody } from '../../src/functions/healthz';
import { EXAMPLE_CONFIG } from './configFiles';

/** The account is the last segment of an Azurite endpoint (path-style). */
const accountOf = (endpoint: string): string => endpoint.slice(endpoint.lastIndexOf('/') + 1);

function tableConnectionString(tableEndpoint: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${accountOf(tableEndpoint)};AccountKey=${DEVSTORE_ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`;
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const config: HarbormasterConfig = { settings: readSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }), apps: loadAppsConfig(EXAMPLE_CONFIG) };

function invoke(handler: ReturnType<typeof createHealthzHandler>) {
  const request = new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/healthz' });
  const context = new InvocationContext({ functionName: 'healthz', invocationId: 'test-invocation' });
  return handler(request, context);
}

describe('GET /api/healthz', () => {
  let azurite: RunningAzurite;
  beforeAll(async () => {
    azurite = await claimStorage();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('is ok (200) when storage answers, with the configuration counts and no secrets', async () => {
    const connectionString = tableConnectionString(azurite.tableEndpoint);
    const response = await invoke(createHealthzHandler({ storage: createTableStorageProbe({ connectionString }), config }));
    expect(response.status).toBe(200);
    const body = response.jsonBody as HealthzBody;
    expect(body).toEqual({
      status: 'ok',
      checks: {
        storage: { status: 'ok', latencyMs: expect.any(Number) },
        configuration: { status: 'ok', apps: 7, databases: 4, notifications: 4 },
      },
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain(DEVSTORE_ACCOUNT_KEY);
    expect(text).not.toContain(accountOf(azurite.tableEndpoint));
    expect(response.headers).toEqual({ 'cache-control': 'no-store' });
  });

  it('is degraded (503) when the storage port is closed, saying why without the account', async () => {
    const port = await closedPort();
    const connectionString = tableConnectionString(`http://127.0.0.1:${port}/${DEVSTORE_ACCOUNT_NAME}`);
    const response = await invoke(createHealthzHandler({ storage: createTableStorageProbe({ connectionString }), config }));
    expect(response.status).toBe(503);
    const body = response.jsonBody as HealthzBody;
    expect(body.status).toBe('degraded');
    expect(body.checks.storage).toEqual({ status: 'unreachable', latencyMs: expect.any(Number), error: 'connection refused' });
    expect(JSON.stringify(body)).not.toContain(DEVSTORE_ACCOUNT_KEY);
  });

  it('gives up at its timeout when storage accepts the connection but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as net.AddressInfo;
      const connectionString = tableConnectionString(`http://127.0.0.1:${port}/${DEVSTORE_ACCOUNT_NAME}`);
      const started = Date.now();
      const response = await invoke(createHealthzHandler({ storage: createTableStorageProbe({ connectionString }), config, storageTimeoutInMs: 500 }));
      expect(response.status).toBe(503);
      expect((response.jsonBody as HealthzBody).checks.storage).toMatchObject({ status: 'unreachable', error: 'no answer within 500 ms' });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('reports an HTTP refusal by status and storage error code only (wrong account key)', async () => {
    const wrongKey = Buffer.from('not-the-account-key-at-all-0123456789').toString('base64');
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=${accountOf(azurite.tableEndpoint)};AccountKey=${wrongKey};TableEndpoint=${azurite.tableEndpoint};`;
    const response = await invoke(createHealthzHandler({ storage: createTableStorageProbe({ connectionString }), config }));
    expect(response.status).toBe(503);
    const storage = (response.jsonBody as HealthzBody).checks.storage;
    expect(storage.error).toMatch(/^storage answered HTTP 403( \([A-Za-z]+\))?$/);
    expect(JSON.stringify(response.jsonBody)).not.toContain(wrongKey);
  });
});
