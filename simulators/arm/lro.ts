/**
 * Long-running operations answered as ARM resource providers answer them (observed in SDK recordings):
 * - `Azure-AsyncOperation: {origin}/subscriptions/{sub}/providers/{rp}/locations/{region}/{statusCollection}/{id}?api-version=..&azureAsyncOperation=true`
 *   polled with GET -> 200 `{ id, name, status: InProgress|Succeeded|Failed|Canceled, startTime, endTime?, error? }`;
 * - `Location: {origin}/subscriptions/{sub}/providers/{rp}/locations/{region}/{resultsCollection}/{id}?api-version=..`
 *   polled with GET -> 202 (empty, with Location + Retry-After) while running, then 200 with the result body
 *   (or 204 when the operation has no result), or the ARM error when it failed.
 * Each module may own an LroTracker and offer every request to `tracker.handle()` before its own routes;
 * `handle` only answers ids this tracker issued, so several trackers can share the same collections.
 */
import { randomUUID } from 'node:crypto';
import type { SimRequest, SimResponse } from '../module';
import { ArmError } from './errors';

export type LroStatus = 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface LroTrackerOptions {
  /** Seconds sent in `Retry-After` (SDK pollers wait this long between polls). Default 1; tests may use 0. */
  retryAfterSeconds?: number;
  /** api-version written into the polling URLs. Default 2026-07-01. */
  apiVersion?: string;
  /** Polls answered InProgress before a finished operation reports completion (makes the SDK really poll). Default 1. */
  minInProgressPolls?: number;
  /** How long finished operations stay pollable. Default 1 hour. */
  retentionMs?: number;
}

export interface BeginOptions {
  /** `https://host:port` the client used (see originOf); polling URLs must point back at the same origin. */
  origin: string;
  subscriptionId: string;
  /** Region segment of the polling URLs, e.g. `eastus` (see regionSegment). */
  region: string;
  /** Default `Microsoft.App`. */
  provider?: string;
  /** Default `containerappOperationStatuses`. */
  statusCollection?: string;
  /** Default `containerappOperationResults`. */
  resultsCollection?: string;
  /**
   * The work. Resolving with a value makes it the Location-poll result (200 + body); resolving undefined gives 204.
   * Rejecting with an ArmError fails the operation with that error (any other error: 500 InternalServerError).
   */
  work: Promise<unknown> | (() => Promise<unknown>);
}

export interface LroOperation {
  readonly name: string;
  readonly statusUrl: string;
  readonly resultUrl: string;
  readonly status: LroStatus;
  /** Resolves when the work finished (either way); never rejects. */
  readonly settled: Promise<void>;
  /** Headers for an answer that uses the Azure-AsyncOperation pattern (PUT 201). */
  asyncOperationHeaders(): Record<string, string>;
  /** Headers for an answer that uses the Location pattern (DELETE/POST 202). */
  locationHeaders(): Record<string, string>;
  /** Both (what PATCH on Microsoft.App answers with). */
  allHeaders(): Record<string, string>;
}

interface OperationRecord {
  name: string;
  subscriptionId: string;
  statusPath: string;
  resultPath: string;
  statusUrl: string;
  resultUrl: string;
  startTime: string;
  endTime?: string;
  status: LroStatus;
  result?: unknown;
  error?: ArmError;
  polls: number;
  finishedAt?: number;
}

export class LroTracker {
  private readonly operations = new Map<string, OperationRecord>();
  private readonly retryAfter: string;
  private readonly apiVersion: string;
  private readonly minPolls: number;
  private readonly retentionMs: number;

  constructor(options: LroTrackerOptions = {}) {
    this.retryAfter = String(options.retryAfterSeconds ?? 1);
    this.apiVersion = options.apiVersion ?? '2026-07-01';
    this.minPolls = options.minInProgressPolls ?? 1;
    this.retentionMs = options.retentionMs ?? 60 * 60 * 1000;
  }

