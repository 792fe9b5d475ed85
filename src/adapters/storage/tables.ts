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
