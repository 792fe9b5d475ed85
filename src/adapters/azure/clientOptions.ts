/**
 * Options every Azure SDK client gets: retries that honour Retry-After (the SDK's own
 * throttling and exponential strategies), a per-try timeout, and — for the local stack
 * only — where the endpoints are and which CA to trust. Production leaves the overrides unset.
 */
import fs from 'node:fs';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { REQUEST_TIMEOUT_POLICY_NAME, requestTimeoutPolicy } from './requestTimeoutPolicy';

/**
 * How long one try of an Azure call may wait for an answer. With the retries below, a call that
 * never gets one gives up after about five tries and their back-off (under two minutes), well
 * inside the 230 s an HTTP-triggered function has.
 */
export const AZURE_REQUEST_TIMEOUT_MS = 20_000;

/** A policy added to an SDK client's pipeline (the shape every Azure client's options accept). */
export interface AdditionalPolicyConfig {
  policy: PipelinePolicy;
  position: 'perCall' | 'perRetry';
}

export interface AzureEndpointSettings {
  /** ARM endpoint override (local stack: the simulator). */
  armEndpoint?: string;
  /** PEM file of a CA to trust in addition to the system's (local stack: the simulator's CA). */
  caCertPath?: string;
  /** Polling interval for long-running operations, ms. */
  pollIntervalMs?: number;
  /** Per-try timeout, ms (default AZURE_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

export interface AzureClientOptions {
  /** Spread into SDK client constructors. */
  sdk: {
    endpoint?: string;
    retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number };
    tlsOptions?: { ca: string[] };
    /** Always holds the per-try timeout when made by `createAzureClientOptions`; see `sdkClientOptions`. */
    additionalPolicies?: AdditionalPolicyConfig[];
  };
  pollIntervalMs?: number;
}

export function createAzureClientOptions(settings: AzureEndpointSettings): AzureClientOptions {
  const ca = settings.caCertPath ? [fs.readFileSync(settings.caCertPath, 'utf8')] : undefined;
  return {
    sdk: {
      endpoint: settings.armEndpoint,
      retryOptions: { maxRetries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 30_000 },
      additionalPolicies: [azureRequestTimeout(settings.requestTimeoutMs)],
      // Adding a CA replaces Node's default list for this client, so the local CA is used alone.
      ...(ca ? { tlsOptions: { ca } } : {}),
    },
    pollIntervalMs: settings.pollIntervalMs,
  };
}

/** The per-try timeout as a client option, for clients built outside `createAzureClientOptions`. */
export function azureRequestTimeout(timeoutMs = AZURE_REQUEST_TIMEOUT_MS): AdditionalPolicyConfig {
  return { policy: requestTimeoutPolicy(timeoutMs), position: 'perRetry' };
}

/** The SDK options for a client constructor, with the per-try timeout added when none is there. */
export function sdkClientOptions(options: AzureClientOptions): AzureClientOptions['sdk'] & { additionalPolicies: AdditionalPolicyConfig[] } {
  const policies = options.sdk.additionalPolicies ?? [];
  const hasTimeout = policies.some((p) => p.policy.name === REQUEST_TIMEOUT_POLICY_NAME);
  return { ...options.sdk, additionalPolicies: hasTimeout ? policies : [...policies, azureRequestTimeout()] };
}
