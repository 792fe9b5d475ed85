/**
 * Log Analytics' query API for the simulated apps, as `@azure/monitor-query-logs` calls it
 * (Azure/azure-rest-api-specs, operationalinsights data plane, "Query_Execute"):
 *   POST /v1/workspaces/{workspaceId}/query   body { query, timespan?: "start/end" | "start/duration" | "duration" }
 *     → 200 { tables: [ { name: "PrimaryResult", columns: [ { name, type } ], rows: [ [...] ] } ] }
 *     → 400 { error: { code: "BadArgumentError", message, innererror: { code: "SyntaxError", message } } }
 *
 * Every workspace holds one table, AppRequests (what an app instrumented with Application
 * Insights logs into a workspace-based resource): one row per request the ingress really served,
 * with the revision's replica as AppRoleInstance (`<revision>-<hash>-<suffix>`) and the duration
 * the app measured itself (its Server-Timing), so p95 latency or the error rate per revision
 * follows the revisions' behaviour. Queries are read by a small
 * KQL subset (kqlSubset.ts).
 */
import type { SimModule, SimRequest, SimResponse } from '../module';
import { KqlError, runKql, type ColumnType, type Row } from './kqlSubset';
import type { MetricsRecorder } from './metricsRecorder';
import { parseIsoDuration } from './metricsModule';

const QUERY_PATH = /^\/v1\/workspaces\/([^/]+)\/query$/i;

const APP_REQUESTS_COLUMNS: Array<{ name: string; type: ColumnType }> = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'AppRoleName', type: 'string' },
  { name: 'AppRoleInstance', type: 'string' },
  { name: 'Name', type: 'string' },
  { name: 'ResultCode', type: 'string' },
  { name: 'Success', type: 'bool' },
  { name: 'DurationMs', type: 'real' },
  { name: '_ResourceId', type: 'string' },
];

export function createLogsModule(options: { recorder: MetricsRecorder }): SimModule {
  return {
    name: 'log-analytics',
    operationOf(request) {
      return QUERY_PATH.test(request.url.pathname) ? 'Query_Execute' : undefined;
    },
    handle(request) {
      return Promise.resolve(route(request, options.recorder));
    },
  };
}

function route(request: SimRequest, recorder: MetricsRecorder): SimResponse | undefined {
  if (!QUERY_PATH.test(request.url.pathname)) return undefined;
  if (!/^Bearer\s+\S+/i.test(request.headers.authorization ?? '')) {
    return { status: 401, headers: { 'WWW-Authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common"' }, body: error('InvalidAuthenticationTokenAudience', 'Valid authentication was not provided') };
  }
  const body = (request.method === 'POST' ? request.json : { query: request.url.searchParams.get('query'), timespan: request.url.searchParams.get('timespan') }) as { query?: unknown; timespan?: unknown } | undefined;
  if (typeof body?.query !== 'string' || body.query.trim() === '') return { status: 400, body: error('BadArgumentError', 'The request had some invalid properties', 'query is required') };
  const window = parseTimespan(typeof body.timespan === 'string' ? body.timespan : undefined, Date.now());
  if (!window) return { status: 400, body: error('BadArgumentError', 'The request had some invalid properties', `timespan '${String(body.timespan)}' is not an ISO 8601 interval`) };
  const rows: Row[] = recorder.requests(window.start, window.end).map((r) => {
    const appName = r.resourceId.split('/').pop() ?? '';
    return {
      TimeGenerated: new Date(r.at).toISOString(),
      AppRoleName: appName,
      AppRoleInstance: r.podName || r.revisionName,
      Name: `GET ${r.path ?? '/'}`,
      ResultCode: String(r.status),
      Success: r.status < 400,
      DurationMs: Math.round(r.durationMs * 1000) / 1000,
      _ResourceId: r.resourceId,
    };
  });
  try {
    const table = runKql(body.query, { AppRequests: { columns: APP_REQUESTS_COLUMNS, rows } });
    return { status: 200, body: { tables: [{ name: 'PrimaryResult', ...table }] } };
  } catch (caught) {
    if (caught instanceof KqlError) return { status: 400, body: error('BadArgumentError', 'The request had some invalid properties', caught.message) };
    throw caught;
  }
}

/** `start/end`, `start/duration`, `duration/end` or `duration` (ending now); undefined: the last day. */
function parseTimespan(text: string | undefined, now: number): { start: number; end: number } | undefined {
  if (!text) return { start: now - 24 * 3600_000, end: now };
  const [first, second] = text.split('/');
  if (second === undefined) {
    const ms = parseIsoDuration(first);
    return ms === undefined ? undefined : { start: now - ms, end: now };
  }
  if (first.startsWith('P')) {
    const end = Date.parse(second);
    const ms = parseIsoDuration(first);
    return Number.isFinite(end) && ms !== undefined ? { start: end - ms, end } : undefined;
  }
  const start = Date.parse(first);
  if (!Number.isFinite(start)) return undefined;
  const end = second.startsWith('P') ? start + (parseIsoDuration(second) ?? NaN) : Date.parse(second);
  return Number.isFinite(end) && end > start ? { start, end } : undefined;
}

function error(code: string, message: string, inner?: string): unknown {
  return { error: { code, message, ...(inner ? { innererror: { code: 'SyntaxError', message: inner } } : {}) } };
}
