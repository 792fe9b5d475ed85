/**
 * The web provider against a local HTTP server: a number picked out of JSON by path, retries on
 * 5xx and 429 honouring Retry-After, a timeout per try and a deadline per measurement (a server that never answers is an
 * error reading, never a stuck activity), and the factory refusing unknown kinds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAnalysisActivities } from '../../src/activities/analysis/createAnalysisActivities';
import { createAnalysisProviders } from '../../src/activities/analysis/analysisProviders';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import type { AnalysisCheckSpec, AnalysisProviderKind } from '../../src/domain/analysis';
import type { MeasureAnalysisInput } from '../../src/domain/deployment';
import { UNUSED_PORTS } from './unusedPorts';

jest.setTimeout(30_000);

let server: http.Server;
let base: string;
const hits = new Map<string, number>();
const ports = { ...UNUSED_PORTS, http: createHttpAgent() };

function check(url: string, fields: Partial<AnalysisCheckSpec['provider']> = {}): AnalysisCheckSpec {
  return {
    name: 'smoke',
    provider: { kind: 'web', url, jsonPath: 'data.errorRate', timeoutSeconds: 1, retries: 2, ...fields } as AnalysisCheckSpec['provider'],
    intervalSeconds: 10,
    count: 1,
    successCondition: 'value <= 0.05',
    failureLimit: 0,
    inconclusiveLimit: 0,
  };
}

function input(spec: AnalysisCheckSpec): MeasureAnalysisInput {
  return { app: 'web-app', containerApp: { subscriptionId: 's', resourceGroup: 'r', name: 'web-app' }, check: spec, revisionName: 'web-app--abc', revisionFqdn: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (path === '/ok') return send(200, JSON.stringify({ data: { errorRate: 0.01, healthy: true } }));
    if (path === '/flaky') return hits.get(path)! < 3 ? send(503, '{}') : send(200, JSON.stringify({ data: { errorRate: 0.3 } }));
    if (path === '/down') return send(503, 'secret-token-in-body');
    if (path === '/text') return send(200, 'not json at all');
    if (path === '/missing') return send(200, JSON.stringify({ data: {} }));
    if (path === '/hang') return; // never answers
    if (path === '/throttled') return hits.get(path)! < 2 ? (res.writeHead(429, { 'retry-after': '1' }), res.end('{}')) : send(200, JSON.stringify({ data: { errorRate: 0.02 } }));
    if (path === '/throttled-long') return (res.writeHead(429, { 'retry-after': '120' }), res.end('{}'));
    if (path === '/not-implemented') return send(501, '{}');
    return send(404, '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('web: HTTP GET JSON, a path, a condition', () => {
  const { measureAnalysis } = createAnalysisActivities({ providerFor: createAnalysisProviders(ports), now: () => new Date(), measurementTimeoutMs: 5_000 });

  it('picks the number at the path', async () => {
    expect(await measureAnalysis(input(check(`${base}/ok`)))).toMatchObject({ kind: 'value', value: 0.01, detail: 'data.errorRate = 0.01' });
  });

  it('counts a boolean as 1 or 0', async () => {
    expect(await measureAnalysis(input(check(`${base}/ok`, { jsonPath: 'data.healthy' })))).toMatchObject({ kind: 'value', value: 1 });
  });

  it('replaces {{revisionFqdn}} with the revision\'s own host name', async () => {
    expect(await measureAnalysis(input(check('http://{{revisionFqdn}}/ok')))).toMatchObject({ kind: 'value', value: 0.01 });
  });

  it('tries again after a 5xx', async () => {
    expect(await measureAnalysis(input(check(`${base}/flaky`)))).toMatchObject({ kind: 'value', value: 0.3 });
    expect(hits.get('/flaky')).toBe(3);
  });

  it('gives up after its retries with the status, never the body', async () => {
    const reading = (await measureAnalysis(input(check(`${base}/down`, { retries: 1 })))) as any;
    expect(reading).toMatchObject({ kind: 'error', reason: `GET ${base.slice(7)}: HTTP 503 (2 tries)` });
    expect(JSON.stringify(reading)).not.toContain('secret-token');
  });

  it('a server that never answers times out per try and the measurement ends with an error', async () => {
    const started = Date.now();
    const reading = (await measureAnalysis(input(check(`${base}/hang`, { retries: 1 })))) as any;
    expect(reading.kind).toBe('error');
    expect(reading.reason).toMatch(/timed out after 1 s/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('waits what a 429 asks in Retry-After before trying again', async () => {
    const started = Date.now();
    expect(await measureAnalysis(input(check(`${base}/throttled`)))).toMatchObject({ kind: 'value', value: 0.02 });
    expect(hits.get('/throttled')).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it('asked to wait past the measurement deadline, gives up at once instead of timing out', async () => {
    const started = Date.now();
    expect(await measureAnalysis(input(check(`${base}/throttled-long`)))).toMatchObject({ kind: 'error', reason: `GET ${base.slice(7)}: HTTP 429; no time left to try again (1 try)` });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a status no retry can fix (4xx, 501) is an error on the first try', async () => {
    expect(await measureAnalysis(input(check(`${base}/not-implemented`)))).toMatchObject({ kind: 'error', reason: `GET ${base.slice(7)} answered HTTP 501` });
    expect(hits.get('/not-implemented')).toBe(1);
    expect(await measureAnalysis(input(check(`${base}/nowhere`)))).toMatchObject({ kind: 'error', reason: `GET ${base.slice(7)} answered HTTP 404` });
  });

  it('an answer that is not JSON is an error; a missing path is no data', async () => {
    expect(await measureAnalysis(input(check(`${base}/text`)))).toMatchObject({ kind: 'error', reason: 'the answer is not JSON' });
    expect(await measureAnalysis(input(check(`${base}/missing`)))).toMatchObject({ kind: 'no-data' });
  });
});

describe('web compared with the stable revision', () => {
  let revisions: http.Server;
  const seen: string[] = [];
  // Each revision answers under its own host name (as Container Apps' revision FQDNs do); stable serves none.
  const rates: Record<string, number | undefined> = { 'web-app--new.env.web.test': 0.2, 'web-app--old.env.web.test': 0.01 };
  let measureAnalysis: ReturnType<typeof createAnalysisActivities>['measureAnalysis'];

  beforeAll(async () => {
    revisions = http.createServer((req, res) => {
      const host = (req.headers.host ?? '').split(':')[0];
      seen.push(`${host}${req.url ?? ''}`);
      const rate = rates[host];
      if (rate === undefined) return (res.writeHead(404), res.end('{}'));
      if (req.url === '/hang' && host.startsWith('web-app--old')) return; // the stable one never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorRate: rate }));
    });
    await new Promise<void>((resolve) => revisions.listen(0, '127.0.0.1', resolve));
    const http2 = createHttpAgent({ connectTo: `*.web.test=127.0.0.1:${(revisions.address() as AddressInfo).port}` });
    ({ measureAnalysis } = createAnalysisActivities({ providerFor: createAnalysisProviders({ ...UNUSED_PORTS, http: http2 }), now: () => new Date(), measurementTimeoutMs: 5_000 }));
  });

  afterAll(async () => {
    revisions.closeAllConnections();
    await new Promise((resolve) => revisions.close(resolve));
  });

  const compared = (url: string, successCondition = 'value <= stable + 0.05', stableRevisionName: string | null = 'web-app--old'): MeasureAnalysisInput => ({
    app: 'web-app',
    containerApp: { subscriptionId: 's', resourceGroup: 'r', name: 'web-app' },
    check: { ...check(url, { jsonPath: 'errorRate', retries: 0 }), successCondition },
    revisionName: 'web-app--new',
    revisionFqdn: 'web-app--new.env.web.test',
    ...(stableRevisionName ? { stableRevisionName } : {}),
  });

  it('GETs the same URL for the stable revision\'s own host name in the same measurement; its number is `stable`', async () => {
    seen.length = 0;
    expect(await measureAnalysis(compared('http://{{revisionFqdn}}/stats'))).toMatchObject({
      kind: 'value',
      value: 0.2,
      stable: 0.01,
      detail: 'errorRate = 0.2; stable errorRate = 0.01',
    });
    expect(seen.sort()).toEqual(['web-app--new.env.web.test/stats', 'web-app--old.env.web.test/stats']);
  });

  it('{{stableRevisionFqdn}} names the stable revision in any check', async () => {
    seen.length = 0;
    expect(await measureAnalysis(compared('http://{{stableRevisionFqdn}}/stats', 'value <= 0.05'))).toMatchObject({ kind: 'value', value: 0.01 });
    expect(seen).toEqual(['web-app--old.env.web.test/stats']);
  });

  it('no stable revision (the first release) is no data, never a pass', async () => {
    expect(await measureAnalysis(compared('http://{{revisionFqdn}}/stats', 'value <= stable + 0.05', null))).toMatchObject({ kind: 'no-data', reason: 'no stable revision to compare with' });
  });

  it('a stable revision that never answers is an error naming it, within the deadline', async () => {
    const started = Date.now();
    const reading = (await measureAnalysis(compared('http://{{revisionFqdn}}/hang'))) as any;
    expect(reading).toMatchObject({ kind: 'error', reason: 'stable revision: GET web-app--old.env.web.test: timed out after 1 s (1 try)' });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('the provider factory', () => {
  it('refuses a kind it does not know (no silent fallback)', () => {
    expect(() => createAnalysisProviders(ports)('prometheus' as AnalysisProviderKind)).toThrow(/Unknown analysis provider kind "prometheus" \(known: monitor-metric, web, job, log-query\)/);
  });
});
