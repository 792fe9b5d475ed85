/**
 * Query parameters of the list endpoints, checked before anything is read: a parameter the
 * endpoint does not know, or a value outside the allowed ones, is a 400 problem naming the
 * parameter and what it accepts. A misspelt filter must not answer "nothing matched".
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { problem } from './problem';

/** What one parameter accepts: any text, one of a fixed list, or an integer in a range. */
export type QueryRule =
  | { readonly kind: 'text'; readonly maxLength?: number }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  | { readonly kind: 'integer'; readonly min: number; readonly max: number };

export type QueryRules = Readonly<Record<string, QueryRule>>;

/** Query parameters every function endpoint may carry: the function key (`?code=`). */
const ALWAYS_ALLOWED = new Set(['code']);

const DEFAULT_MAX_TEXT = 200;
const MAX_LISTED = 30;

export type ParsedQuery<R extends QueryRules> = { [K in keyof R]?: R[K] extends { kind: 'integer' } ? number : string };

export function parseQuery<R extends QueryRules>(request: Pick<HttpRequest, 'query'>, rules: R): { query: ParsedQuery<R> } | { response: HttpResponseInit } {
  const known = Object.keys(rules);
  const query: Record<string, string | number> = {};
  for (const name of new Set(request.query.keys())) {
    if (ALWAYS_ALLOWED.has(name)) continue;
    const rule = rules[name];
    const shownName = name.slice(0, 40);
    if (!rule) {
      const accepted = known.length > 0 ? `accepted: ${known.join(', ')}` : 'this endpoint takes none';
      return { response: problem(400, 'Unknown query parameter', `unknown query parameter "${shownName}"; ${accepted}`, shownName) };
    }
    const values = request.query.getAll(name);
    if (values.length > 1) return { response: problem(400, 'Invalid query parameter', `${name} may be given once`, name) };
    const checked = check(name, values[0], rule);
    if ('response' in checked) return checked;
    query[name] = checked.value;
  }
  return { query: query as ParsedQuery<R> };
}

/** The allowed values, the first few of a long list (hundreds of configured apps) and how many more. */
function listed(values: readonly string[]): string {
  if (values.length <= MAX_LISTED) return values.join(', ');
  return `${values.slice(0, MAX_LISTED).join(', ')} and ${values.length - MAX_LISTED} more`;
}

function check(name: string, value: string, rule: QueryRule): { value: string | number } | { response: HttpResponseInit } {
  switch (rule.kind) {
    case 'text': {
      const max = rule.maxLength ?? DEFAULT_MAX_TEXT;
      if (value === '' || value.length > max) return { response: problem(400, 'Invalid query parameter', `${name} must be 1 to ${max} characters`, name) };
      return { value };
    }
    case 'oneOf':
      if (!rule.values.includes(value)) return { response: problem(400, 'Invalid query parameter', `${name} must be one of: ${listed(rule.values)}`, name) };
      return { value };
    case 'integer': {
      const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || n < rule.min || n > rule.max) return { response: problem(400, 'Invalid query parameter', `${name} must be an integer from ${rule.min} to ${rule.max}`, name) };
      return { value: n };
    }
  }
}
