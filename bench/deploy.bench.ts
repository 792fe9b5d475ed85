/**
 * Deployment benchmark (`npm run bench:deploy`), in one run on the local stack: devhost with the
 * Durable engine on Azurite, the simulated Azure (ARM, registry, revisions as real processes) and
 * the compiled app, exactly as the scenario tests run it. Health interval 1 s.
 *
 * 1. Controller overhead, p50 over 10 deployments of a healthy image (blue-green, no migration,
 *    successThreshold 1): webhook accepted (the deployment record's createdAt, written by the
 *    webhook handler) → promotion (the promote step's end, after the 100 % traffic switch),
 *    minus the revision's own time: the health-wait step (from its start, right after the
 *    revision was created, to its end, when the first healthy answer was judged). That
 *    subtraction removes the simulated revision's process start-up and the probe itself, and
 *    leaves verify, the deploy calls, the promote calls, the records and the engine's own hops.
 * 2. Rollback time for an unhealthy image (failureThreshold 2, interval 1 s): from the first
 *    health check (the health-wait step's start, when the first probe is sent; an upper bound on
 *    the first failure) to traffic restored (the rollback step's end). Target: 2 × 1 s + 2 s.
 * 3. Webhook acknowledgement under 50 concurrent senders: 3 rounds of 1,000 ACR `push` webhooks
 *    POSTed with undici over 50 connections, for a repository no app follows (each is
 *    authenticated, parsed, matched and its delivery record committed to Table storage, but
 *    starts nothing, so the pipeline is not flooded). p50/p99/max. Side by side, interleaved
 *    with those rounds, the same requests with a wrong secret (401 before any I/O: devhost, the
 *    HTTP stack and the machine, i.e. the floor this host can answer in), and the handler's own
 *    duration as devhost logs it.
 * 4. 1,000 duplicate pushes of one digest (50 concurrent senders): exactly one deployment.
 * Prints one JSON object as its last line.
 *
 * `npm run bench:deploy -- --baseline <checkout>`: measures 1. side by side with another build of
 * the app (a checkout of an earlier commit, built with its own `npm ci && npm run build`): a second
 * stack runs that build's compiled entry, and the deployments alternate between the two stacks,
 * so both see the same machine load; the result gains `baseline` and `overheadRatio`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { startLocalStack, LOCAL_KEYS, type LocalStack } from '../devhost/localStack/localStack';
import { acrPushBody, eventually, pushWithoutWebhook, QUIET_TIMERS } from '../test/scenarios/scenarioKit';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TERMINAL = ['succeeded', 'rolled-back', 'failed', 'superseded', 'rejected'];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const ms = (iso: string | undefined): number => (iso ? Date.parse(iso) : NaN);
const round = (n: number): number => Math.round(n * 10) / 10;

async function finished(stack: LocalStack, app: string, digest: string): Promise<any> {
  return eventually(`${app}@${digest.slice(0, 19)} finished`, async () => {
    const { body } = await stack.api('GET', `/deployments?app=${app}`);
    const d = (body.deployments as any[]).find((x) => x.image?.digest === digest);
    return d && TERMINAL.includes(d.phase) ? d : undefined;
  }, 120_000, 100);
}

function step(deployment: any, name: string, outcome?: string): any {
  return (deployment.steps as any[]).filter((s) => s.step === name && (!outcome || s.outcome === outcome)).pop();
}

interface BlastResult {
  latencies: number[];
  statuses: Map<number, number>;
}

function merge(into: BlastResult, from: BlastResult): void {
  into.latencies.push(...from.latencies);
  for (const [status, n] of from.statuses) into.statuses.set(status, (into.statuses.get(status) ?? 0) + n);
}

/** The handler's own duration (devhost's invocation log) while an ack round runs. */
const handlerDurations: number[] = [];
const handler: BlastResult = { latencies: [], statuses: new Map() };
let recordHandler = false;

/** Sends `total` POSTs with `concurrency` in flight; returns each one's latency (ms) and status. */
async function blast(pool: Pool, total: number, concurrency: number, body: (i: number) => string, secret: string = LOCAL_KEYS.acrWebhookSecret): Promise<BlastResult> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const started = performance.now();
      const response = await pool.request({
        path: '/api/webhooks/acr',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: body(i),
      });
      await response.body.dump();
      latencies.push(performance.now() - started);
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  return { latencies, statuses };
}

interface Overhead {
  overheads: number[];
  totals: number[];
  revisionTimes: number[];
}

