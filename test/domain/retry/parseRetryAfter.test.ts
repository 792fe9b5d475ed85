import { getRetryAfterMs, parseRetryAfter, parseRetryAfterMs } from '../../../src/domain/retry';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('parseRetryAfter: delta-seconds or an HTTP-date, in ms from now', () => {
  it.each<[string, string | undefined, number | undefined]>([
    ['delta-seconds', '120', 120_000],
    ['zero seconds', '0', 0],
    ['surrounding spaces', ' 7 ', 7_000],
    ['an HTTP-date 30 s ahead', 'Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['an HTTP-date in the past waits nothing', 'Sun, 01 Mar 2026 11:59:00 GMT', 0],
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    ['a negative number', '-5', undefined],
    ['a fraction (not delta-seconds)', '1.5', undefined],
    ['garbage', 'soon', undefined],
  ])('%s', (_rule, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('parseRetryAfterMs: the millisecond headers', () => {
  it.each<[string | undefined, number | undefined]>([['1500', 1500], ['0', 0], ['2.5', 2.5], ['-1', undefined], ['abc', undefined], [undefined, undefined]])('%s → %s', (value, expected) => {
    expect(parseRetryAfterMs(value)).toBe(expected);
  });
});

describe('getRetryAfterMs: which header wins', () => {
  it('reads retry-after-ms before x-ms-retry-after-ms before Retry-After', () => {
    expect(getRetryAfterMs({ 'Retry-After': '9', 'x-ms-retry-after-ms': '800', 'retry-after-ms': '500' }, NOW)).toBe(500);
    expect(getRetryAfterMs({ 'Retry-After': '9', 'x-ms-retry-after-ms': '800' }, NOW)).toBe(800);
    expect(getRetryAfterMs({ 'retry-after': '9' }, NOW)).toBe(9000);
  });

  it('skips an unreadable header for the next one', () => {
    expect(getRetryAfterMs({ 'retry-after-ms': 'later', 'Retry-After': '2' }, NOW)).toBe(2000);
  });

  it('reads headers through get(), as fetch Headers and the SDK HttpHeaders offer', () => {
    expect(getRetryAfterMs(new Headers({ 'Retry-After': '3' }), NOW)).toBe(3000);
  });

  it('gives undefined without headers', () => {
    expect(getRetryAfterMs(undefined, NOW)).toBeUndefined();
    expect(getRetryAfterMs({}, NOW)).toBeUndefined();
  });
});
