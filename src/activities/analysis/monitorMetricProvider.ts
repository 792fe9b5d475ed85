/**
 * `monitor-metric`: Container Apps platform metrics from Azure Monitor, through the MetricsPort
 * the health sweep uses (`@azure/monitor-query-metrics`). One read returns every revision of the
 * app in the same window, so a comparative check gets the stable revision's figure from the same
 * call.
 *
 * Monitor stores these metrics at one-minute grain and ingests them a few minutes late: the
 * window ends `ingestionDelaySeconds` before now, and too few requests in it (fewer than
 * `minRequests`, on either revision compared) is "no data", which the verdict counts as
 * inconclusive, never as a pass.
 */
import type { MonitorMetricProviderSpec, ProviderReading } from '../../domain/analysis';
import { needsStable } from '../../domain/analysis';
import { containerAppResourceId, type MetricsFactsPort } from '../../adapters/metrics/armMetricsFacts';
import type { MetricsPort, OptionalRevisionFigure, RevisionMetrics } from '../../adapters/metrics/metricsPort';
import type { AnalysisProvider, MeasureOptions, MeasureRequest } from './analysisProvider';

export function createMonitorMetricProvider(ports: { metrics: MetricsPort; metricsFacts: Pick<MetricsFactsPort, 'getRegion'> }): AnalysisProvider {
  return {
    async measure(request: MeasureRequest, options: MeasureOptions): Promise<ProviderReading> {
      const spec = request.check.provider as MonitorMetricProviderSpec;
      const end = new Date(request.now.getTime() - spec.ingestionDelaySeconds * 1000);
      const window = { start: new Date(end.getTime() - spec.windowSeconds * 1000).toISOString(), end: end.toISOString() };
      const region = await ports.metricsFacts.getRegion(request.containerApp, { abortSignal: options.abortSignal });
      const resourceId = containerAppResourceId(request.containerApp);
      const readings = await ports.metrics.readAppMetrics([{ resourceId, region }], {
        windowMinutes: spec.windowSeconds / 60,
        endTime: end,
        abortSignal: options.abortSignal,
        timeoutInMs: options.timeoutInMs,
        figures: OPTIONAL_FIGURE[spec.metric] ? [OPTIONAL_FIGURE[spec.metric]!] : [],
      });
      const reading = readings.get(resourceId.toLowerCase());
      if (!reading) return { kind: 'error', reason: 'Monitor returned nothing for the container app', window };
      if ('error' in reading) return { kind: 'error', reason: reading.error, window };
      const canary = figureOf(spec, request.revisionName, reading.get(request.revisionName.toLowerCase()));
      if ('missing' in canary) return { kind: 'no-data', reason: canary.missing, window };
      if (!needsStable(request.check)) return { kind: 'value', value: canary.value, detail: canary.detail, window };
      if (!request.stableRevisionName) return { kind: 'no-data', reason: 'no stable revision to compare with', window };
      const stable = figureOf(spec, request.stableRevisionName, reading.get(request.stableRevisionName.toLowerCase()));
      if ('missing' in stable) return { kind: 'no-data', reason: `stable revision: ${stable.missing}`, window };
      return { kind: 'value', value: canary.value, stable: stable.value, detail: `${canary.detail}; stable ${stable.detail}`, window };
    },
  };
}

/** The metrics read only for the checks that ask for them (one more Monitor query each). */
const OPTIONAL_FIGURE: Partial<Record<MonitorMetricProviderSpec['metric'], OptionalRevisionFigure>> = {
  'cpu-percent': 'cpuPercent',
  'memory-percent': 'memoryPercent',
  replicas: 'replicas',
};

function figureOf(spec: MonitorMetricProviderSpec, revision: string, figures: RevisionMetrics | undefined): { value: number; detail: string } | { missing: string } {
  const requests = figures?.requests ?? 0;
  const tooFew = (): { missing: string } => ({ missing: `${requests} requests to ${revision} in the window, fewer than minRequests ${spec.minRequests} (no data yet, or too little traffic)` });
  switch (spec.metric) {
    case '5xx-rate':
      if (requests === 0 || requests < spec.minRequests) return tooFew();
      return { value: figures!.requests5xx / requests, detail: `${figures!.requests5xx} of ${requests} requests 5xx` };
    case 'requests':
      return { value: requests, detail: `${requests} requests` };
    case 'restarts':
      return { value: figures?.restarts ?? 0, detail: `${figures?.restarts ?? 0} restarts` };
    case 'response-time-avg-ms':
      if (requests < spec.minRequests || figures?.responseTimeAvgMs === undefined) return tooFew();
      return { value: figures.responseTimeAvgMs, detail: `average of ${requests} requests` };
    case 'cpu-percent':
      if (figures?.cpuPercent === undefined) return { missing: `no CPU figures for ${revision} in the window (no data yet, or no replica ran)` };
      return { value: figures.cpuPercent, detail: `busiest replica's CPU ${round(figures.cpuPercent)} % of its limit` };
    case 'memory-percent':
      if (figures?.memoryPercent === undefined) return { missing: `no memory figures for ${revision} in the window (no data yet, or no replica ran)` };
      return { value: figures.memoryPercent, detail: `busiest replica's memory ${round(figures.memoryPercent)} % of its limit` };
    case 'replicas':
      if (figures?.replicas === undefined) return { missing: `no replica count for ${revision} in the window (no data yet)` };
      return { value: figures.replicas, detail: `at most ${figures.replicas} replicas` };
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
