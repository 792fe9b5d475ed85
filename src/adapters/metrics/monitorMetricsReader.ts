/**
 * MetricsPort over Azure Monitor's batch metrics API with `@azure/monitor-query-metrics`
 * (`MetricsClient.queryResources`; not the deprecated `@azure/monitor-query`).
 *
 * The batch API takes up to 50 resources of one subscription and region per call and is served by
 * the region's own endpoint (`https://<region>.metrics.monitor.azure.com`), so targets are grouped
 * that way. Four calls per group, because aggregation and dimension filter apply to the whole call:
 *   Requests        total,   split by revisionName and statusCodeCategory → requests and 5xx
 *   ResponseTime    average, split by revisionName                       → average response time
 *   RestartCount    total,   split by revisionName                       → restarts
 *   WorkingSetBytes maximum, split by revisionName and podName           → busiest replica's memory
 * and, only when the caller asks for them (analysis checks; each is one more call):
 *   CpuPercentage    average, split by podName                            → busiest replica's CPU, % of its limit
 *   MemoryPercentage average, split by podName                            → busiest replica's memory, % of its limit
 *   Replicas         maximum, split by revisionName                       → most replicas at once
 * Azure offers CpuPercentage and MemoryPercentage by podName only; a pod's name is its revision's
 * followed by two segments (`<revision>-<replica set hash>-<pod suffix>`), which gives the revision.
 * One point per series for the whole window (interval FULL). Everything is split by revision so the
 * sweep decides which revisions count.
 */
import type { TokenCredential } from '@azure/core-auth';
import { MetricsClient, type Metric, type MetricsQueryResourcesOptions, type MetricsQueryResult } from '@azure/monitor-query-metrics';
import { azureRequestTimeout } from '../azure/clientOptions';
import { statusCodeOf } from '../azure/restErrors';
import type { AppMetricsByRevision, MetricsPort, MetricsReadOptions, MetricsReading, MetricsTarget, OptionalRevisionFigure, RevisionMetrics } from './metricsPort';

const NAMESPACE = 'Microsoft.App/containerApps';
/** The batch API's limit of resource ids per call. */
const MAX_RESOURCES_PER_CALL = 50;
/** Series per resource: revisions × status categories, or revisions × replicas. */
const TOP_SERIES = 200;
const DEFAULT_TIMEOUT_MS = 15_000;

export interface MonitorMetricsReaderOptions {
  /** Local stack: one endpoint for every region (the Monitor simulator). Unset in Azure. */
  endpoint?: string;
  /** Extra CA (local stack). */
  tlsOptions?: { ca: string | string[] };
  retryOptions?: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
  /** Per-try timeout, ms (default: the one every Azure client has). */
  requestTimeoutMs?: number;
}

type MetricName = 'Requests' | 'ResponseTime' | 'RestartCount' | 'WorkingSetBytes' | 'CpuPercentage' | 'MemoryPercentage' | 'Replicas';

interface Query {
  metric: MetricName;
  aggregation: 'total' | 'average' | 'maximum';
  filter: string;
}

const QUERIES: readonly Query[] = [
  { metric: 'Requests', aggregation: 'total', filter: "revisionName eq '*' and statusCodeCategory eq '*'" },
  { metric: 'ResponseTime', aggregation: 'average', filter: "revisionName eq '*'" },
  { metric: 'RestartCount', aggregation: 'total', filter: "revisionName eq '*'" },
  { metric: 'WorkingSetBytes', aggregation: 'maximum', filter: "revisionName eq '*' and podName eq '*'" },
];

const OPTIONAL_QUERIES: Readonly<Record<OptionalRevisionFigure, Query>> = {
  cpuPercent: { metric: 'CpuPercentage', aggregation: 'average', filter: "podName eq '*'" },
  memoryPercent: { metric: 'MemoryPercentage', aggregation: 'average', filter: "podName eq '*'" },
  replicas: { metric: 'Replicas', aggregation: 'maximum', filter: "revisionName eq '*'" },
};

export class MonitorMetricsReader implements MetricsPort {
  private readonly clients = new Map<string, MetricsClient>();

