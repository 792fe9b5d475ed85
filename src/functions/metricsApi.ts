/**
 * `GET /api/metrics` (Reader role or a read key): this instance's metrics in Prometheus text
 * format, the same instruments Application Insights receives in Azure (src/telemetry). Locally
 * that is the whole picture; in Azure each instance answers for itself, so charts and alerts
 * belong in Application Insights, and this is for a quick look or a scrape of one instance.
 */
import type { HttpResponseInit } from '@azure/functions';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { getTelemetry } from '../telemetry/startTelemetry';
import { registerApiRoute } from './http/apiRoute';
import { problem } from './http/problem';

const serializer = new PrometheusSerializer();

export async function getMetrics(): Promise<HttpResponseInit> {
  const reader = getTelemetry()?.prometheus;
  if (!reader) return problem(404, 'No metrics here', 'this instance exports its metrics elsewhere (another OpenTelemetry provider owns them)');
  const { resourceMetrics } = await reader.collect();
  return { status: 200, body: serializer.serialize(resourceMetrics), headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' } };
}

export function registerMetricsApi(): void {
  registerApiRoute('getMetrics', { route: 'metrics', methods: ['GET'], handler: getMetrics });
}
