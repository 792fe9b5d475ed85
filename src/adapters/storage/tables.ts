/**
 * Table clients for Harbormaster's own records, from `AzureWebJobsStorage` (a connection
 * string locally; identity-based endpoints in Azure). Tables are created on first use.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { TableClient } from '@azure/data-tables';

export type StorageTarget = { connectionString: string } | { tableServiceUri: string; credential: TokenCredential };

export const TableNames = {
  deployments: 'HarbormasterDeployments',
  appState: 'HarbormasterAppState',
  deliveries: 'HarbormasterDeliveries',
  releases: 'HarbormasterReleases',
  deliveryIds: 'HarbormasterDeliveryIds',
  absences: 'HarbormasterAbsences',
} as const;

export class TableProvider {
  private readonly clients = new Map<string, Promise<TableClient>>();

  constructor(
    private readonly target: StorageTarget,
    private readonly requestTimeoutMs: number = TABLE_REQUEST_TIMEOUT_MS,
  ) {}

  get(tableName: string): Promise<TableClient> {
    let client = this.clients.get(tableName);
    if (!client) {
      client = this.create(tableName);
      this.clients.set(tableName, client);
      client.catch(() => this.clients.delete(tableName));
    }
    return client;
  }

  private async create(tableName: string): Promise<TableClient> {
    const client =
      'connectionString' in this.target
        ? TableClient.fromConnectionString(this.target.connectionString, tableName, { allowInsecureConnection: true })
        : new TableClient(this.target.tableServiceUri, tableName, this.target.credential);
    client.pipeline.addPolicy(requestTimeoutPolicy(this.requestTimeoutMs));
    try {
      await client.createTable();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    }
    return client;
  }
}

/** Each Table request (each try: the SDK's retries get their own) gives up after this long. */
export const TABLE_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Every call through a client gets a timeout unless the caller set one, so no store can hang a
 * webhook, an activity or a timer on a storage account that stopped answering.
 */
export function requestTimeoutPolicy(timeoutMs: number): PipelinePolicy {
  return {
    name: 'harbormasterRequestTimeout',
    sendRequest(request, next) {
      if (!request.timeout) request.timeout = timeoutMs;
      return next(request);
    },
  };
}

/** Row keys that sort newest first (Table storage sorts ascending). */
export function newestFirstKey(at: Date, suffix: string): string {
  return `${String(8_640_000_000_000_000 - at.getTime()).padStart(16, '0')}-${suffix}`;
}

/** Whether `token` is a page token as the Table SDK hands them out (base64 JSON naming the next keys). */
export function isTablePageToken(token: string): boolean {
  if (token.length > 2048 || !/^[A-Za-z0-9+/=_-]+$/.test(token)) return false;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    return typeof decoded === 'object' && decoded !== null && typeof (decoded as { nextPartitionKey?: unknown }).nextPartitionKey === 'string';
  } catch {
    return false;
  }
}

/** The partition keys of the rows matching `filter`, each once (reads only the keys). */
export async function listPartitionKeys(table: TableClient, filter?: string): Promise<string[]> {
  const keys = new Set<string>();
  for await (const entity of table.listEntities<{ partitionKey: string }>({ queryOptions: { ...(filter ? { filter } : {}), select: ['PartitionKey'] } })) keys.add(entity.partitionKey);
  return [...keys];
}

/** Deletes every entity matching `filter`, a partition's worth of rows per transaction (up to 100). Returns how many went. */
export async function deleteWhere(table: TableClient, filter: string): Promise<number> {
  let deleted = 0;
  for await (const page of table.listEntities<{ partitionKey: string; rowKey: string }>({ queryOptions: { filter, select: ['PartitionKey', 'RowKey'] } }).byPage({ maxPageSize: 1000 })) {
    const byPartition = new Map<string, string[]>();
    for (const entity of page) {
      const rows = byPartition.get(entity.partitionKey) ?? [];
      rows.push(entity.rowKey);
      byPartition.set(entity.partitionKey, rows);
    }
    for (const [partitionKey, rowKeys] of byPartition) {
      for (let i = 0; i < rowKeys.length; i += 100) {
        const batch = rowKeys.slice(i, i + 100);
        await table.submitTransaction(batch.map((rowKey) => ['delete', { partitionKey, rowKey }]));
        deleted += batch.length;
      }
    }
  }
  return deleted;
}

/** A value inside a quoted OData string literal. */
export function escapeOData(value: string): string {
  return value.replace(/'/g, "''");
}

/** The HTTP status of a Table SDK error (RestError), if it has one. */
export function tableStatusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}
