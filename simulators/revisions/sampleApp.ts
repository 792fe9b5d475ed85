/**
 * The program every simulated revision runs: a small HTTP server whose behaviour comes from its image
 * (see ../imageCatalog.ts). Started with `fork()` by ReplicaProcess; it reports the port it listens on
 * and its memory and CPU use over IPC. Environment: SAMPLE_BEHAVIOUR (JSON ImageBehaviour), SAMPLE_REVISION, SAMPLE_IMAGE.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ImageBehaviour } from '../imageCatalog';

/** `memory` also carries the CPU time the process has used so far (user + system, µs), for CPU usage figures. */
export type SampleAppMessage = { type: 'listening'; port: number } | { type: 'memory'; rssBytes: number; cpuMicros: number };

const behaviour = JSON.parse(process.env.SAMPLE_BEHAVIOUR ?? '{"kind":"healthy"}') as ImageBehaviour;
const revision = process.env.SAMPLE_REVISION ?? 'unknown';
const image = process.env.SAMPLE_IMAGE ?? 'unknown';
const startedAt = Date.now();

function report(message: SampleAppMessage): void {
  if (process.send) process.send(message);
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'x-revision': revision, ...headers });
  res.end(payload);
}

/** `true` while a flapping app is in its healthy half-period. */
function flappingHealthy(): boolean {
  const halfPeriodMs = (behaviour.seconds ?? 2) * 1000;
  return Math.floor((Date.now() - startedAt) / halfPeriodMs) % 2 === 0;
}

function health(res: http.ServerResponse): void {
  switch (behaviour.kind) {
    case 'healthy-checks':
      return json(res, 200, { status: 'healthy', checks: { db: 'pass', cache: 'pass' } });
    case 'degraded':
      return json(res, 200, { status: 'degraded', checks: { db: 'pass', cache: 'fail' } });
    case 'unhealthy':
      return json(res, 503, { status: 'unhealthy', checks: { db: 'fail' } });
    case 'flapping':
      return flappingHealthy() ? json(res, 200, { status: 'ok' }) : json(res, 503, { status: 'unhealthy', checks: { db: 'fail' } });
    default:
      return json(res, 200, { status: 'ok' });
  }
}

/** Ordinary requests served so far (health checks excluded), and how many of them failed. */
let served = 0;
let failed = 0;

/** What the app says about its own traffic (what a `web` analysis check reads). */
function stats(res: http.ServerResponse): void {
  json(res, 200, { revision, requests: served, errors: failed, errorRate: served === 0 ? 0 : failed / served });
}

/**
 * What an ordinary request costs: some milliseconds of work, jittered (±20 %), so latency
 * percentiles mean something. Enough that a loaded machine's event-loop delays (tens of ms, added
 * to every request of every revision) do not blur a `slow` release into a healthy one or the other
 * way round: with 20 ms, a healthy release's p95 came out over 1.5 × the stable's with four stack
 * shards on two cores.
 */
const BASE_WORK_MS = 50;
/** `slow` images do the same work three times slower. */
const SLOW_FACTOR = 3;

/**
 * Ordinary traffic: healthy apps answer 200, broken ones 500 (so error-rate metrics have something
 * to count). `errors-after-traffic` passes every health check but fails one request in five once
 * users reach it, which only metrics on real traffic can see; `slow` answers every one, three
 * times later.
 */
function work(req: http.IncomingMessage, res: http.ServerResponse): void {
  const received = performance.now();
  served += 1;
  const failing =
    behaviour.kind === 'unhealthy' || (behaviour.kind === 'flapping' && !flappingHealthy()) || (behaviour.kind === 'errors-after-traffic' && served % 5 === 0);
  if (failing) failed += 1;
  const workMs = BASE_WORK_MS * (behaviour.kind === 'slow' ? SLOW_FACTOR : 1) * (0.8 + 0.4 * Math.random());
  // The app's own measure of the request, as its telemetry (Application Insights) would log it.
  const answer = (): void => json(res, failing ? 500 : 200, { revision, image, path: req.url, behaviour: behaviour.kind }, { 'server-timing': `app;dur=${(performance.now() - received).toFixed(1)}` });
  setTimeout(answer, workMs);
}

const server = http.createServer((req, res) => {
  if (behaviour.kind === 'hanging') return; // accept and never answer
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/health' || path === '/healthz' || path === '/health/ready' || path === '/health/live') return health(res);
  if (path === '/stats') return stats(res);
  return work(req, res);
});

function listen(): void {
  server.listen(0, '127.0.0.1', () => report({ type: 'listening', port: (server.address() as AddressInfo).port }));
}

switch (behaviour.kind) {
  case 'crash-loop':
    // Dies during start-up, before it ever listens, like a container whose entrypoint fails.
    setTimeout(() => {
      process.stderr.write(`${revision}: fatal: cannot start (crash-loop image ${image})\n`);
      process.exit(1);
    }, 200);
    break;
  case 'slow-start':
    setTimeout(listen, (behaviour.seconds ?? 10) * 1000);
    break;
  default:
    listen();
}

setInterval(() => {
  const cpu = process.cpuUsage();
  report({ type: 'memory', rssBytes: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system });
}, 1000);
// The parent going away ends the replica (no orphans).
process.on('disconnect', () => process.exit(0));
