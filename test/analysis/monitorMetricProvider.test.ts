/**
 * The monitor-metric provider at the wire: the real MetricsClient against the Monitor simulator,
 * whose samples are what the test records for two revisions of one app. The region comes from a
 * fixed port (ARM's part is covered by the sweep's tests).
 */
import { MonitorMetricsReader } from '../../src/adapters/metrics/monitorMetricsReader';
import { containerAppResourceId } from '../../src/adapters/metrics/armMetricsFacts';
import { createAnalysisActivities } from '../../src/activities/analysis/createAnalysisActivities';
import { createAnalysisProviders } from '../../src/activities/analysis/analysisProviders';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import type { AnalysisCheckSpec } from '../../src/domain/analysis';
import type { MeasureAnalysisInput } from '../../src/domain/deployment';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { RG, SUB } from '../simulators/simHelpers';
import { UNUSED_PORTS } from './unusedPorts';

jest.setTimeout(60_000);

const containerApp = { subscriptionId: SUB, resourceGroup: RG, name: 'metrics-app' };
const resourceId = containerAppResourceId(containerApp);
const NOW = Date.now();

let sim: RunningAzureSimulator;
let measure: (input: MeasureAnalysisInput) => Promise<unknown>;

function check(fields: Partial<AnalysisCheckSpec['provider']> = {}, conditions: Partial<AnalysisCheckSpec> = { successCondition: 'value <= 0.05' }): AnalysisCheckSpec {
  return {
    name: 'error-rate',
    provider: { kind: 'monitor-metric', metric: '5xx-rate', windowSeconds: 60, ingestionDelaySeconds: 0, minRequests: 10, ...fields } as AnalysisCheckSpec['provider'],
    intervalSeconds: 10,
    count: 1,
    failureLimit: 0,
    inconclusiveLimit: 0,
    ...conditions,
  };
}

function input(spec: AnalysisCheckSpec, revisionName = 'metrics-app--canary'): MeasureAnalysisInput {
  return { app: 'metrics-app', containerApp, check: spec, revisionName, stableRevisionName: 'metrics-app--stable' };
}

function requests(revision: string, count: number, fiveXx: number, secondsAgo: number): void {
  for (let i = 0; i < count; i++) sim.metrics.recordRequest(resourceId, revision, `${revision}-pod`, i < fiveXx ? 500 : 200, 12, NOW - secondsAgo * 1000 + i);
}

beforeAll(async () => {
  sim = await startAzureSimulator({ lroRetryAfterSeconds: 0 });
  // 40 s ago: the canary failed 8 of 40, the stable revision 1 of 100. Three minutes ago: the canary failed none of 30.
  requests('metrics-app--canary', 40, 8, 40);
  requests('metrics-app--stable', 100, 1, 40);
  requests('metrics-app--canary', 30, 0, 180);
  // CPU and memory as Azure reports them, by pod only (the pod name starts with the revision's): two canary pods, one stable.
  const gauge = (metric: 'CpuPercentage' | 'MemoryPercentage', pod: string, value: number): void => sim.metrics.recordGauge(metric, resourceId, { podName: pod }, value, NOW - 30_000);
  gauge('CpuPercentage', 'metrics-app--canary-5d8f7c9b6-aaaaa', 30);
  gauge('CpuPercentage', 'metrics-app--canary-5d8f7c9b6-bbbbb', 70);
  gauge('CpuPercentage', 'metrics-app--stable-7c9b65d8f-ccccc', 20);
  gauge('MemoryPercentage', 'metrics-app--canary-5d8f7c9b6-aaaaa', 45);
  gauge('MemoryPercentage', 'metrics-app--canary-5d8f7c9b6-bbbbb', 40);
  gauge('MemoryPercentage', 'metrics-app--stable-7c9b65d8f-ccccc', 15);
  sim.metrics.recordGauge('Replicas', resourceId, { revisionName: 'metrics-app--canary' }, 2, NOW - 30_000);
  sim.metrics.recordGauge('Replicas', resourceId, { revisionName: 'metrics-app--stable' }, 1, NOW - 30_000);
  const metrics = new MonitorMetricsReader(sim.credential, { endpoint: sim.url, tlsOptions: { ca: sim.caCertPem }, retryOptions: { maxRetries: 0, retryDelayInMs: 10, maxRetryDelayInMs: 10 } });
  const providerFor = createAnalysisProviders({ ...UNUSED_PORTS, metrics, metricsFacts: { getRegion: () => Promise.resolve('eastus') }, http: createHttpAgent() });
  ({ measureAnalysis: measure } = createAnalysisActivities({ providerFor, now: () => new Date(NOW) }));
});

