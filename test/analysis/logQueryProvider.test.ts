/**
 * The log-query provider with the real `@azure/monitor-query-logs` client against the simulated
 * Log Analytics: p95 of a revision's request durations over the window, the stable revision's in
 * the same window for a comparison, an empty answer as no data, a query the service refuses as an
 * error naming why, a query endpoint that never answers as an error at the check's timeout, and the
 * window ending `ingestionDelaySeconds` before the measurement.
 */
import { createAnalysisActivities } from '../../src/activities/analysis/createAnalysisActivities';
import { createAnalysisProviders } from '../../src/activities/analysis/analysisProviders';
import { LogAnalyticsReader } from '../../src/adapters/logs/logAnalyticsReader';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import type { AnalysisCheckSpec } from '../../src/domain/analysis';
import type { MeasureAnalysisInput } from '../../src/domain/deployment';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { RG, SUB } from '../simulators/simHelpers';
import { UNUSED_PORTS } from './unusedPorts';

jest.setTimeout(60_000);

const containerApp = { subscriptionId: SUB, resourceGroup: RG, name: 'logs-app' };
const resourceId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/logs-app`;
const NOW = Date.now();
const P95 = "AppRequests | where AppRoleInstance startswith '{{revision}}-' and Name startswith 'GET /orders' | summarize p95 = percentile(DurationMs, 95)";

let sim: RunningAzureSimulator;
let measure: (input: MeasureAnalysisInput) => Promise<unknown>;

function check(query: string, conditions: Partial<AnalysisCheckSpec> = { successCondition: 'value <= 100' }, fields: Record<string, unknown> = {}): AnalysisCheckSpec {
  return {
    name: 'p95',
    provider: { kind: 'log-query', workspaceId: '6f1e8b7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b', query, windowSeconds: 60, ingestionDelaySeconds: 0, timeoutSeconds: 10, ...fields } as AnalysisCheckSpec['provider'],
    intervalSeconds: 10,
    count: 1,
    failureLimit: 0,
    inconclusiveLimit: 0,
    ...conditions,
  };
}

function input(spec: AnalysisCheckSpec, revisionName = 'logs-app--canary'): MeasureAnalysisInput {
  return { app: 'logs-app', containerApp, check: spec, revisionName, stableRevisionName: 'logs-app--stable' };
}

/** `count` requests to /orders, durations base, base+1, … ms, `secondsAgo` seconds before NOW. */
function requests(revision: string, count: number, base: number, secondsAgo: number): void {
  for (let i = 0; i < count; i++) sim.metrics.recordRequest(resourceId, revision, `${revision}-5d8f9c7b4-x2k9q`, 200, 1, NOW - secondsAgo * 1000 + i, { path: `/orders/${i}`, appDurationMs: base + i });
}

beforeAll(async () => {
  sim = await startAzureSimulator({ lroRetryAfterSeconds: 0 });
  requests('logs-app--canary', 100, 100, 30); // 100..199 ms: p95 194
  requests('logs-app--stable', 100, 20, 30); // 20..119 ms: p95 114
  // Health checks are not orders: excluded by the query.
  for (let i = 0; i < 50; i++) sim.metrics.recordRequest(resourceId, 'logs-app--canary', 'logs-app--canary-5d8f9c7b4-x2k9q', 200, 5_000, NOW - 20_000 + i, { path: '/health' });
  const logs = new LogAnalyticsReader(sim.credential, { endpoint: `${sim.url}/v1`, tlsOptions: { ca: sim.caCertPem }, retryOptions: { maxRetries: 0, retryDelayInMs: 10, maxRetryDelayInMs: 10 } });
  const providerFor = createAnalysisProviders({ ...UNUSED_PORTS, logs, http: createHttpAgent() });
  ({ measureAnalysis: measure } = createAnalysisActivities({ providerFor, now: () => new Date(NOW) }));
});

afterAll(async () => {
  await sim?.stop();
});

describe('log-query: one number from KQL over Log Analytics', () => {
  it('reads the p95 of the revision\'s own requests in the window, through the real client', async () => {
    const reading = await measure(input(check(P95)));
    expect(reading).toMatchObject({ kind: 'value', value: 194, detail: 'query for logs-app--canary' });
    expect((reading as { window: { start: string; end: string } }).window).toEqual({ start: new Date(NOW - 60_000).toISOString(), end: new Date(NOW).toISOString() });
    expect(sim.requests.filter((r) => r.operation === 'Query_Execute')).not.toHaveLength(0);
  });

  it('compares with the stable revision over the same window', async () => {
    expect(await measure(input(check(P95, { successCondition: 'value <= stable * 1.5' })))).toMatchObject({ kind: 'value', value: 194, stable: 114 });
  });

  it('nothing in the window is no data (the window ends ingestionDelaySeconds before now)', async () => {
    expect(await measure(input(check(P95, undefined, { ingestionDelaySeconds: 45, windowSeconds: 10 })))).toMatchObject({
      kind: 'no-data',
      reason: 'the query found nothing for logs-app--canary in the window (no data yet, or no traffic)',
    });
  });

  it('a query the service refuses is an error reading, never a pass', async () => {
    const reading = (await measure(input(check('AppRequests | join kind=inner (AppTraces) on OperationId')))) as { kind: string; reason: string };
    expect(reading.kind).toBe('error');
    expect(reading.reason).toMatch(/^log-query could not be read: RestError/);
  });

  it('a query endpoint that never answers is an error reading at the check\'s timeoutSeconds, never a stuck measurement', async () => {
    // The logs client drops its abort signal: the provider races the check's own deadline.
    const silentWorkspace = '0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d';
    sim.faults.add({ match: { operation: 'Query_Execute', pathRegex: silentWorkspace }, response: { delayMs: 5_000 } });
    try {
      const started = Date.now();
      expect(await measure(input(check(P95, undefined, { workspaceId: silentWorkspace, timeoutSeconds: 1 })))).toMatchObject({ kind: 'error', reason: 'no answer within 1 s' });
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      sim.faults.clear();
    }
  });

  describe('minRequests: a count column read beside the value', () => {
    const P95_AND_COUNT = "AppRequests | where AppRoleInstance startswith '{{revision}}-' and Name startswith 'GET /orders' | summarize requests = count(), p95 = percentile(DurationMs, 95)";

    it('enough requests: the value is the first number that is not the count', async () => {
      expect(await measure(input(check(P95_AND_COUNT, undefined, { minRequests: 100 })))).toMatchObject({ kind: 'value', value: 194 });
    });

    it('too few requests on the revision is no data (inconclusive), not a pass', async () => {
      expect(await measure(input(check(P95_AND_COUNT, undefined, { minRequests: 101 })))).toMatchObject({
        kind: 'no-data',
        reason: '100 requests to logs-app--canary in the window, fewer than minRequests 101 (no data yet, or too little traffic)',
      });
    });

    it('too few on the stable revision is no data too', async () => {
      // Requests of 100 to 199 ms: all 100 of the canary's orders, 20 of the stable revision's.
      const query = "AppRequests | where AppRoleInstance startswith '{{revision}}-' and DurationMs >= 100 and DurationMs < 200 | summarize n = count(), p95 = percentile(DurationMs, 95)";
      expect(await measure(input(check(query, { successCondition: 'value <= stable * 1.5' }, { minRequests: 50, countColumn: 'n' })))).toMatchObject({
        kind: 'no-data',
        reason: 'stable revision: 20 requests to logs-app--stable in the window, fewer than minRequests 50 (no data yet, or too little traffic)',
      });
      expect(await measure(input(check(query, { successCondition: 'value <= stable * 1.5' }, { minRequests: 20, countColumn: 'n' })))).toMatchObject({ kind: 'value', value: 194, stable: 118 });
    });

    it('an empty window counts 0, never reads the count as the value', async () => {
      expect(await measure(input(check(P95_AND_COUNT, undefined, { minRequests: 1, ingestionDelaySeconds: 45, windowSeconds: 10 })))).toMatchObject({
        kind: 'no-data',
        reason: '0 requests to logs-app--canary in the window, fewer than minRequests 1 (no data yet, or too little traffic)',
      });
    });

    it('a query without the count column is an error naming it', async () => {
      expect(await measure(input(check(P95, undefined, { minRequests: 10 })))).toMatchObject({ kind: 'error', reason: 'the query returns no column "requests" to count requests with (minRequests)' });
    });
  });

  it('counts and error rates come out as numbers too', async () => {
    const count = check("AppRequests | where AppRoleInstance startswith '{{revision}}-' | summarize count()");
    expect(await measure(input(count))).toMatchObject({ kind: 'value', value: 150 });
    const rate = check("AppRequests | where AppRoleInstance startswith '{{revision}}-' and Success == false | summarize n = count()");
    expect(await measure(input(rate))).toMatchObject({ kind: 'value', value: 0 });
  });
});
