 
/** The Key Vault simulator through the real SecretClient (challenge-based auth, get, versions, list, set, delete). */
import https from 'node:https';
import { SecretClient } from '@azure/keyvault-secrets';
import { createKeyVaultModule } from '../../simulators/keyvault/keyVaultModule';
import { startSimulator, type RunningSimulator } from '../../simulators/server';

let sim: RunningSimulator;
let client: SecretClient;

function raw(path: string, method = 'GET', body?: unknown): Promise<{ status: number; headers: Record<string, unknown>; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sim.url}${path}`, { method, agent: sim.httpsAgent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  sim = await startSimulator({ modules: [createKeyVaultModule({ defaultPageSize: 2 })] });
  client = new SecretClient(sim.url, sim.credential, { disableChallengeResourceVerification: true, tlsOptions: sim.tlsOptions });
});

afterAll(async () => {
  await sim?.stop();
});

describe('Key Vault secrets through SecretClient', () => {
  it('challenges a request without a token like Key Vault', async () => {
    const response = await raw('/secrets/anything?api-version=7.6');
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer authorization="https:\/\/login\.microsoftonline\.com\/[^"]+", resource="https:\/\/vault\.azure\.net"$/);
  });

  it('gets a seeded secret by name (latest) and by version', async () => {
    const seeded = await raw('/_sim/keyvault/secrets', 'POST', { name: 'db-url', value: 'postgres://one' });
    expect(seeded.status).toBe(201);
    expect(seeded.json).not.toHaveProperty('value');
    await raw('/_sim/keyvault/secrets', 'POST', { name: 'db-url', value: 'postgres://two' });
    const latest = await client.getSecret('db-url');
    expect(latest.value).toBe('postgres://two');
    expect(latest.name).toBe('db-url');
    const first = await client.getSecret('db-url', { version: seeded.json.version });
    expect(first.value).toBe('postgres://one');
    expect(first.properties.version).toBe(seeded.json.version);
  });

  it('sets a secret with PUT (the SDK replays the body after the challenge)', async () => {
    const set = await client.setSecret('webhook-url', 'https://hooks.example/abc', { contentType: 'text/plain', tags: { team: 'ops' } });
    expect(set.value).toBe('https://hooks.example/abc');
    const got = await client.getSecret('webhook-url');
    expect(got.properties).toMatchObject({ contentType: 'text/plain', tags: { team: 'ops' }, enabled: true });
  });

  it('lists secret properties across pages (nextLink) without values, and versions', async () => {
    for (const name of ['list-a', 'list-b', 'list-c']) await client.setSecret(name, `value-${name}`);
    const names: string[] = [];
    for await (const properties of client.listPropertiesOfSecrets()) {
      names.push(properties.name);
      expect(properties).not.toHaveProperty('value');
    }
    expect(names).toEqual(expect.arrayContaining(['db-url', 'webhook-url', 'list-a', 'list-b', 'list-c']));
    const pages: number[] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage()) pages.push(page.length);
    expect(pages.length).toBeGreaterThan(2);
    const versions: string[] = [];
    for await (const version of client.listPropertiesOfSecretVersions('db-url')) versions.push(version.version!);
    expect(versions).toHaveLength(2);
  });

  it('a missing secret is a 404 the SDK surfaces', async () => {
    await expect(client.getSecret('nope')).rejects.toMatchObject({ statusCode: 404, code: 'SecretNotFound' });
  });

  it('deletes a secret (the delete poller sees it in deletedsecrets)', async () => {
    await client.setSecret('to-delete', 'x');
    const poller = await client.beginDeleteSecret('to-delete', { intervalInMs: 10 });
    const deleted = await poller.pollUntilDone();
    expect(deleted.name).toBe('to-delete');
    await expect(client.getSecret('to-delete')).rejects.toMatchObject({ statusCode: 404 });
  });
});