  constructor(
    private readonly credential: TokenCredential,
    private readonly options: MonitorMetricsReaderOptions = {},
  ) {}

  async readAppMetrics(targets: readonly MetricsTarget[], options: MetricsReadOptions): Promise<Map<string, MetricsReading>> {
    const out = new Map<string, MetricsReading>();
    const end = options.endTime ?? new Date();
    const start = new Date(end.getTime() - options.windowMinutes * 60_000);
    await Promise.all(
      groupTargets(targets).map(async (group) => {
        const ids = group.map((t) => t.resourceId);
        try {
          const readings = await this.readGroup(group[0], ids, start, end, options);
          for (const id of ids) out.set(id.toLowerCase(), readings.get(id.toLowerCase()) ?? new Map());
        } catch (error) {
          const reason = describeError(error, options);
          for (const id of ids) out.set(id.toLowerCase(), { error: reason });
        }
      }),
    );
    return out;
  }

  private async readGroup(first: MetricsTarget, ids: string[], start: Date, end: Date, options: MetricsReadOptions): Promise<Map<string, MetricsReading>> {
    const client = this.client(first.region);
    const signal = anySignal(options.abortSignal, AbortSignal.timeout(options.timeoutInMs ?? DEFAULT_TIMEOUT_MS));
    const queries = [...QUERIES, ...[...new Set(options.figures ?? [])].map((figure) => OPTIONAL_QUERIES[figure])];
    const results = await Promise.all(
      queries.map(async (query) => {
        // The SDK forwards `abortSignal` to the pipeline (operationOptionsToRequestParameters) although
        // MetricsQueryResourcesOptions does not declare it; without it a hung endpoint would hold the sweep.
        const queryOptions: MetricsQueryResourcesOptions & { abortSignal: AbortSignal } = {
          startTime: start,
          endTime: end,
          interval: 'FULL',
          aggregation: query.aggregation,
          filter: query.filter,
          top: TOP_SERIES,
          abortSignal: signal,
        };
        return { query, results: await client.queryResources(ids, [query.metric], NAMESPACE, queryOptions) };
      }),
    );
    const byResource = new Map<string, MetricsReading>();
    for (const { query, results: perResource } of results) {
      for (const result of perResource) collect(byResource, result, query);
    }
    return byResource;
  }

  private client(region: string): MetricsClient {
    const endpoint = this.options.endpoint ?? `https://${region}.metrics.monitor.azure.com`;
    let client = this.clients.get(endpoint);
    if (!client) {
      client = new MetricsClient(endpoint, this.credential, {
        ...(this.options.tlsOptions ? { tlsOptions: this.options.tlsOptions } : {}),
        ...(this.options.retryOptions ? { retryOptions: this.options.retryOptions } : {}),
        additionalPolicies: [azureRequestTimeout(this.options.requestTimeoutMs)],
      });
      this.clients.set(endpoint, client);
    }
    return client;
  }
}

