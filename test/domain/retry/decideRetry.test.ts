import { backoffMs, decideRetry, type FailedAttempt, type RetryDecision } from '../../../src/domain/retry';

const NOW = new Date('2026-03-01T12:00:00Z');
const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

describe('decideRetry: what is retried and how long to wait', () => {
  it.each<[string, FailedAttempt, number, RetryDecision]>([
    ['429 with Retry-After waits what the server asked', { attempt: 1, status: 429, headers: { 'Retry-After': '7' } }, 0.5, { retry: true, delayMs: 7000, reason: 'HTTP 429; the server asked to wait 7000 ms' }],
    ['503 with an HTTP-date waits until then', { attempt: 1, status: 503, headers: { 'retry-after': 'Sun, 01 Mar 2026 12:00:04 GMT' } }, 0.5, { retry: true, delayMs: 4000, reason: 'HTTP 503; the server asked to wait 4000 ms' }],
    ['429 with x-ms-retry-after-ms waits those ms', { attempt: 1, status: 429, headers: { 'x-ms-retry-after-ms': '250' } }, 0.5, { retry: true, delayMs: 250, reason: 'HTTP 429; the server asked to wait 250 ms' }],
    ['Retry-After beyond maxDelayMs is still honoured', { attempt: 1, status: 429, headers: { 'Retry-After': '120' } }, 0, { retry: true, delayMs: 120_000, reason: 'HTTP 429; the server asked to wait 120000 ms' }],
    ['429 without Retry-After backs off', { attempt: 1, status: 429 }, 0, { retry: true, delayMs: 500, reason: 'HTTP 429; attempt 1 of 5, backing off 500 ms' }],
    ['500 backs off exponentially', { attempt: 3, status: 500 }, 0, { retry: true, delayMs: 2000, reason: 'HTTP 500; attempt 3 of 5, backing off 2000 ms' }],
    ['500 ignores Retry-After (only 429 and 503 honour it)', { attempt: 1, status: 500, headers: { 'Retry-After': '60' } }, 0, { retry: true, delayMs: 500, reason: 'HTTP 500; attempt 1 of 5, backing off 500 ms' }],
    ['408 is transient', { attempt: 1, status: 408 }, 0, { retry: true, delayMs: 500, reason: 'HTTP 408; attempt 1 of 5, backing off 500 ms' }],
    ['ECONNRESET is transient', { attempt: 2, errorCode: 'ECONNRESET' }, 0, { retry: true, delayMs: 1000, reason: 'network error ECONNRESET; attempt 2 of 5, backing off 1000 ms' }],
    ['ETIMEDOUT is transient', { attempt: 1, errorCode: 'ETIMEDOUT' }, 0, { retry: true, delayMs: 500, reason: 'network error ETIMEDOUT; attempt 1 of 5, backing off 500 ms' }],
    ['ECONNREFUSED is transient', { attempt: 1, errorCode: 'ECONNREFUSED' }, 0, { retry: true, delayMs: 500, reason: 'network error ECONNREFUSED; attempt 1 of 5, backing off 500 ms' }],
    ['404 is terminal', { attempt: 1, status: 404 }, 0, { retry: false, reason: 'HTTP 404 is not transient' }],
    ['409 is terminal', { attempt: 1, status: 409 }, 0, { retry: false, reason: 'HTTP 409 is not transient' }],
    ['501 is terminal', { attempt: 1, status: 501 }, 0, { retry: false, reason: 'HTTP 501 is not transient' }],
    ['505 is terminal', { attempt: 1, status: 505 }, 0, { retry: false, reason: 'HTTP 505 is not transient' }],
    ['a success is not retried', { attempt: 1, status: 200 }, 0, { retry: false, reason: 'HTTP 200 is not a failure' }],
    ['an unknown error code is terminal', { attempt: 1, errorCode: 'ERR_INVALID_ARG_TYPE' }, 0, { retry: false, reason: 'network error ERR_INVALID_ARG_TYPE is not transient' }],
    ['nothing to go on is terminal', { attempt: 1 }, 0, { retry: false, reason: 'a failure with no status or error code is not transient' }],
    ['the last attempt gives up, saying why', { attempt: 5, status: 503, headers: { 'Retry-After': '1' } }, 0, { retry: false, reason: 'gave up after 5 attempts; last: HTTP 503' }],
  ])('%s', (_rule, failure, jitter, expected) => {
    expect(decideRetry(failure, policy, NOW, jitter)).toEqual(expected);
  });

  it('refuses jitter outside [0, 1) and attempts below 1', () => {
    expect(() => decideRetry({ attempt: 1, status: 500 }, policy, NOW, 1)).toThrow(RangeError);
    expect(() => decideRetry({ attempt: 1, status: 500 }, policy, NOW, -0.1)).toThrow(RangeError);
    expect(() => decideRetry({ attempt: 0, status: 500 }, policy, NOW, 0)).toThrow(RangeError);
  });
});

describe('backoffMs: base × 2^(attempt−1), capped, jittered into [half, full)', () => {
  it.each<[number, number, number]>([
    [1, 0, 500], [1, 0.999, 999], [2, 0, 1000], [3, 0.5, 3000], [6, 0, 15_000], [10, 0, 15_000], [10, 0.999, 29_985], [200, 0.5, 22_500],
  ])('attempt %i with jitter %f waits %i ms', (attempt, jitter, expected) => {
    expect(backoffMs(attempt, policy, jitter)).toBe(expected);
  });
});
