/**
 * Durable engine benchmark (`npm run bench:durable`): 200 orchestrations of five no-op
 * activities started together, then one such orchestration alone (median of several runs).
 * Prints its figures as one JSON object on the last line.
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startDevhost } from '../devhost/host';
import { startAzurite } from '../devhost/azurite';
import { createDurableExtension } from '../devhost/durable';
import { EventType } from '../devhost/durable/history';

const ENTRY = path.resolve(__dirname, '../test/fixtures/apps/durableBench/index.js');
const CONCURRENT = 200;
const ALONE_RUNS = 15;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const hubName = `Bench${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const durable = createDurableExtension({ hubName, log: (m) => process.stderr.write(`${m}\n`) });
  const devhost = await startDevhost({
    entry: ENTRY,
    port: 0,
    storage: { connectionString: azurite.connectionString },
    extensions: [durable],
    dataDir: path.join(azurite.location, 'devhost'),
    log: () => undefined,
  });
  try {
    const runtime = durable.runtime;
    const runOne = async (id: string): Promise<number> => {
      const started = performance.now();
      await runtime.startNew('fiveSteps', id, undefined);
      const done = await durable.waitForInstance(id, { timeoutMs: 120_000 });
      if (done.runtimeStatus !== 'Completed' || done.output !== '15') throw new Error(`${id} ended ${done.runtimeStatus} with ${done.output}`);
      return performance.now() - started;
    };

    // Warm-up (connections, JIT).
    await runOne(`warm-${randomUUID()}`);

    const episodesBefore = runtime.episodes;
    const t0 = performance.now();
    const ids = Array.from({ length: CONCURRENT }, (_, i) => `load-${i}-${randomUUID().slice(0, 8)}`);
    const latencies = await Promise.all(ids.map(runOne));
    const elapsedMs = performance.now() - t0;
    const episodes = runtime.episodes - episodesBefore;
    let historyEvents = 0;
    for (const id of ids.slice(0, 20)) {
      const record = await runtime.store.getInstance(id);
      historyEvents += (await runtime.store.readHistory(id, record?.executionId ?? '')).length;
    }
    const sample = await runtime.store.readHistory(ids[0], (await runtime.store.getInstance(ids[0]))?.executionId ?? '');

    const alone: number[] = [];
    for (let i = 0; i < ALONE_RUNS; i++) alone.push(await runOne(`alone-${i}-${randomUUID().slice(0, 8)}`));

    const figures = {
      orchestrations: CONCURRENT,
      activitiesPerOrchestration: 5,
      orchestrationsPerSecond: Number((CONCURRENT / (elapsedMs / 1000)).toFixed(1)),
      p50LatencyMs: Math.round(percentile(latencies, 50)),
      p95LatencyMs: Math.round(percentile(latencies, 95)),
      episodesPerInstance: Number((episodes / CONCURRENT).toFixed(2)),
      historyEventsPerInstance: Number((historyEvents / 20).toFixed(1)),
      taskCompletedPerInstance: sample.filter((e) => e.EventType === EventType.TaskCompleted).length,
      aloneP50Ms: Math.round(percentile(alone, 50)),
      aloneTargetMs: 150,
    };
    console.log(`200 x 5-step orchestrations: ${figures.orchestrationsPerSecond}/s, p50 ${figures.p50LatencyMs} ms, p95 ${figures.p95LatencyMs} ms`);
    console.log(`one 5-step orchestration alone: p50 ${figures.aloneP50Ms} ms (target < 150 ms)`);
    console.log(JSON.stringify(figures));
  } finally {
    await devhost.stop();
    await azurite.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exit(1);
});
