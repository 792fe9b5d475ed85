// Pure retry rules: no I/O, no SDK, no clock reads (time and jitter are passed in).
export { parseRetryAfter, parseRetryAfterMs, getRetryAfterMs, readHeader, type HeaderSource } from './parseRetryAfter';
export { classifyStatus, isTransientErrorCode, TRANSIENT_ERROR_CODES, type ErrorClass } from './classifyStatus';
export { decideRetry, backoffMs, type RetryPolicy, type FailedAttempt, type RetryDecision } from './decideRetry';