/** One healthy deployment of `main-<i>`: webhook → promotion, the revision's own time, and the difference. */
async function deployOnce(stack: LocalStack, i: number): Promise<{ total: number; revision: number }> {
  const { digest } = stack.push('bench', `main-${i}`);
  const d = await finished(stack, 'bench', digest);
  if (d.phase !== 'succeeded') throw new Error(`bench deployment ${i} ended ${d.phase}: ${d.reason}`);
  const health = step(d, 'health-wait', 'succeeded');
  return { total: ms(step(d, 'promote', 'succeeded').endedAt) - ms(d.createdAt), revision: ms(health.endedAt) - ms(health.startedAt) };
}

/** 10 measured deployments (after one warm-up) per stack, alternating between the stacks. */
async function measureOverhead(stacks: ReadonlyArray<{ label: string; stack: LocalStack }>, log: (line: string) => void): Promise<Overhead[]> {
  const results = stacks.map((): Overhead => ({ overheads: [], totals: [], revisionTimes: [] }));
  for (let i = 1; i <= 11; i++) {
    // Which build goes first alternates too, so neither always follows the other's load.
    const order = i % 2 === 0 ? [...stacks.keys()] : [...stacks.keys()].reverse();
    for (const k of order) {
      const { label, stack } = stacks[k];
      const { total, revision } = await deployOnce(stack, i);
      if (i === 1) continue; // warm-up: first loads of every module and table
      results[k].totals.push(total);
      results[k].revisionTimes.push(revision);
      results[k].overheads.push(total - revision);
      log(`${label} deployment ${i}: total ${total} ms, revision ${revision} ms, overhead ${total - revision} ms`);
    }
  }
  return results;
}

function summarise(o: Overhead): Record<string, number> {
  return {
    p50: round(percentile(o.overheads, 50)),
    p90: round(percentile(o.overheads, 90)),
    max: round(Math.max(...o.overheads)),
    deployments: o.overheads.length,
    webhookToPromotionP50: round(percentile(o.totals, 50)),
    revisionHealthyP50: round(percentile(o.revisionTimes, 50)),
  };
}

function benchStack(entry: string, log?: (line: object | string) => void): Promise<LocalStack> {
  return startLocalStack({
    entry,
    configPath: path.join(REPO_ROOT, 'test', 'fixtures', 'config', 'scenarios.bench.json'),
    stateDir: mkdtempSync(path.join(tmpdir(), 'hm-bench-')),
    hubName: `bench${Date.now().toString(36)}`,
    withPostgres: false,
    settings: { ...QUIET_TIMERS },
    log: log ?? (() => undefined),
  });
}

function baselineArgument(): string | undefined {
  const at = process.argv.indexOf('--baseline');
  if (at < 0) return undefined;
  const checkout = process.argv[at + 1];
  if (!checkout) throw new Error('usage: npm run bench:deploy -- [--baseline <checkout of another commit, built>]');
  return path.resolve(checkout, 'dist', 'src', 'index.js');
}

