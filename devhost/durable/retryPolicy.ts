/**
 * Retry backoff for `callActivityWithRetry` / `callSubOrchestratorWithRetry`, as the Durable
 * Task Framework's retry interceptor computes it: after the n-th failed attempt (n from 1)
 * wait firstRetryInterval * backoffCoefficient^(n-1), capped by maxRetryInterval; no more
 * waiting once retryTimeout has passed since the first attempt was scheduled.
 *
 * The library's RetryableTask expects a timer after every failed attempt, the last one
 * included, and counts attempts itself (maxNumberOfAttempts); only the delay is ours.
 */
export interface RetryOptionsLike {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

export function nextRetryDelay(
  options: RetryOptionsLike,
  failedAttempt: number,
  firstAttemptAt: Date,
  now: Date,
): RetryDecision {
  const timeoutMs = options.retryTimeoutInMilliseconds;
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutMs > 0 && now.getTime() >= firstAttemptAt.getTime() + timeoutMs) {
    return { retry: false, reason: `retry timeout of ${timeoutMs} ms passed` };
  }
  const coefficient = options.backoffCoefficient ?? 1;
  const raw = options.firstRetryIntervalInMilliseconds * coefficient ** Math.max(0, failedAttempt - 1);
  const cap = options.maxRetryIntervalInMilliseconds;
  const delayMs = cap !== undefined && Number.isFinite(cap) && cap > 0 ? Math.min(raw, cap) : raw;
  return { retry: true, delayMs: Math.max(0, Math.round(delayMs)) };
}
