/**
 * The sweep's endpoint check at the wire: the real probe (undici, capped body, own timeout) against a
 * local server answering every seed format, garbage, an oversized body and nothing at all.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { createHealthEndpointProbe } from '../../src/adapters/health/healthEndpointProbe';
import { parseHealthResponse } from '../../src/domain/health';

const ANSWERS: Record<string, { status: number; body: string } | 'hang'> = {
  '/ok': { status: 200, body: '{"status":"ok"}' },
  '/healthy-pass': { status: 200, body: '{"status":"healthy","checks":{"db":"pass","cache":"pass"}}' },
  '/degraded': { status: 200, body: '{"status":"degraded","database":"ok","ai_service":"down"}' },
  '/503': { status: 503, body: '{"status":"unhealthy","checks":{"db":"fail"}}' },
  '/garbage': { status: 200, body: '\u0000\u00ff<html>garbage</html>' },
  '/huge': { status: 200, body: `{"status":"ok","pad":"${'x'.repeat(100_000)}"}` },
  '/hang': 'hang',
};

let server: http.Server;
let base: string;
const agent = new Agent();
const probe = createHealthEndpointProbe(agent);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const answer = ANSWERS[req.url ?? ''];
    if (answer === 'hang' || answer === undefined) return; // accept, never answer
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await agent.close();
});

async function check(path: string, degradedIsHealthy = false, timeoutMs = 3_000) {
  const r = await probe(`${base}${path}`, { timeoutMs, maxBodyBytes: 16 * 1024 });
  return parseHealthResponse({ status: r.status, body: r.body, latencyMs: r.latencyMs, ...(r.error ? { error: r.error } : {}) }, { degradedIsHealthy });
}

it.each([
  ['/ok', 'healthy', /status "ok"/],
  ['/healthy-pass', 'healthy', /status "healthy"/],
  ['/degraded', 'degraded', /status "degraded"/],
  ['/503', 'unhealthy', /HTTP 503/],
  ['/garbage', 'healthy', /without a JSON body/],
  ['/huge', 'healthy', /over the read cap/],
])('%s → %s', async (path, outcome, reason) => {
  const seen = await check(path);
  expect(seen.outcome).toBe(outcome);
  expect(seen.reason).toMatch(reason);
  expect(seen.latencyMs).toBeGreaterThanOrEqual(0);
});

it('degraded accepted as healthy by policy (a web app whose AI dependency is down)', async () => {
  expect((await check('/degraded', true)).outcome).toBe('healthy');
});

it('a hanging endpoint costs one timeout and is unreachable', async () => {
  const started = Date.now();
  const seen = await check('/hang', false, 500);
  expect(seen).toMatchObject({ outcome: 'unreachable', reason: expect.stringMatching(/timed out/) });
  expect(Date.now() - started).toBeLessThan(5_000);
});
