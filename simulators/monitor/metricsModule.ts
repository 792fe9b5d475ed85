/**
 * Azure Monitor metrics for the simulated container apps, as `@azure/monitor-query-metrics` 1.0.0 asks:
 *   POST /subscriptions/{sub}/metrics:getBatch?metricnamespace=..&metricnames=..&starttime=..&endtime=..&interval=..&aggregation=..&filter=..
 *        body { resourceids: [...] }  -> { values: [ { starttime, endtime, interval, namespace, resourceregion, resourceid, value: [metric] } ] }
 * and the ARM per-resource form (Metrics_List, api-version 2024-02-01):
 *   GET {resourceId}/providers/Microsoft.Insights/metrics?metricnames=..&timespan=a/b&interval=..&aggregation=..&$filter=..
 *        -> { cost, timespan, interval, value: [metric], namespace, resourceregion }
 * Values come from the MetricsRecorder (what the ingress and the revision processes really did).
 */
import { armError } from '../arm/errors';
import type { SimModule, SimRequest, SimResponse } from '../module';
import type { MetricName, MetricsRecorder, Sample } from './metricsRecorder';

type Aggregation = 'average' | 'total' | 'count' | 'minimum' | 'maximum';

interface MetricDefinition {
  unit: string;
  displayName: string;
  description: string;
  primary: Aggregation;
  /** Gauges take the last sample per time grain as the value to aggregate (per dimension set). */
  gauge: boolean;
}

const DEFINITIONS: Record<MetricName, MetricDefinition> = {
  Requests: { unit: 'Count', displayName: 'Requests', description: 'Requests processed', primary: 'total', gauge: false },
  ResponseTime: { unit: 'Milliseconds', displayName: 'Average Response Time (Preview)', description: 'Average response time per status code', primary: 'average', gauge: false },
  RestartCount: { unit: 'Count', displayName: 'Replica Restart Count', description: 'Restart count of container app replicas', primary: 'total', gauge: false },
  WorkingSetBytes: { unit: 'Bytes', displayName: 'Memory Working Set Bytes', description: 'Container App working set memory used in bytes', primary: 'average', gauge: true },
  Replicas: { unit: 'Count', displayName: 'Replica Count', description: 'Number of replicas count of container app', primary: 'maximum', gauge: true },
  // Azure splits these two by podName only (no revisionName dimension): a pod's name starts with its revision's.
  CpuPercentage: { unit: 'Percent', displayName: 'CPU Usage Percentage (Preview)', description: 'Percentage of CPU limit used in percentage points', primary: 'average', gauge: true },
  MemoryPercentage: { unit: 'Percent', displayName: 'Memory Percentage (Preview)', description: 'Percentage of memory limit used in percentage points', primary: 'average', gauge: true },
};

const NAMESPACE = 'microsoft.app/containerapps';

export interface MetricsModuleOptions {
  recorder: MetricsRecorder;
  /** Region reported for a resource (resourceregion). */
  regionOf?: (resourceId: string) => string | undefined;
}

export function createMetricsModule(options: MetricsModuleOptions): SimModule {
  return {
    name: 'monitor-metrics',
    operationOf(request) {
      if (/\/metrics:getBatch$/i.test(request.url.pathname)) return 'MetricsBatch_Batch';
      if (/\/providers\/Microsoft\.Insights\/metrics$/i.test(request.url.pathname)) return 'Metrics_List';
      return undefined;
    },
    handle(request) {
      return Promise.resolve(route(request, options));
    },
  };
}

