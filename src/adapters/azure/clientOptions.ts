/**
 * Options every Azure SDK client gets: retries that honour Retry-After (the SDK's own
 * throttling and exponential strategies), a per-try timeout, and — for the local stack
 * only — where the endpoints are and which CA to trust. Production leaves the overrides unset.
 */
import fs from 'node:fs';

export interface AzureEndpointSettings {
  /** ARM endpoint override (local stack: the simulator). */
  armEndpoint?: string;
  /** PEM file of a CA to trust in addition to the system's (local stack: the simulator's CA). */
  caCertPath?: string;
  /** Polling interval for long-running operations, ms. */
  pollIntervalMs?: number;
}

export interface AzureClientOptions {
  /** Spread into SDK client constructors. */
  sdk: {
    endpoint?: string;
    retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
    tlsOptions?: { ca: string[] };
  };
  pollIntervalMs?: number;
}

export function createAzureClientOptions(settings: AzureEndpointSettings): AzureClientOptions {
  const ca = settings.caCertPath ? [fs.readFileSync(settings.caCertPath, 'utf8')] : undefined;
  return {
    sdk: {
      endpoint: settings.armEndpoint,
      retryOptions: { maxRetries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 30_000 },
      // Adding a CA replaces Node's default list for this client, so the local CA is used alone.
      ...(ca ? { tlsOptions: { ca } } : {}),
    },
    pollIntervalMs: settings.pollIntervalMs,
  };
}