afterAll(async () => {
  await sim?.stop();
});

describe('monitor-metric: Requests by statusCodeCategory, filtered to the revision', () => {
  it('reads the 5xx rate of the revision over the window ending at the measurement', async () => {
    const reading = (await measure(input(check()))) as any;
    expect(reading).toMatchObject({ kind: 'value', value: 0.2, detail: '8 of 40 requests 5xx' });
    expect(reading.window).toEqual({ start: new Date(NOW - 60_000).toISOString(), end: new Date(NOW).toISOString() });
  });

  it('reads the stable revision in the same window when a condition compares with it', async () => {
    const reading = await measure(input(check({}, { successCondition: 'value <= stable + 0.01' })));
    expect(reading).toMatchObject({ kind: 'value', value: 0.2, stable: 0.01 });
  });

  it('ends the window an ingestion delay before now: older, quieter traffic is what counts', async () => {
    const reading = await measure(input(check({ ingestionDelaySeconds: 120, windowSeconds: 120 })));
    expect(reading).toMatchObject({ kind: 'value', value: 0, detail: '0 of 30 requests 5xx' });
  });

  it('fewer requests than minRequests is no data, not a pass', async () => {
    const reading = (await measure(input(check({ minRequests: 50 })))) as any;
    expect(reading.kind).toBe('no-data');
    expect(reading.reason).toMatch(/40 requests to metrics-app--canary in the window, fewer than minRequests 50/);
  });

  it('a revision nobody reached has no data', async () => {
    expect(await measure(input(check(), 'metrics-app--new'))).toMatchObject({ kind: 'no-data' });
  });

  it('requests and restarts are figures too', async () => {
    expect(await measure(input(check({ metric: 'requests' }, { failureCondition: 'value < 1' })))).toMatchObject({ kind: 'value', value: 40 });
    expect(await measure(input(check({ metric: 'restarts' }, { failureCondition: 'value > 0' })))).toMatchObject({ kind: 'value', value: 0 });
  });

  it('cpu-percent and memory-percent are the busiest replica of the revision, split from Azure\'s per-pod series by the pod name', async () => {
    expect(await measure(input(check({ metric: 'cpu-percent' }, { successCondition: 'value <= stable * 2' })))).toMatchObject({
      kind: 'value',
      value: 70,
      stable: 20,
      detail: "busiest replica's CPU 70 % of its limit; stable busiest replica's CPU 20 % of its limit",
    });
    expect(await measure(input(check({ metric: 'memory-percent' }, { successCondition: 'value < 80' })))).toMatchObject({ kind: 'value', value: 45 });
  });

  it('replicas is the most the revision ran at once', async () => {
    expect(await measure(input(check({ metric: 'replicas' }, { successCondition: 'value >= stable' })))).toMatchObject({ kind: 'value', value: 2, stable: 1 });
  });

  it('a revision without CPU, memory or replica figures has no data', async () => {
    for (const metric of ['cpu-percent', 'memory-percent', 'replicas'] as const) {
      expect(await measure(input(check({ metric }, { successCondition: 'value < 80' }), 'metrics-app--new'))).toMatchObject({ kind: 'no-data' });
    }
  });

  it('asks Monitor for CPU, memory and replicas only when a check names them: one more query, not three', async () => {
    const queries = async (metric: string): Promise<number> => {
      const since = sim.requests.length;
      await measure(input(check({ metric } as Partial<AnalysisCheckSpec['provider']>, { successCondition: 'value < 1000' })));
      return sim.requests.slice(since).filter((r) => r.operation === 'MetricsBatch_Batch').length;
    };
    expect(await queries('5xx-rate')).toBe(4);
    expect(await queries('cpu-percent')).toBe(5);
    expect(await queries('replicas')).toBe(5);
  });

  it('an unreachable Monitor is an error reading with the reason, never a thrown error', async () => {
    const metrics = new MonitorMetricsReader(sim.credential, { endpoint: 'https://127.0.0.1:1', tlsOptions: { ca: sim.caCertPem }, retryOptions: { maxRetries: 0, retryDelayInMs: 10, maxRetryDelayInMs: 10 } });
    const providerFor = createAnalysisProviders({ ...UNUSED_PORTS, metrics, metricsFacts: { getRegion: () => Promise.resolve('eastus') }, http: createHttpAgent() });
    const { measureAnalysis } = createAnalysisActivities({ providerFor, now: () => new Date(NOW) });
    const reading = await measureAnalysis(input(check()));
    expect(reading).toMatchObject({ kind: 'error', reason: expect.stringMatching(/metrics API could not be reached/) });
  });
});
