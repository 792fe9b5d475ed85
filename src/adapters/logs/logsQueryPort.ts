/** What Harbormaster needs from Log Analytics: one KQL query over a window, its first table. */
export interface LogsTable {
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
}

export type LogsQueryAnswer =
  | { kind: 'table'; table: LogsTable | undefined }
  /** The service answered part of the query and said why not the rest. */
  | { kind: 'partial'; reason: string };

export interface LogsQueryPort {
  query(workspaceId: string, query: string, window: { start: Date; end: Date }, options: { abortSignal?: AbortSignal; serverTimeoutInSeconds: number }): Promise<LogsQueryAnswer>;
}