  begin(options: BeginOptions): LroOperation {
    this.evictOld();
    const name = randomUUID();
    const provider = options.provider ?? 'Microsoft.App';
    const base = `/subscriptions/${options.subscriptionId}/providers/${provider}/locations/${options.region}`;
    const statusPath = `${base}/${options.statusCollection ?? 'containerappOperationStatuses'}/${name}`;
    const resultPath = `${base}/${options.resultsCollection ?? 'containerappOperationResults'}/${name}`;
    const record: OperationRecord = {
      name,
      subscriptionId: options.subscriptionId,
      statusPath,
      resultPath,
      statusUrl: `${options.origin}${statusPath}?api-version=${this.apiVersion}&azureAsyncOperation=true`,
      resultUrl: `${options.origin}${resultPath}?api-version=${this.apiVersion}`,
      startTime: new Date().toISOString(),
      status: 'InProgress',
      polls: 0,
    };
    this.operations.set(name, record);
    const work = typeof options.work === 'function' ? options.work() : options.work;
    const settled = work.then(
      (result) => {
        record.status = 'Succeeded';
        record.result = result;
      },
      (err: unknown) => {
        record.status = 'Failed';
        record.error = err instanceof ArmError ? err : new ArmError(500, 'InternalServerError', err instanceof Error ? err.message : String(err));
      },
    ).finally(() => {
      record.endTime = new Date().toISOString();
      record.finishedAt = Date.now();
    });
    const retryAfter = this.retryAfter;
    return {
      name,
      statusUrl: record.statusUrl,
      resultUrl: record.resultUrl,
      get status() {
        return record.status;
      },
      settled,
      asyncOperationHeaders: () => ({ 'Azure-AsyncOperation': record.statusUrl, 'Retry-After': retryAfter, 'x-ms-async-operation-timeout': 'PT15M' }),
      locationHeaders: () => ({ Location: record.resultUrl, 'Retry-After': retryAfter }),
      allHeaders: () => ({ 'Azure-AsyncOperation': record.statusUrl, Location: record.resultUrl, 'Retry-After': retryAfter }),
    };
  }

  /** Answers a GET on a status or result URL this tracker issued; undefined for anything else. */
  handle(request: SimRequest): SimResponse | undefined {
    if (request.method !== 'GET') return undefined;
    const match = /\/locations\/[^/]+\/[^/]+\/([0-9a-f-]{36})$/i.exec(request.url.pathname);
    if (!match) return undefined;
    const record = this.operations.get(match[1].toLowerCase());
    if (!record) return undefined;
    const path = request.url.pathname.toLowerCase();
    const reportsDone = record.status !== 'InProgress' && record.polls >= this.minPolls;
    record.polls += 1;
    if (path === record.statusPath.toLowerCase()) {
      const status: LroStatus = reportsDone ? record.status : 'InProgress';
      return {
        status: 200,
        headers: status === 'InProgress' ? { 'Retry-After': this.retryAfter } : {},
        body: {
          id: record.statusPath,
          name: record.name,
          status,
          startTime: record.startTime,
          ...(reportsDone && record.endTime ? { endTime: record.endTime } : {}),
          ...(reportsDone && record.error ? { error: { code: record.error.code, message: record.error.message } } : {}),
        },
      };
    }
    if (path === record.resultPath.toLowerCase()) {
      if (!reportsDone) return { status: 202, headers: { Location: record.resultUrl, 'Retry-After': this.retryAfter } };
      if (record.error) return record.error.toResponse();
      return record.result === undefined ? { status: 204 } : { status: 200, body: record.result };
    }
    return undefined;
  }

  private evictOld(): void {
    const cutoff = Date.now() - this.retentionMs;
    for (const [name, record] of this.operations) {
      if (record.finishedAt !== undefined && record.finishedAt < cutoff) this.operations.delete(name);
    }
  }
}

/** `https://host[:port]` as the client addressed it (polling URLs must come back to the same origin). */
export function originOf(request: SimRequest): string {
  return `https://${request.headers.host ?? request.host}`;
}

/** ARM writes the region without spaces, lower case, in operation URLs: "North Central US" -> "northcentralus". */
export function regionSegment(location: string | undefined): string {
  return (location ?? 'eastus').replace(/\s+/g, '').toLowerCase();
}
