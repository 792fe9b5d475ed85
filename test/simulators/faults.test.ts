/** Fault rules, in-process and through the admin API, as the real SDK experiences them. */
import https from 'node:https';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { appModel, armClient, RG, SUB } from './simHelpers';

jest.setTimeout(60_000);

let sim: RunningAzureSimulator;
beforeAll(async () => {
  sim = await startAzureSimulator({ lroRetryAfterSeconds: 0 });
  await armClient(sim).containerApps.createOrUpdate(RG, 'faulty', appModel('faulty:1', { minReplicas: 0 }), { updateIntervalInMs: 100 });
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(() => sim.faults.clear());

const getPath = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/faulty`;
const hits = (since: number): number => sim.requests.filter((r) => r.path === getPath && r.method === 'GET' && r.at >= since).length;

function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sim.url}${path}`, { method, agent: sim.httpsAgent, headers: { 'content-type': 'application/json', ...headers }, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test('429 with Retry-After is retried by the SDK after the advertised delay', async () => {
  sim.faults.add({ match: { operation: 'ContainerApps_Get' }, response: { status: 429, headers: { 'Retry-After': '1' } }, times: 2 });
  const since = Date.now();
  const app = await armClient(sim).containerApps.get(RG, 'faulty');
  expect(app.name).toBe('faulty');
  expect(hits(since)).toBe(3);
  expect(Date.now() - since).toBeGreaterThanOrEqual(1900);
  expect(sim.requests.filter((r) => r.path === getPath && r.at >= since && r.fault).map((r) => r.status)).toEqual([429, 429]);
});

test('admin API: a 500 once, then served; rules listed and cleared', async () => {
  const added = await raw('POST', '/_sim/faults', { match: { method: 'GET', pathRegex: '/containerApps/faulty$' }, response: 500, times: 1 });
  expect(added.status).toBe(201);
  expect((await raw('GET', '/_sim/faults')).body).toContain('containerApps/faulty');
  const since = Date.now();
  await armClient(sim).containerApps.get(RG, 'faulty');
  expect(hits(since)).toBe(2);
  expect(JSON.parse((await raw('GET', '/_sim/faults')).body)).toEqual({ value: [] });
  expect((await raw('POST', '/_sim/faults', { response: 'teapot' })).status).toBe(400);
});

test('409 without retries surfaces as a RestError; a dropped connection is retried; slow answers are slow', async () => {
  const noRetry = new ContainerAppsAPIClient(sim.credential, SUB, { endpoint: sim.url, tlsOptions: sim.tlsOptions, retryOptions: { maxRetries: 0 } });
  sim.faults.add({ match: { operation: 'ContainerApps_Get' }, response: 409, times: 1 });
  await expect(noRetry.containerApps.get(RG, 'faulty')).rejects.toMatchObject({ statusCode: 409, code: 'Conflict' });

  sim.faults.add({ match: { operation: 'ContainerApps_Get' }, response: 'drop', times: 1 });
  expect((await armClient(sim).containerApps.get(RG, 'faulty')).name).toBe('faulty');

  sim.faults.add({ match: { operation: 'ContainerApps_Get' }, response: { delayMs: 400 }, times: 1 });
  const started = Date.now();
  await noRetry.containerApps.get(RG, 'faulty');
  expect(Date.now() - started).toBeGreaterThanOrEqual(380);
});

test('ARM calls without a bearer token are refused', async () => {
  const res = await raw('GET', `${getPath}?api-version=2026-07-01`);
  expect(res.status).toBe(401);
  expect(JSON.parse(res.body).error.code).toBe('AuthenticationFailed');
  expect((await raw('GET', `${getPath}?api-version=2026-07-01`, undefined, { authorization: 'Bearer x' })).status).toBe(200);
});
