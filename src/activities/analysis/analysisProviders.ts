/**
 * The analysis provider family: one factory keyed by the provider kind. An unknown kind
 * throws (a configuration the schema let through must not silently pass its checks).
 */
import type { Dispatcher } from 'undici';
import type { AnalysisProviderKind } from '../../domain/analysis';
import type { MetricsFactsPort } from '../../adapters/metrics/armMetricsFacts';
import type { MetricsPort } from '../../adapters/metrics/metricsPort';
import type { JobsPort } from '../../adapters/jobs/jobsPort';
import type { LogsQueryPort } from '../../adapters/logs/logsQueryPort';
import type { AnalysisProvider } from './analysisProvider';
import { createMonitorMetricProvider } from './monitorMetricProvider';
import { createWebProvider } from './webProvider';
import { createJobProvider } from './jobProvider';
import { createLogQueryProvider } from './logQueryProvider';

export interface AnalysisProviderPorts {
  metrics: MetricsPort;
  metricsFacts: Pick<MetricsFactsPort, 'getRegion'>;
  http: Dispatcher;
  jobs: JobsPort;
  logs: LogsQueryPort;
}

export type AnalysisProviderFor = (kind: AnalysisProviderKind) => AnalysisProvider;

export function createAnalysisProviders(ports: AnalysisProviderPorts): AnalysisProviderFor {
  const providers: Record<AnalysisProviderKind, AnalysisProvider> = {
    'monitor-metric': createMonitorMetricProvider(ports),
    web: createWebProvider(ports.http),
    job: createJobProvider({ jobs: ports.jobs }),
    'log-query': createLogQueryProvider(ports.logs),
  };
  return (kind) => {
    const provider = (providers as Partial<Record<string, AnalysisProvider>>)[kind];
    if (!provider) throw new Error(`Unknown analysis provider kind "${String(kind)}" (known: ${Object.keys(providers).join(', ')})`);
    return provider;
  };
}
