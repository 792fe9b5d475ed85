/**
 * Harbormaster's structured log: pino, one JSON object per line on stdout (in Azure the
 * Functions host forwards the worker's output to Application Insights). A line about a
 * deployment carries its `deploymentId` (and app): `deploymentLogger` binds them, so no call
 * site can forget. A line written inside a span also carries that span's `traceId` and
 * `spanId`, which is how Application Insights puts logs and traces side by side.
 * Lines never carry request bodies, headers, inputs or setting values.
 */
import { context, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { getConfig } from '../config';

let root: Logger | undefined;

export function getLogger(): Logger {
  root ??= pino({
    level: getConfig().settings.logLevel,
    base: { service: 'harbormaster' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
  });
  return root;
}

export function deploymentLogger(deploymentId: string, app?: string): Logger {
  return getLogger().child({ deploymentId, ...(app ? { app } : {}) });
}

function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
