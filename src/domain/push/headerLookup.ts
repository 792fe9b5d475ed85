/**
 * Reading request headers and query parameters without caring what carries them:
 * the Functions v4 `HttpRequest` has `Headers` and `URLSearchParams` (both with `get`),
 * tests and Node's `IncomingMessage` use plain records.
 */

/** Something with `get(name)` (`Headers`, `URLSearchParams`) or a plain record. */
export type NameValueSource =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export type HeaderSource = NameValueSource;
export type QuerySource = NameValueSource;

function hasGet(source: NameValueSource): source is { get(name: string): string | null } {
  return typeof (source as { get?: unknown }).get === 'function';
}

function single(value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  // A repeated header or parameter is ambiguous; security decisions must not pick one.
  return value.length === 1 ? value[0] : undefined;
}

/** A header's value, names compared case-insensitively (as HTTP says). */
export function headerValue(headers: HeaderSource | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  if (hasGet(headers)) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === wanted) return single(headers[key]);
  }
  return undefined;
}

/** A query parameter's value; names are case-sensitive, as in URLs. */
export function queryValue(query: QuerySource | undefined, name: string): string | undefined {
  if (query === undefined) return undefined;
  if (hasGet(query)) return query.get(name) ?? undefined;
  return Object.prototype.hasOwnProperty.call(query, name) ? single(query[name]) : undefined;
}
