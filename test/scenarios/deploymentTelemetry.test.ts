/**
 * The telemetry of deployments, end to end: a good push and a bad one on the local stack, with
 * an in-memory span exporter and metric reader registered before the app starts (so they, not
 * the app's own providers, receive everything). Each deployment is one trace: a `deployment`
 * span over its whole life and a span per step, at the times its record shows; the metrics count
 * it by outcome, time its steps, and time the rollback of the bad one. Every log line written
 * while they run is kept (the app's pino lines, and the Functions log the orchestrations write
 * to): each names the deployment it is about.
 */
import { SpanStatusCode, metrics, trace } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import pino from 'pino';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, startScenarioStack, waitForDeploymentOf, waitUntilIdle } from './scenarioKit';
import { getLogger } from '../../src/telemetry/logger';

/** Collects on demand, as a scrape would. */
class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new TestMetricReader();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

async function metric(name: string): Promise<MetricData | undefined> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
}

const points = (data: MetricData | undefined): Array<DataPoint<unknown>> => (data?.dataPoints ?? []) as Array<DataPoint<unknown>>;
const iso = (span: ReadableSpan, end = false) => new Date(hrTimeToMilliseconds(end ? span.endTime : span.startTime)).toISOString();

/** A log line as JSON, with the fields the assertions read. */
type Line = { msg?: string; deploymentId?: string; app?: string; activity?: string; phase?: string; [field: string]: unknown };

describe('deployment telemetry', () => {
  let stack: LocalStack;
  let good: any;
  let bad: any;
  /** What the app's logger wrote (every level) from the first push on. */
  const appLines: Line[] = [];
  /** What the Functions log received (devhost's lines, and the handlers' `context.log`). */
  const hostLines: Line[] = [];

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.access.json', {
      settings: { ...QUIET_TIMERS, HARBORMASTER_LOG_LEVEL: 'debug' },
      withPostgres: false,
      log: (line) => void hostLines.push(line as Line),
    });
    // The app loads in this process and its logger writes to stdout; the same logger (children
    // share their root's stream) writes into the list instead.
    (getLogger() as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] = { write: (text: string) => void appLines.push(JSON.parse(text) as Line) };
    const first = stack.push('quiet-app', 'main-10');
    good = await waitForDeploymentOf(stack, 'quiet-app', first.digest);
    await waitUntilIdle(stack, 'quiet-app');
    const second = stack.push('quiet-app', 'main-11', 'unhealthy');
    bad = await waitForDeploymentOf(stack, 'quiet-app', second.digest, 120_000);
    await waitUntilIdle(stack, 'quiet-app');
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const traceOf = (deploymentId: string) => {
    const root = spans.getFinishedSpans().find((s) => s.name === 'deployment' && s.attributes['harbormaster.deployment.id'] === deploymentId);
    const children = spans.getFinishedSpans().filter((s) => root && s.parentSpanContext?.spanId === root.spanContext().spanId);
    return { root, children };
  };

  it('one trace per deployment: a span over its life, one per step at the recorded times', () => {
    expect(good.phase).toBe('succeeded');
    const { root, children } = traceOf(good.id);
    expect(root).toBeDefined();
    expect(root?.attributes).toMatchObject({ 'harbormaster.app': 'quiet-app', 'harbormaster.deployment.outcome': 'succeeded', 'harbormaster.image.tag': 'main-10', 'harbormaster.deployment.kind': 'deploy' });
    expect(iso(root as ReadableSpan)).toBe(good.createdAt);
    expect(root?.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(children.map((s) => s.name)).toEqual(good.steps.map((s: any) => `step ${s.step}`));
    for (const [i, step] of (good.steps as any[]).entries()) {
      expect(children[i].spanContext().traceId).toBe(root?.spanContext().traceId);
      expect([iso(children[i]), iso(children[i], true)]).toEqual([step.startedAt, step.endedAt ?? good.updatedAt]);
      expect(children[i].attributes['harbormaster.step.outcome']).toBe(step.outcome);
    }
  });

  it('a rolled-back deployment\'s trace shows the failed check and the rollback, marked as errors', () => {
    expect(bad.phase).toBe('rolled-back');
    const { root, children } = traceOf(bad.id);
    expect(root?.status).toMatchObject({ code: SpanStatusCode.ERROR });
    const failed = children.find((s) => s.attributes['harbormaster.step.outcome'] === 'failed');
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(children.map((s) => s.name)).toContain('step rollback');
    expect(traceOf(good.id).root?.spanContext().traceId).not.toBe(root?.spanContext().traceId);
  });

  it('logs: every line of the deployment activities names its deployment', () => {
    const ids = [good.id, bad.id];
    expect(appLines.length).toBeGreaterThan(0);
    expect(appLines.filter((line) => !ids.includes(line.deploymentId))).toEqual([]);
    for (const deployment of [good, bad]) {
      const lines = appLines.filter((line) => line.deploymentId === deployment.id);
      // A line per activity run (at debug), and the finish with the phase it ended in.
      expect(lines.map((line) => line.activity)).toEqual(expect.arrayContaining(['recordDeployment', 'verifyImage', 'deployRevision', 'routeTraffic']));
      expect(lines.find((line) => line.msg === 'deployment finished')).toMatchObject({ app: 'quiet-app', phase: deployment.phase });
    }
    // The health-wait orchestration writes to the Functions log, naming the deployment too.
    const healthWaits = hostLines.filter((line) => line.msg?.startsWith('{"msg":"health-wait"')).map((line) => JSON.parse(line.msg as string) as Line);
    expect(healthWaits.length).toBeGreaterThan(0);
    expect(healthWaits.filter((line) => !ids.includes(line.deploymentId))).toEqual([]);
  });

  it('metrics: deployments by outcome, step durations, time to rollback, webhook acknowledgements', async () => {
    const outcomes = points(await metric('harbormaster.deployments')).map((p) => [p.attributes['harbormaster.deployment.outcome'], p.value]);
    expect(outcomes).toEqual(expect.arrayContaining([['succeeded', 1], ['rolled-back', 1]]));

    const steps = points(await metric('harbormaster.deployment.step.duration'));
    const verify = steps.filter((p) => p.attributes['harbormaster.step'] === 'verify');
    expect(verify.reduce((n, p) => n + (p.value as Histogram).count, 0)).toBe(2);
    const healthWait = steps.find((p) => p.attributes['harbormaster.step'] === 'health-wait' && p.attributes['harbormaster.step.outcome'] === 'succeeded')?.value as Histogram;
    const recorded = good.steps.find((s: any) => s.step === 'health-wait');
    expect(healthWait.sum).toBeCloseTo((Date.parse(recorded.endedAt) - Date.parse(recorded.startedAt)) / 1000, 3);

    const rollback = points(await metric('harbormaster.rollback.duration'));
    expect(rollback).toHaveLength(1);
    expect(rollback[0].attributes).toEqual({ 'harbormaster.app': 'quiet-app', 'harbormaster.rollback.trigger': 'automatic' });
    expect((rollback[0].value as Histogram).count).toBe(1);

    const acks = points(await metric('harbormaster.webhook.ack.duration'));
    expect(acks.some((p) => p.attributes['harbormaster.webhook.source'] === 'acr' && p.attributes['http.response.status_code'] === 202)).toBe(true);
  });
});
