/**
 * OpenTelemetry for the app, set up once per process before any function runs (src/index.ts):
 * - in Azure (`APPLICATIONINSIGHTS_CONNECTION_STRING` set): the Azure Monitor distro
 *   (`@azure/monitor-opentelemetry`) sends traces, metrics and logs to Application Insights,
 *   authenticated with the app's managed identity (the component accepts Entra ID only; the
 *   identity holds Monitoring Metrics Publisher on it);
 * - elsewhere: a meter provider and a tracer provider of the SDK, spans written to the log.
 * Either way the same metrics are also kept for `GET /api/metrics` (Prometheus text), which
 * reads them from this instance.
 *
 * The handle lives on the process (`Symbol.for`), like OpenTelemetry's own globals: an app loaded
 * twice into one process (devhost in tests) reuses it. When something else registered the global
 * providers first (a test with its own exporters), that stays in charge and `GET /api/metrics`
 * says metrics are exported elsewhere.
 */
import type { TokenCredential } from '@azure/core-auth';
import { metrics, trace } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LogSpanExporter } from './logSpanExporter';

export interface Telemetry {
  readonly destination: 'application-insights' | 'log' | 'elsewhere';
  /** The reader behind `GET /api/metrics`; undefined when another provider owns the globals. */
  readonly prometheus?: PrometheusExporter;
}

export interface TelemetryOptions {
  /** Application Insights; undefined on the local stack. */
  readonly connectionString?: string;
  /** The managed identity telemetry is sent with. */
  readonly credential: () => TokenCredential;
}

const HANDLE = Symbol.for('harbormaster.telemetry');
type Holder = { [HANDLE]?: Telemetry };

const SERVICE = { 'service.name': 'harbormaster' };

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const holder = globalThis as Holder;
  const started = holder[HANDLE];
  if (started) return started;
  const telemetry = options.connectionString ? startAzureMonitor(options.connectionString, options.credential()) : startLocal();
  holder[HANDLE] = telemetry;
  return telemetry;
}

export function getTelemetry(): Telemetry | undefined {
  return (globalThis as Holder)[HANDLE];
}

function prometheusReader(): PrometheusExporter {
  // No server of its own: GET /api/metrics serves what it collects.
  return new PrometheusExporter({ preventServerStart: true });
}

function startAzureMonitor(connectionString: string, credential: TokenCredential): Telemetry {
  // Loaded only here, where it is used: the distro (with the OpenTelemetry Node SDK it brings) is
  // about 0.8 s of CPU to load, which every process without Application Insights would pay at
  // start for nothing (the local stack, each test suite that starts the app).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  const prometheus = prometheusReader();
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, credential },
    resource: resourceFromAttributes(SERVICE),
    metricReaders: [prometheus],
  });
  return { destination: 'application-insights', prometheus };
}

function startLocal(): Telemetry {
  const prometheus = prometheusReader();
  const resource = resourceFromAttributes(SERVICE);
  const meters = metrics.setGlobalMeterProvider(new MeterProvider({ resource, readers: [prometheus] }));
  const tracers = trace.setGlobalTracerProvider(new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(new LogSpanExporter())] }));
  if (!meters || !tracers) return { destination: 'elsewhere' };
  return { destination: 'log', prometheus };
}