async function main(): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const baselineEntry = baselineArgument();
  const stack = await benchStack(path.join(REPO_ROOT, 'dist', 'src', 'index.js'), (line) => {
    const entry = line as { msg?: string; function?: string; durationMs?: number };
    if (recordHandler && entry.msg === 'invocation' && entry.function === 'acrWebhook' && typeof entry.durationMs === 'number') handlerDurations.push(entry.durationMs);
  });
  let baseline = baselineEntry ? await benchStack(baselineEntry) : undefined;
  try {
    // 1. controller overhead (beside the baseline build's, alternating, when one is given)
    const [current, before] = await measureOverhead([{ label: 'this build', stack }, ...(baseline ? [{ label: 'baseline', stack: baseline }] : [])], log);
    // The ack rounds below measure this build alone.
    await baseline?.stop();
    baseline = undefined;

    // 2. rollback time
    const bad = stack.push('bench', 'main-bad', 'unhealthy');
    const rolled = await finished(stack, 'bench', bad.digest);
    if (rolled.phase !== 'rolled-back') throw new Error(`the unhealthy image ended ${rolled.phase}`);
    const rollbackMs = ms(step(rolled, 'rollback', 'succeeded').endedAt) - ms(step(rolled, 'health-wait').startedAt);
    const app = stack.apps.apps.find((a) => a.name === 'bench')!;
    const rollbackTargetMs = app.health.failureThreshold * app.health.intervalSeconds * 1000 + 2000;
    log(`rollback: ${rollbackMs} ms (target ${rollbackTargetMs} ms)`);

    const pool = new Pool(stack.devhost.baseUrl, { connections: 50, pipelining: 1 });
    try {
      // 3. acknowledgement under 50 concurrent senders, pushes nobody follows; the 401 floor beside it
      const nobody = (round: number) => (i: number) => acrPushBody('benchmark.azurecr.io', 'nobody/follows', `t-${round}-${i}`, `sha256:${(round * 10_000 + i + 1000).toString(16).padStart(64, '0')}`);
      await blast(pool, 200, 50, nobody(0));
      await blast(pool, 200, 50, nobody(0), 'wrong-secret');
      const ack: BlastResult = { latencies: [], statuses: new Map() };
      const floor: BlastResult = { latencies: [], statuses: new Map() };
      for (let round = 1; round <= 3; round++) {
        merge(floor, await blast(pool, 1000, 50, nobody(round), 'wrong-secret'));
        handlerDurations.length = 0;
        recordHandler = true;
        const accepted = await blast(pool, 1000, 50, nobody(round));
        recordHandler = false;
        merge(ack, accepted);
        merge(handler, { latencies: [...handlerDurations], statuses: new Map() });
        log(`ack round ${round}: p99 ${percentile(accepted.latencies, 99).toFixed(1)} ms`);
      }
      log(`ack: p50 ${percentile(ack.latencies, 50).toFixed(1)} ms, p99 ${percentile(ack.latencies, 99).toFixed(1)} ms, statuses ${JSON.stringify([...ack.statuses])}`);
      log(`floor (401): p50 ${percentile(floor.latencies, 50).toFixed(1)} ms, p99 ${percentile(floor.latencies, 99).toFixed(1)} ms; handler p99 ${percentile(handler.latencies, 99)} ms`);

      // 4. 1,000 duplicates of one digest
      const dup = pushWithoutWebhook(stack, 'bench-dup', 'main-dup');
      const dupStarted = performance.now();
      const dups = await blast(pool, 1000, 50, () => acrPushBody('benchmark.azurecr.io', 'bench/dup', 'main-dup', dup.digest));
      const dupSendMs = performance.now() - dupStarted;
      const dupDeployment = await finished(stack, 'bench-dup', dup.digest);
      const { body: all } = await stack.api('GET', '/deployments?app=bench-dup');
      const deploymentsOfDigest = (all.deployments as any[]).filter((d) => d.image?.digest === dup.digest).length;
      log(`duplicates: ${deploymentsOfDigest} deployment(s), ${dupDeployment.phase}; statuses ${JSON.stringify([...dups.statuses])}; p99 ${percentile(dups.latencies, 99).toFixed(1)} ms`);

      const result = {
        benchmark: 'deploy',
        at: new Date().toISOString(),
        node: process.version,
        healthIntervalSeconds: app.health.intervalSeconds,
        controllerOverheadMs: { ...summarise(current), target: 1000 },
        ...(before
          ? {
              baseline: { entry: baselineEntry, controllerOverheadMs: summarise(before) },
              overheadRatio: Number((percentile(current.overheads, 50) / percentile(before.overheads, 50)).toFixed(2)),
            }
          : {}),
        rollback: {
          firstCheckToTrafficRestoredMs: rollbackMs,
          targetMs: rollbackTargetMs,
          failureThreshold: app.health.failureThreshold,
        },
        webhookAck: {
          senders: 50,
          requests: ack.latencies.length,
          kind: 'ACR push for a repository no app follows (authenticated, parsed, matched, delivery record committed; starts nothing)',
          p50Ms: round(percentile(ack.latencies, 50)),
          p99Ms: round(percentile(ack.latencies, 99)),
          maxMs: round(Math.max(...ack.latencies)),
          statuses: Object.fromEntries(ack.statuses),
          targetP99Ms: 20,
          handlerP50Ms: percentile(handler.latencies, 50),
          handlerP99Ms: percentile(handler.latencies, 99),
          floor401P50Ms: round(percentile(floor.latencies, 50)),
          floor401P99Ms: round(percentile(floor.latencies, 99)),
          floorStatuses: Object.fromEntries(floor.statuses),
          p99OverFloor: round(percentile(ack.latencies, 99) / percentile(floor.latencies, 99)),
        },
        duplicates: {
          pushes: dups.latencies.length,
          senders: 50,
          deployments: deploymentsOfDigest,
          phase: dupDeployment.phase,
          statuses: Object.fromEntries(dups.statuses),
          sendSeconds: round(dupSendMs / 1000),
          p99AckMs: round(percentile(dups.latencies, 99)),
          target: 1,
        },
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await pool.close();
    }
  } finally {
    await stack.stop();
    await baseline?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
