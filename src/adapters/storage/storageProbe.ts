/**
 * Is Harbormaster's own storage account reachable? The port healthz depends on, and its adapter
 * over Table storage: one cheap call (list at most one table), no retries, a hard timeout.
 *
 * The failure reason is chosen from an allow-list of kinds (timeout, refused, DNS, HTTP status),
 * never copied from the SDK's message: that could carry an account URL with a SAS token.
 */
import type { TokenCredential } from '@azure/core-auth';
import { TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';

export type StorageProbeResult =
  | { readonly status: 'ok'; readonly latencyMs: number }
  | { readonly status: 'unreachable'; readonly latencyMs: number; readonly error: string };

export interface StorageProbeOptions {
  /** Give up after this long (default 3000 ms). */
  readonly timeoutInMs?: number;
  readonly abortSignal?: AbortSignal;
}

export interface StorageProbe {
  probe(options?: StorageProbeOptions): Promise<StorageProbeResult>;
}

export type StorageProbeTarget = { readonly connectionString: string } | { readonly tableServiceUri: string; readonly credential: TokenCredential };

export const DEFAULT_STORAGE_PROBE_TIMEOUT_MS = 3_000;

/** A probe that lists at most one table in the account. Create once; it keeps its client. */
export function createTableStorageProbe(target: StorageProbeTarget): StorageProbe {
  // One attempt: healthz answers "reachable now?", and a retry loop would outlive the timeout.
  const clientOptions: TableServiceClientOptions = { retryOptions: { maxRetries: 0 } };
  const client =
    'connectionString' in target
      ? TableServiceClient.fromConnectionString(target.connectionString, { ...clientOptions, allowInsecureConnection: true })
      : new TableServiceClient(target.tableServiceUri, target.credential, clientOptions);

  return {
    async probe(options: StorageProbeOptions = {}): Promise<StorageProbeResult> {
      const timeoutInMs = options.timeoutInMs ?? DEFAULT_STORAGE_PROBE_TIMEOUT_MS;
      const signals = [AbortSignal.timeout(timeoutInMs), ...(options.abortSignal ? [options.abortSignal] : [])];
      const abortSignal = AbortSignal.any(signals);
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        await client.listTables({ abortSignal }).byPage({ maxPageSize: 1 }).next();
        return { status: 'ok', latencyMs: elapsed() };
      } catch (error) {
        const reason = abortSignal.aborted ? `no answer within ${timeoutInMs} ms` : describeFailure(error);
        return { status: 'unreachable', latencyMs: elapsed(), error: reason };
      }
    },
  };
}

const KNOWN_NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

function describeFailure(error: unknown): string {
  const details = error as { statusCode?: unknown; code?: unknown; cause?: { code?: unknown } };
  if (typeof details.statusCode === 'number') {
    const storageCode = typeof details.code === 'string' && /^[A-Za-z]+$/.test(details.code) ? ` (${details.code})` : '';
    return `storage answered HTTP ${details.statusCode}${storageCode}`;
  }
  for (const code of [details.code, details.cause?.code]) {
    if (typeof code === 'string' && code in KNOWN_NETWORK_CODES) return KNOWN_NETWORK_CODES[code];
  }
  return 'storage request failed';
}
