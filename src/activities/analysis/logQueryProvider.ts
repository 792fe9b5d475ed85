/**
 * `log-query`: a KQL query over a Log Analytics workspace (request telemetry from Application
 * Insights, the apps' own logs), the first number of its first row being the value: p95 latency
 * of the revision's requests, its error rate, a count of a log line.
 *
 * `{{revision}}` in the query names the revision measured; a comparative check runs the same
 * query for the stable revision over the same window. Log Analytics ingests records minutes late,
 * so the window ends `ingestionDelaySeconds` before the measurement; an empty answer (or a null)
 * is "no data", which the verdict counts as inconclusive, never as a pass. With `minRequests`, the
 * query also returns a request count in `countColumn`; fewer than that (on either revision
 * compared) is "no data" too, and the value is read from the other columns.
 */
import type { LogQueryProviderSpec, ProviderReading } from '../../domain/analysis';
import { LOG_QUERY_DEFAULT_COUNT_COLUMN, needsStable } from '../../domain/analysis';
import type { LogsQueryPort } from '../../adapters/logs/logsQueryPort';
import type { AnalysisProvider, MeasureOptions, MeasureRequest } from './analysisProvider';

export function createLogQueryProvider(logs: LogsQueryPort): AnalysisProvider {
  return {
    async measure(request: MeasureRequest, options: MeasureOptions): Promise<ProviderReading> {
      const spec = request.check.provider as LogQueryProviderSpec;
      const end = new Date(request.now.getTime() - spec.ingestionDelaySeconds * 1000);
      const start = new Date(end.getTime() - spec.windowSeconds * 1000);
      const window = { start: start.toISOString(), end: end.toISOString() };
      // The check's timeout bounds the whole measurement (the client's own retries included).
      const deadline = AbortSignal.timeout(spec.timeoutSeconds * 1000);
      const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, deadline]) : deadline;
      const read = async (revision: string): Promise<{ value: number } | { missing: string } | { error: string }> => {
        try {
          return await queryFor(logs, spec, revision, { start, end }, signal);
        } catch (error) {
          if (deadline.aborted) return { error: `no answer within ${spec.timeoutSeconds} s` };
          throw error;
        }
      };
      const canary = await read(request.revisionName);
      if ('error' in canary) return { kind: 'error', reason: canary.error, window };
      if ('missing' in canary) return { kind: 'no-data', reason: canary.missing, window };
      if (!needsStable(request.check)) return { kind: 'value', value: canary.value, detail: `query for ${request.revisionName}`, window };
      if (!request.stableRevisionName) return { kind: 'no-data', reason: 'no stable revision to compare with', window };
      const stable = await read(request.stableRevisionName);
      if ('error' in stable) return { kind: 'error', reason: `stable revision: ${stable.error}`, window };
      if ('missing' in stable) return { kind: 'no-data', reason: `stable revision: ${stable.missing}`, window };
      return { kind: 'value', value: canary.value, stable: stable.value, detail: `query for ${request.revisionName} and ${request.stableRevisionName}`, window };
    },
  };
}

async function queryFor(
  logs: LogsQueryPort,
  spec: LogQueryProviderSpec,
  revision: string,
  window: { start: Date; end: Date },
  signal: AbortSignal,
): Promise<{ value: number } | { missing: string } | { error: string }> {
  const query = spec.query.replaceAll('{{revision}}', kqlStringContent(revision));
  const answer = await logs.query(spec.workspaceId, query, window, { abortSignal: signal, serverTimeoutInSeconds: spec.timeoutSeconds });
  if (answer.kind === 'partial') return { error: answer.reason };
  const row = answer.table?.rows[0];
  let countAt = -1;
  if (spec.minRequests !== undefined) {
    const countColumn = spec.countColumn ?? LOG_QUERY_DEFAULT_COUNT_COLUMN;
    countAt = answer.table?.columns.findIndex((c) => c.name.toLowerCase() === countColumn.toLowerCase()) ?? -1;
    if (answer.table && countAt < 0) return { error: `the query returns no column "${countColumn}" to count requests with (minRequests)` };
    const count = row ? numberOf(row[countAt]) : 0;
    if (count === undefined) return { error: `the query's "${countColumn}" is not a number` };
    if (count < spec.minRequests) return { missing: `${count} requests to ${revision} in the window, fewer than minRequests ${spec.minRequests} (no data yet, or too little traffic)` };
  }
  const first = row?.find((cell, i) => i !== countAt && cell !== null && cell !== undefined && cell !== '');
  if (first === undefined) return { missing: `the query found nothing for ${revision} in the window (no data yet, or no traffic)` };
  const value = numberOf(first);
  if (value === undefined) return { error: `the query's first value is a ${typeof first}, not a number` };
  return { value };
}

function numberOf(cell: unknown): number | undefined {
  const value = typeof cell === 'number' ? cell : typeof cell === 'string' && /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(cell) ? Number(cell) : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Inside a KQL string literal: backslashes and quotes escaped (revision names never need it; a template might). */
function kqlStringContent(text: string): string {
  return text.replace(/[\\'"]/g, (ch) => `\\${ch}`);
}
