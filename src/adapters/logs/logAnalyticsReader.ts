/**
 * LogsQueryPort over Log Analytics with `@azure/monitor-query-logs` (`LogsQueryClient.queryWorkspace`;
 * not the deprecated `@azure/monitor-query`). The query runs over an explicit time range (the
 * API's `timespan`), so KQL need not filter on time; the server is told how long it may take.
 */
import type { TokenCredential } from '@azure/core-auth';
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import { azureRequestTimeout } from '../azure/clientOptions';
import type { LogsQueryAnswer, LogsQueryPort } from './logsQueryPort';

export interface LogAnalyticsReaderOptions {
  /** Local stack: the simulated Log Analytics. Unset in Azure (https://api.loganalytics.io). */
  endpoint?: string;
  tlsOptions?: { ca: string | string[] };
  retryOptions?: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
  requestTimeoutMs?: number;
}

export class LogAnalyticsReader implements LogsQueryPort {
  private readonly client: LogsQueryClient;

  constructor(credential: TokenCredential, options: LogAnalyticsReaderOptions = {}) {
    this.client = new LogsQueryClient(credential, {
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
      ...(options.retryOptions ? { retryOptions: options.retryOptions } : {}),
      additionalPolicies: [azureRequestTimeout(options.requestTimeoutMs)],
    });
  }

  async query(workspaceId: string, query: string, window: { start: Date; end: Date }, options: { abortSignal?: AbortSignal; serverTimeoutInSeconds: number }): Promise<LogsQueryAnswer> {
    // The client (1.0.0) drops `abortSignal` from LogsQueryOptions on the way to the pipeline, so a
    // hung endpoint would hold the call: each try gets the server's own timeout as its socket
    // timeout, and the caller's signal is raced here.
    const result = await raceSignal(
      this.client.queryWorkspace(workspaceId, query, { startTime: window.start, endTime: window.end }, {
        serverTimeoutInSeconds: options.serverTimeoutInSeconds,
        requestOptions: { timeout: options.serverTimeoutInSeconds * 1000 },
      }),
      options.abortSignal,
    );
    if (result.status === LogsQueryResultStatus.Success) {
      const table = result.tables[0];
      return { kind: 'table', table: table ? { columns: table.columnDescriptors.map((c) => ({ name: c.name ?? '', type: c.type ?? '' })), rows: table.rows } : undefined };
    }
    return { kind: 'partial', reason: `the query answered in part (${result.partialError?.code ?? 'PartialError'})` };
  }
}

function raceSignal<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(Object.assign(new Error('The query was aborted'), { name: 'AbortError' }));
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
