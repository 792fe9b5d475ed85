 
/**
 * The registry simulator through @azure/container-registry, plain HTTPS, and the product's
 * OciRegistryClient (Host `<name>.azurecr.io` through the connect-to seam); push → ACR webhook and
 * Event Grid deliveries to test receivers.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ContainerRegistryClient, ContainerRegistryContentClient } from '@azure/container-registry';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import { request } from 'undici';
import { InMemoryImageCatalog } from '../../simulators/imageCatalog';
import { createRegistryModule, type RegistryModule } from '../../simulators/registry/registryModule';
import { startSimulator, type RunningSimulator } from '../../simulators/server';
import { eventually } from '../support/eventually';

const execFileAsync = promisify(execFile);
let sim: RunningSimulator;
let registry: RegistryModule;
const catalog = new InMemoryImageCatalog();

interface Received {
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local HTTP receiver; `answer` decides each response. */
async function startReceiver(answer: (r: Received) => { status: number; body?: string; headers?: Record<string, string> }) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', headers: req.headers, body };
      received.push(entry);
      const reply = answer(entry);
      res.writeHead(reply.status, reply.headers ?? { 'content-type': 'application/json' });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function admin(path: string, body?: unknown, method = 'POST'): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sim.url}${path}`, { method, agent: sim.httpsAgent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    https
      .get(`${sim.url}${path}`, { agent: sim.httpsAgent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  registry = createRegistryModule({ imageCatalog: catalog });
  sim = await startSimulator({ modules: [registry] });
});

afterAll(async () => {
  await sim?.stop();
});

describe('OCI distribution as ACR serves it', () => {
  it('answers /v2/ without a token with 401 and an ACR bearer challenge', async () => {
    const response = await get('/registries/simregistry/v2/');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(`Bearer realm="${sim.url}/registries/simregistry/oauth2/token",service="simregistry.azurecr.io"`);
    const manifest = await get('/registries/simregistry/v2/shop/api/manifests/1.0');
    expect(manifest.headers['www-authenticate']).toContain('scope="repository:shop/api:pull"');
  });

  it('serves a pushed single-platform image through ContainerRegistryContentClient and ContainerRegistryClient', async () => {
    const pushed = await admin('/_sim/registry/push', { repository: 'shop/api', tag: '1.0', sizeBytes: 100_000, behaviour: 'degraded' });
    expect(pushed.status).toBe(201);
    const endpoint = `${sim.url}/registries/simregistry`;
    const content = new ContainerRegistryContentClient(endpoint, 'shop/api', sim.credential, { tlsOptions: sim.tlsOptions });
    const byTag = await content.getManifest('1.0');
    expect(byTag.digest).toBe(pushed.json.digest);
    expect(byTag.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const byDigest = await content.getManifest(pushed.json.digest);
    expect(byDigest.content.equals(byTag.content)).toBe(true);
    const manifest = byTag.manifest as { config: { digest: string }; layers: Array<{ size: number }> };
    expect(manifest.layers[0].size).toBe(100_000);
    const client = new ContainerRegistryClient(endpoint, sim.credential, { tlsOptions: sim.tlsOptions });
    const properties = await client.getArtifact('shop/api', '1.0').getManifestProperties();
    expect(properties).toMatchObject({ digest: pushed.json.digest, architecture: 'amd64', operatingSystem: 'linux', tags: ['1.0'] });
    expect(catalog.behaviourOf('simregistry.azurecr.io/shop/api:1.0')).toEqual({ kind: 'degraded' });
    expect(catalog.behaviourOf(`simregistry.azurecr.io/shop/api@${pushed.json.digest}`)).toEqual({ kind: 'degraded' });
  });

  it('gives the same tag a new digest on every push', async () => {
    const first = await admin('/_sim/registry/push', { repository: 'shop/web', tag: 'latest' });
    const second = await admin('/_sim/registry/push', { repository: 'shop/web', tag: 'latest' });
    expect(second.json.digest).not.toBe(first.json.digest);
  });

  it('serves a multi-platform index, config blobs with os/architecture, and tags over plain HTTPS with the token flow', async () => {
    const pushed = await admin('/_sim/registry/push', { repository: 'shop/worker', tag: '2.0', platforms: ['linux/amd64', 'linux/arm64/v8'], sizeBytes: 4096 });
    const base = '/registries/simregistry';
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const post = (path: string, body: string) =>
      new Promise<any>((resolve, reject) => {
        const req = https.request(`${sim.url}${base}${path}`, { method: 'POST', agent: sim.httpsAgent, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(JSON.parse(text)));
        });
        req.on('error', reject);
        req.end(body);
      });
    const { refresh_token } = await post('/oauth2/exchange', form({ grant_type: 'access_token', service: 'simregistry.azurecr.io', access_token: 'entra-token' }));
    const { access_token } = await post('/oauth2/token', form({ grant_type: 'refresh_token', service: 'simregistry.azurecr.io', scope: 'repository:shop/worker:pull', refresh_token }));
    const auth = { authorization: `Bearer ${access_token}` };
    const index = await get(`${base}/v2/shop/worker/manifests/2.0`, auth);
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('application/vnd.oci.image.index.v1+json');
    expect(index.headers['docker-content-digest']).toBe(`sha256:${createHash('sha256').update(index.body).digest('hex')}`);
    expect(index.headers['docker-content-digest']).toBe(pushed.json.digest);
    const body = JSON.parse(index.body.toString()) as { manifests: Array<{ digest: string; platform: { os: string; architecture: string; variant?: string } }> };
    expect(body.manifests.map((m) => m.platform)).toEqual([{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]);
    const arm = await get(`${base}/v2/shop/worker/manifests/${body.manifests[1].digest}`, auth);
    const armManifest = JSON.parse(arm.body.toString()) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> };
    const config = await get(`${base}/v2/shop/worker/blobs/${armManifest.config.digest}`, auth);
    expect(JSON.parse(config.body.toString())).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    const layer = await get(`${base}/v2/shop/worker/blobs/${armManifest.layers[0].digest}`, auth);
    expect(layer.body.length).toBe(4096);
    expect(`sha256:${createHash('sha256').update(layer.body).digest('hex')}`).toBe(armManifest.layers[0].digest);
    const tags = await get(`${base}/v2/shop/worker/tags/list`, auth);
    expect(JSON.parse(tags.body.toString())).toEqual({ name: 'shop/worker', tags: ['2.0'] });
    const otherRepo = await get(`${base}/v2/shop/api/tags/list`, auth);
    expect(otherRepo.status).toBe(401);
    const missing = await get(`${base}/v2/shop/worker/manifests/9.9`, auth);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).errors[0].code).toBe('MANIFEST_UNKNOWN');
  });

  it('answers on Host <name>.azurecr.io (the connect-to seam product code uses), realm on that host', async () => {
    await admin('/_sim/registry/push', { repository: 'shop/multi', tag: '3.0', platforms: ['linux/amd64', 'linux/arm64'], sizeBytes: 2048 });
    const dispatcher = createHttpAgent({ connectTo: `*.azurecr.io=127.0.0.1:${sim.port}`, caCertPath: sim.caCertPath });
    const url = 'https://simregistry.azurecr.io/v2/shop/multi/manifests/3.0';
    const first = await request(url, { dispatcher });
    await first.body.dump();
    expect(first.statusCode).toBe(401);
    expect(first.headers['www-authenticate']).toBe('Bearer realm="https://simregistry.azurecr.io/oauth2/token",service="simregistry.azurecr.io",scope="repository:shop/multi:pull"');
    const formPost = async (path: string, fields: Record<string, string>) => {
      const response = await request(`https://simregistry.azurecr.io${path}`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
      return (await response.body.json()) as Record<string, string>;
    };
    const { refresh_token } = await formPost('/oauth2/exchange', { grant_type: 'access_token', service: 'simregistry.azurecr.io', access_token: 'entra' });
    const { access_token } = await formPost('/oauth2/token', { grant_type: 'refresh_token', service: 'simregistry.azurecr.io', scope: 'repository:shop/multi:pull', refresh_token });
    const second = await request(url, { dispatcher, headers: { authorization: `Bearer ${access_token}`, accept: 'application/vnd.oci.image.index.v1+json' } });
    const index = (await second.body.json()) as { manifests: Array<{ platform: { architecture: string } }> };
    expect(second.statusCode).toBe(200);
    expect(index.manifests.map((m) => m.platform.architecture)).toEqual(['amd64', 'arm64']);
  });

  it('npm run push (pushCli) pushes through the admin API and records a job behaviour', async () => {
    const cli = path.resolve(__dirname, '../../simulators/pushCli.js');
    const { stdout } = await execFileAsync(process.execPath, [cli, 'simregistry.azurecr.io/shop/migrator:4', '--behaviour', 'migrate-fail', '--platform', 'linux/arm64', '--sim', sim.url, '--ca', sim.caCertPath], { timeout: 30_000 });
    expect(stdout).toMatch(/^pushed simregistry\.azurecr\.io\/shop\/migrator:4\ndigest sha256:[0-9a-f]{64} /);
    expect(catalog.metadataOf('simregistry.azurecr.io/shop/migrator:4')).toEqual({ jobBehaviour: 'migrate-fail' });
    const bad = execFileAsync(process.execPath, [cli, 'no-tag', '--sim', sim.url, '--ca', sim.caCertPath], { timeout: 30_000 });
    await expect(bad).rejects.toMatchObject({ code: 2 });
  });

  it('rejects a push without a tag with a 400 naming the field', async () => {
    const response = await admin('/_sim/registry/push', { repository: 'shop/api' });
    expect(response.status).toBe(400);
    expect(response.json.error.target).toBe('tag');
  });
});

