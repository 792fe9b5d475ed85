// How long a server asks us to wait. Facts carried over from core-rest-pipeline's throttling strategy:
// `retry-after-ms` and `x-ms-retry-after-ms` carry milliseconds and are read first; `Retry-After`
// carries delta-seconds or an HTTP-date (RFC 9110 §10.2.3). `now` is passed in: no clock reads here.

/** Headers as a plain record (any case) or anything with `get(name)` (fetch Headers, the SDK's HttpHeaders). */
export type HeaderSource = Readonly<Record<string, string | undefined>> | { get(name: string): string | null | undefined };

/** `Retry-After` in milliseconds from `now`: delta-seconds or an HTTP-date; a past date gives 0; unreadable gives undefined. */
export function parseRetryAfter(headerValue: string | undefined, now: Date): number | undefined {
  const value = headerValue?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only a date-shaped value is read as a date: Date.parse would accept "1.5" or "-3" as dates.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now.getTime()) : undefined;
}

/** A milliseconds header (`retry-after-ms`, `x-ms-retry-after-ms`): a non-negative number, else undefined. */
export function parseRetryAfterMs(headerValue: string | undefined): number | undefined {
  const value = headerValue?.trim();
  if (!value || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return Number(value);
}

/** The wait the response asks for, from whichever of the three headers is present and readable. */
export function getRetryAfterMs(headers: HeaderSource | undefined, now: Date): number | undefined {
  if (headers === undefined) return undefined;
  return parseRetryAfterMs(readHeader(headers, 'retry-after-ms'))
    ?? parseRetryAfterMs(readHeader(headers, 'x-ms-retry-after-ms'))
    ?? parseRetryAfter(readHeader(headers, 'retry-after'), now);
}

/** A header by case-insensitive name. */
export function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null | undefined }).get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | undefined>)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