function route(request: SimRequest, options: MetricsModuleOptions): SimResponse | undefined {
  const path = request.url.pathname;
  const q = request.url.searchParams;
  if (request.method === 'POST' && /^\/subscriptions\/[^/]+\/metrics:getBatch$/i.test(path)) {
    const ids = (request.json as { resourceids?: unknown } | undefined)?.resourceids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== 'string')) {
      return armError(400, 'BadRequest', 'Body must be { "resourceids": [ "<resource id>", ... ] }.', 'resourceids');
    }
    const parsed = parseQuery(q.get('metricnames'), q.get('starttime'), q.get('endtime'), undefined, q.get('interval'), q.get('aggregation'), q.get('filter'));
    if ('error' in parsed) return parsed.error;
    const values = (ids as string[]).map((id) => ({
      starttime: new Date(parsed.start).toISOString(),
      endtime: new Date(parsed.end).toISOString(),
      interval: parsed.intervalText,
      namespace: NAMESPACE,
      resourceregion: options.regionOf?.(id) ?? 'eastus',
      resourceid: id,
      value: parsed.names.map((name) => metricBody(options.recorder, id, name, parsed)),
    }));
    return { status: 200, body: { values } };
  }
  const perResource = /^(\/subscriptions\/.+)\/providers\/Microsoft\.Insights\/metrics$/i.exec(path);
  if (request.method === 'GET' && perResource) {
    const id = perResource[1];
    const parsed = parseQuery(q.get('metricnames'), undefined, undefined, q.get('timespan'), q.get('interval'), q.get('aggregation'), q.get('$filter'));
    if ('error' in parsed) return parsed.error;
    return {
      status: 200,
      body: {
        cost: 0,
        timespan: `${new Date(parsed.start).toISOString()}/${new Date(parsed.end).toISOString()}`,
        interval: parsed.intervalText,
        value: parsed.names.map((name) => metricBody(options.recorder, id, name, parsed)),
        namespace: NAMESPACE,
        resourceregion: options.regionOf?.(id) ?? 'eastus',
      },
    };
  }
  return undefined;
}

interface ParsedQuery {
  names: MetricName[];
  start: number;
  end: number;
  intervalMs: number;
  intervalText: string;
  aggregations?: Aggregation[];
  /** dimension (lower case) -> allowed values (lower case); '*' = split by it. */
  filters: Map<string, string[]>;
}

function parseQuery(
  metricnames: string | null,
  starttime: string | null | undefined,
  endtime: string | null | undefined,
  timespan: string | null | undefined,
  interval: string | null,
  aggregation: string | null,
  filter: string | null,
): ParsedQuery | { error: SimResponse } {
  const names = (metricnames ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0) return { error: armError(400, 'BadRequest', 'metricnames is required.', 'metricnames') };
  const unknown = names.filter((n) => !(n in DEFINITIONS));
  if (unknown.length > 0) {
    return { error: armError(400, 'BadRequest', `Unknown metric(s) ${unknown.join(', ')} for namespace ${NAMESPACE}. Known: ${Object.keys(DEFINITIONS).join(', ')}.`, 'metricnames') };
  }
  const now = Date.now();
  let start = now - 60 * 60 * 1000;
  let end = now;
  if (timespan) [start, end] = timespan.split('/').map((t) => Date.parse(t));
  if (starttime) start = Date.parse(starttime);
  if (endtime) end = Date.parse(endtime);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) {
    return { error: armError(400, 'BadRequest', 'The time range (starttime/endtime or timespan) is invalid.', 'timespan') };
  }
  const intervalText = interval && interval.toUpperCase() !== 'FULL' ? interval.toUpperCase() : interval ? 'FULL' : 'PT1M';
  const intervalMs = intervalText === 'FULL' ? end - start : parseIsoDuration(intervalText);
  if (!intervalMs) return { error: armError(400, 'BadRequest', `Invalid interval '${interval}'.`, 'interval') };
  const aggregations = aggregation
    ? aggregation.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean) as Aggregation[]
    : undefined;
  if (aggregations?.some((a) => !['average', 'total', 'count', 'minimum', 'maximum'].includes(a))) {
    return { error: armError(400, 'BadRequest', `Invalid aggregation '${aggregation}'.`, 'aggregation') };
  }
  return { names: names as MetricName[], start, end, intervalMs, intervalText, aggregations, filters: parseFilter(filter) };
}

