/**
 * Where spans go when no Application Insights is configured (the local stack): one log line per
 * span, so a deployment's trace can be read in the log next to the lines that carry its
 * deployment id.
 */
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { getLogger } from './logger';

export class LogSpanExporter implements SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const log = getLogger();
    for (const span of spans) {
      const { traceId, spanId } = span.spanContext();
      log.info(
        {
          span: span.name,
          traceId,
          spanId,
          parentSpanId: span.parentSpanContext?.spanId,
          startTime: new Date(hrTimeToMilliseconds(span.startTime)).toISOString(),
          durationMs: Math.round(hrTimeToMilliseconds(span.duration)),
          status: span.status.code,
          attributes: span.attributes,
        },
        'span',
      );
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  async shutdown(): Promise<void> {
    // Nothing buffered.
  }
}