describe('push notifications', () => {
  it('sends an ACR-shaped webhook with the custom headers, once, and only for matching scopes', async () => {
    const receiver = await startReceiver(() => ({ status: 200 }));
    try {
      await admin('/_sim/registry/webhooks', { serviceUri: receiver.url, customHeaders: { Authorization: 'Basic c2VjcmV0', 'X-Source': 'acr' }, actions: ['push'], scope: 'hooked/app:*' });
      await admin('/_sim/registry/push', { repository: 'other/app', tag: '1' });
      const pushed = await admin('/_sim/registry/push', { repository: 'hooked/app', tag: 'v7' });
      const hit = await eventually('webhook', () => receiver.received[0], 20_000, 50);
      await registry.admin.notifier.idle();
      expect(receiver.received).toHaveLength(1);
      expect(hit.headers.authorization).toBe('Basic c2VjcmV0');
      expect(hit.headers['x-source']).toBe('acr');
      expect(hit.headers['content-type']).toBe('application/json');
      const payload = JSON.parse(hit.body);
      expect(Object.keys(payload).sort()).toEqual(['action', 'id', 'request', 'target', 'timestamp']);
      expect(payload.action).toBe('push');
      expect(payload.target).toEqual({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: pushed.json.size, digest: pushed.json.digest, length: pushed.json.size, repository: 'hooked/app', tag: 'v7' });
      expect(Object.keys(payload.request).sort()).toEqual(['host', 'id', 'method', 'useragent']);
      expect(payload.request.host).toBe('simregistry.azurecr.io');
    } finally {
      await receiver.close();
    }
  });

  it('does not retry a failing webhook', async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    try {
      await admin('/_sim/registry/webhooks', { registry: 'failingreg', serviceUri: receiver.url });
      await admin('/_sim/registry/push', { registry: 'failingreg', repository: 'x/y', tag: '1' });
      await eventually('webhook', () => receiver.received[0], 20_000, 50);
      await registry.admin.notifier.idle();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('Event Grid: validation handshake first, then ImagePushed with aeg-event-type Notification, retried until accepted', async () => {
    let failuresLeft = 2;
    const receiver = await startReceiver((r) => {
      const events = JSON.parse(r.body) as Array<{ eventType: string; data: { validationCode?: string } }>;
      if (r.headers['aeg-event-type'] === 'SubscriptionValidation') return { status: 200, body: JSON.stringify({ validationResponse: events[0].data.validationCode }) };
      return failuresLeft-- > 0 ? { status: 503 } : { status: 200 };
    });
    try {
      const added = await admin('/_sim/registry/eventgrid', { registry: 'eventreg1', endpoint: receiver.url, schema: 'EventGridSchema', initialRetryDelayMs: 20 });
      expect(added.status).toBe(201);
      expect(receiver.received[0].headers['aeg-event-type']).toBe('SubscriptionValidation');
      const pushed = await admin('/_sim/registry/push', { registry: 'eventreg1', repository: 'shop/api', tag: '5' });
      await eventually('delivery', () => receiver.received.length >= 4, 20_000, 50);
      await registry.admin.notifier.idle();
      const notifications = receiver.received.slice(1);
      expect(notifications).toHaveLength(3);
      const [event] = JSON.parse(notifications[2].body) as Array<Record<string, any>>;
      expect(notifications[2].headers['aeg-event-type']).toBe('Notification');
      expect(event).toMatchObject({ eventType: 'Microsoft.ContainerRegistry.ImagePushed', subject: 'shop/api:5', dataVersion: '1.0', metadataVersion: '1' });
      expect(event.topic).toMatch(/\/providers\/Microsoft\.ContainerRegistry\/registries\/eventreg1$/);
      expect(event.data.target.digest).toBe(pushed.json.digest);
      expect(JSON.parse(notifications[0].body)[0].id).toBe(event.id);
    } finally {
      await receiver.close();
    }
  });

  it('Event Grid: a subscription whose endpoint does not echo the code is refused', async () => {
    const receiver = await startReceiver(() => ({ status: 200, body: JSON.stringify({ validationResponse: 'wrong' }) }));
    try {
      const added = await admin('/_sim/registry/eventgrid', { registry: 'eventreg2', endpoint: receiver.url });
      expect(added.status).toBe(400);
      expect(added.json.error.message).toContain('validationResponse');
    } finally {
      await receiver.close();
    }
  });

  it('Event Grid CloudEvents: OPTIONS handshake, then a CloudEvent, delivered twice with duplicate: true', async () => {
    const receiver = await startReceiver((r) => (r.method === 'OPTIONS' ? { status: 200, headers: { 'WebHook-Allowed-Origin': String(r.headers['webhook-request-origin']) } } : { status: 200 }));
    try {
      const added = await admin('/_sim/registry/eventgrid', { registry: 'eventreg3', endpoint: receiver.url, schema: 'CloudEventSchemaV1_0', duplicate: true });
      expect(added.status).toBe(201);
      await admin('/_sim/registry/push', { registry: 'eventreg3', repository: 'shop/api', tag: '6' });
      await eventually('deliveries', () => receiver.received.length >= 3, 20_000, 50);
      const [first, second] = receiver.received.slice(1).map((r) => (JSON.parse(r.body) as Array<Record<string, unknown>>)[0]);
      expect(first).toMatchObject({ type: 'Microsoft.ContainerRegistry.ImagePushed', specversion: '1.0', subject: 'shop/api:6' });
      expect(second.id).toBe(first.id);
    } finally {
      await receiver.close();
    }
  });
});