/** Groups by subscription and region, at most 50 per group. */
function groupTargets(targets: readonly MetricsTarget[]): MetricsTarget[][] {
  const groups = new Map<string, MetricsTarget[]>();
  for (const target of targets) {
    const key = `${subscriptionOf(target.resourceId)}|${target.region.toLowerCase()}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(target);
  }
  const out: MetricsTarget[][] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += MAX_RESOURCES_PER_CALL) out.push(group.slice(i, i + MAX_RESOURCES_PER_CALL));
  }
  return out;
}

function subscriptionOf(resourceId: string): string {
  return /\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1]?.toLowerCase() ?? '';
}

function collect(byResource: Map<string, MetricsReading>, result: MetricsQueryResult, query: Query): void {
  const id = (result.resourceId ?? '').toLowerCase();
  if (!id) return;
  const existing = byResource.get(id) ?? new Map<string, RevisionMetrics>();
  if ('error' in existing) return;
  const metric = findMetric(result, query.metric);
  if (!metric) return;
  if (metric.errorCode && metric.errorCode !== 'Success') {
    byResource.set(id, { error: `Monitor could not compute ${query.metric} (${metric.errorCode})` });
    return;
  }
  const revisions: AppMetricsByRevision = existing;
  for (const series of metric.timeseries) {
    const dims = new Map((series.metadatavalues ?? []).map((m) => [(m.name ?? '').toLowerCase(), m.value ?? '']));
    const revision = (dims.get('revisionname') ?? revisionOfPod(dims.get('podname') ?? '')).toLowerCase();
    if (!revision) continue;
    const figures = revisions.get(revision) ?? { requests: 0, requests5xx: 0, restarts: 0 };
    const points = series.data ?? [];
    switch (query.metric) {
      case 'Requests': {
        const total = sum(points.map((p) => p.total));
        figures.requests += total;
        if ((dims.get('statuscodecategory') ?? '').toLowerCase() === '5xx') figures.requests5xx += total;
        break;
      }
      case 'ResponseTime': {
        const averages = points.map((p) => p.average).filter((v): v is number => typeof v === 'number');
        if (averages.length > 0) figures.responseTimeAvgMs = sum(averages) / averages.length;
        break;
      }
      case 'RestartCount':
        figures.restarts += sum(points.map((p) => p.total));
        break;
      case 'WorkingSetBytes': {
        const max = Math.max(...points.map((p) => p.maximum ?? Number.NEGATIVE_INFINITY));
        if (Number.isFinite(max)) figures.maxWorkingSetBytesPerReplica = Math.max(figures.maxWorkingSetBytesPerReplica ?? 0, max);
        break;
      }
      case 'CpuPercentage':
      case 'MemoryPercentage': {
        // One series per pod: the pod's average over the window; the revision's figure is its busiest pod's.
        const averages = points.map((p) => p.average).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
        if (averages.length === 0) break;
        const podAverage = sum(averages) / averages.length;
        const key = query.metric === 'CpuPercentage' ? 'cpuPercent' : 'memoryPercent';
        figures[key] = Math.max(figures[key] ?? Number.NEGATIVE_INFINITY, podAverage);
        break;
      }
      case 'Replicas': {
        const max = Math.max(...points.map((p) => p.maximum ?? Number.NEGATIVE_INFINITY));
        if (Number.isFinite(max)) figures.replicas = Math.max(figures.replicas ?? 0, max);
        break;
      }
    }
    revisions.set(revision, figures);
  }
  byResource.set(id, revisions);
}

/** `app--rev-5d8f7c9b6-xk2lp` → `app--rev`: a pod's name is its revision's plus the replica set hash and the pod suffix. */
function revisionOfPod(podName: string): string {
  const parts = podName.split('-');
  return parts.length > 2 ? parts.slice(0, -2).join('-') : '';
}

// The SDK names a metric by its localized display name ("Memory Working Set Bytes"), so match the id's last segment.
function findMetric(result: MetricsQueryResult, name: MetricName): Metric | undefined {
  const suffix = `/${name.toLowerCase()}`;
  return result.metrics.find((m) => (m.id ?? '').toLowerCase().endsWith(suffix)) ?? result.metrics.find((m) => m.name === name);
}

function sum(values: Array<number | undefined>): number {
  return values.reduce<number>((a, v) => a + (typeof v === 'number' && Number.isFinite(v) ? v : 0), 0);
}

function anySignal(outer: AbortSignal | undefined, timeout: AbortSignal): AbortSignal {
  return outer ? AbortSignal.any([outer, timeout]) : timeout;
}

/** Status and code only: never a response body (it could quote a query or a token audience). */
function describeError(error: unknown, options: MetricsReadOptions): string {
  const name = (error as { name?: string })?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return `the metrics request timed out after ${options.timeoutInMs ?? DEFAULT_TIMEOUT_MS} ms`;
  const status = statusCodeOf(error);
  const code = (error as { code?: unknown })?.code;
  const codeText = typeof code === 'string' ? ` ${code.slice(0, 60)}` : '';
  return status !== undefined ? `the metrics API answered HTTP ${status}${codeText}` : `the metrics API could not be reached${codeText}`;
}