/** `dim eq 'a' and other eq '*'` / `dim eq 'a' or dim eq 'b'`: the subset Monitor queries use. */
function parseFilter(filter: string | null): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  if (!filter) return filters;
  const re = /(\w+)\s+eq\s+'([^']*)'/gi;
  for (let m = re.exec(filter); m; m = re.exec(filter)) {
    const key = m[1].toLowerCase();
    filters.set(key, [...(filters.get(key) ?? []), m[2].toLowerCase()]);
  }
  return filters;
}

/** An ISO 8601 duration (`PT5M`, `P1DT2H`) in milliseconds; undefined when unreadable or zero. */
export function parseIsoDuration(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (!m || text === 'P' || text === 'PT') return undefined;
  const ms = ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 * 60 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
  return ms > 0 ? ms : undefined;
}

function metricBody(recorder: MetricsRecorder, resourceId: string, name: MetricName, query: ParsedQuery): unknown {
  const def = DEFINITIONS[name];
  const aggregations = query.aggregations ?? [def.primary];
  const splitBy = [...query.filters].filter(([, values]) => values.includes('*')).map(([dim]) => dim);
  const samples = recorder.query(name, resourceId, query.start, query.end).filter((s) =>
    [...query.filters].every(([dim, values]) => values.includes('*') || values.includes((dimensionValue(s, dim) ?? '').toLowerCase())),
  );
  const groups = new Map<string, { dims: Array<[string, string]>; samples: Sample[] }>();
  for (const s of samples) {
    const dims = splitBy.map((d) => [originalDimensionName(s, d), dimensionValue(s, d) ?? ''] as [string, string]);
    const key = JSON.stringify(dims);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { dims, samples: [] }));
    group.samples.push(s);
  }
  if (groups.size === 0 && splitBy.length === 0) groups.set('[]', { dims: [], samples: [] });
  const timeseries = [...groups.values()].map((group) => ({
    metadatavalues: group.dims.map(([dim, value]) => ({ name: { value: dim, localizedValue: dim }, value })),
    data: buckets(group.samples, query, def, aggregations),
  }));
  return {
    id: `${resourceId}/providers/Microsoft.Insights/metrics/${name}`,
    type: 'Microsoft.Insights/metrics',
    name: { value: name, localizedValue: def.displayName },
    displayDescription: def.description,
    unit: def.unit,
    timeseries,
    errorCode: 'Success',
  };
}

function buckets(samples: Sample[], query: ParsedQuery, def: MetricDefinition, aggregations: Aggregation[]): unknown[] {
  const out: unknown[] = [];
  for (let t = query.start; t < query.end; t += query.intervalMs) {
    let values = samples.filter((s) => s.at >= t && s.at < t + query.intervalMs);
    if (def.gauge) values = lastPerSeries(values);
    const point: Record<string, unknown> = { timeStamp: new Date(t).toISOString() };
    const nums = values.map((s) => s.value);
    for (const agg of aggregations) {
      if (agg === 'count') point.count = nums.length;
      else if (agg === 'total') point.total = nums.reduce((a, b) => a + b, 0);
      else if (nums.length === 0) continue; // Monitor omits average/min/max when there is no data
      else if (agg === 'average') point.average = nums.reduce((a, b) => a + b, 0) / nums.length;
      else if (agg === 'minimum') point.minimum = Math.min(...nums);
      else point.maximum = Math.max(...nums);
    }
    out.push(point);
  }
  return out;
}

/** For gauges: the last sample of each dimension set within a time grain, summed per timestamp. */
function lastPerSeries(samples: Sample[]): Sample[] {
  const last = new Map<string, Sample>();
  for (const s of samples) last.set(JSON.stringify(s.dimensions), s);
  return [...last.values()];
}

function dimensionValue(sample: Sample, dimLower: string): string | undefined {
  const key = Object.keys(sample.dimensions).find((k) => k.toLowerCase() === dimLower);
  return key ? sample.dimensions[key] : undefined;
}

function originalDimensionName(sample: Sample, dimLower: string): string {
  return Object.keys(sample.dimensions).find((k) => k.toLowerCase() === dimLower) ?? dimLower;
}
