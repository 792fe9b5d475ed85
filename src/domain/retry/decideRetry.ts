// Whether to try a failed call again, and after how long (after core-rest-pipeline's throttling and
// exponential strategies, which the Azure SDK clients use themselves). Pure: `now` and the jitter are passed in; sleeping belongs to
// durable retry options, a durable timer or the SDK pipeline.
//   429 and 503 with a Retry-After (or retry-after-ms / x-ms-retry-after-ms): wait exactly what the
//     server asked. maxDelayMs bounds our own backoff only; retrying before the server's time just
//     earns another 429.
//   408, 429, 5xx (not 501/505) and network errors (ECONNRESET, ETIMEDOUT, ECONNREFUSED, …): exponential
//     backoff, base × 2^(attempt−1) capped at maxDelayMs, jittered into [half, full) of that.
//   Other 4xx, 501, 505, aborts and anything unrecognised: terminal.
//   After maxAttempts attempts: give up, saying why the last one failed.
import { classifyStatus, isTransientErrorCode } from './classifyStatus';
import { getRetryAfterMs, type HeaderSource } from './parseRetryAfter';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface FailedAttempt {
  /** The attempt that just failed, counting from 1. */
  attempt: number;
  status?: number;
  headers?: HeaderSource;
  /** A network error code (`ECONNRESET`, …) when there was no response. */
  errorCode?: string;
}

export type RetryDecision = { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

export function decideRetry(failure: FailedAttempt, policy: RetryPolicy, now: Date, jitter: number): RetryDecision {
  if (!(jitter >= 0 && jitter < 1)) throw new RangeError(`decideRetry: jitter must be in [0, 1), got ${jitter}`);
  if (!Number.isInteger(failure.attempt) || failure.attempt < 1) throw new RangeError(`decideRetry: attempt must be an integer ≥ 1, got ${failure.attempt}`);

  const cause = describe(failure);
  if (failure.status !== undefined && failure.status < 400) return { retry: false, reason: `${cause} is not a failure` };
  const transient = failure.status !== undefined ? classifyStatus(failure.status) === 'transient' : isTransientErrorCode(failure.errorCode);
  if (!transient) return { retry: false, reason: `${cause} is not transient` };
  if (failure.attempt >= policy.maxAttempts) return { retry: false, reason: `gave up after ${failure.attempt} attempt${failure.attempt === 1 ? '' : 's'}; last: ${cause}` };

  if (failure.status === 429 || failure.status === 503) {
    const askedMs = getRetryAfterMs(failure.headers, now);
    if (askedMs !== undefined) return { retry: true, delayMs: Math.ceil(askedMs), reason: `${cause}; the server asked to wait ${Math.ceil(askedMs)} ms` };
  }
  const delayMs = backoffMs(failure.attempt, policy, jitter);
  return { retry: true, delayMs, reason: `${cause}; attempt ${failure.attempt} of ${policy.maxAttempts}, backing off ${delayMs} ms` };
}

/** Exponential backoff for the attempt that just failed: capped, then jittered into [half, full). */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, jitter: number): number {
  const exponential = policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30);
  const capped = Math.min(policy.maxDelayMs, exponential);
  return Math.floor(capped / 2 + (capped / 2) * jitter);
}

function describe(failure: FailedAttempt): string {
  if (failure.status !== undefined) return `HTTP ${failure.status}`;
  if (failure.errorCode !== undefined) return `network error ${failure.errorCode.slice(0, 40)}`;
  return 'a failure with no status or error code';
}
