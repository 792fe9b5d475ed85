/**
 * Fault rules for reliability tests: a matching request is answered with an error status (429 with
 * Retry-After, 500, 409...), delayed, or has its connection dropped, a given number of times.
 * Rules are checked in the order added; the first live match wins.
 */
import { randomUUID } from 'node:crypto';

export interface FaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** Regular expression tested against the URL path (without the query). */
  pathRegex?: string;
  /** Operation name a module reports for the request (e.g. `ContainerApps_CreateOrUpdate`), see SimModule.operationOf. */
  operation?: string;
  /** Host the client addressed (without port), case-insensitive. */
  host?: string;
}

export type FaultResponse =
  | { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number }
  | { delayMs: number }
  | 'drop';

export interface FaultRuleInput {
  match?: FaultMatch;
  /** A bare status number gets an ARM-shaped error body (and Retry-After: 1 for 429/503). */
  response: FaultResponse | number;
  /** How many requests the rule applies to; default unlimited. */
  times?: number;
}

export interface FaultRule {
  readonly id: string;
  readonly match: FaultMatch;
  readonly response: FaultResponse;
  remaining: number;
  hits: number;
}

export interface FaultCandidate {
  method: string;
  path: string;
  host: string;
  operation?: string;
}

export class FaultRules {
  private rules: FaultRule[] = [];

  add(input: FaultRuleInput): FaultRule {
    const response = normalise(input.response);
    const match = input.match ?? {};
    if (match.pathRegex !== undefined) new RegExp(match.pathRegex); // throws early on a bad pattern
    const times = input.times ?? Number.POSITIVE_INFINITY;
    if (!(times > 0)) throw new Error('times must be a positive number');
    const rule: FaultRule = { id: randomUUID(), match, response, remaining: times, hits: 0 };
    this.rules.push(rule);
    return rule;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): readonly FaultRule[] {
    return this.rules.map((r) => ({ ...r, remaining: Number.isFinite(r.remaining) ? r.remaining : -1 }));
  }

  /** The rule for this request (consuming one use), or undefined. */
  take(candidate: FaultCandidate): FaultRule | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.match, candidate));
    if (!rule) return undefined;
    rule.remaining -= 1;
    rule.hits += 1;
    if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
    return rule;
  }

  /** True when some live rule needs the request's operation name (so the server asks the modules). */
  needsOperation(): boolean {
    return this.rules.some((r) => r.match.operation !== undefined);
  }
}

function matches(match: FaultMatch, c: FaultCandidate): boolean {
  if (match.method && match.method.toUpperCase() !== c.method.toUpperCase()) return false;
  if (match.host && match.host.toLowerCase() !== c.host.toLowerCase()) return false;
  if (match.pathRegex !== undefined && !new RegExp(match.pathRegex).test(c.path)) return false;
  if (match.operation !== undefined && match.operation.toLowerCase() !== (c.operation ?? '').toLowerCase()) return false;
  return true;
}

const ERROR_CODES: Record<number, string> = {
  400: 'BadRequest',
  404: 'ResourceNotFound',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

function normalise(response: FaultResponse | number): FaultResponse {
  if (typeof response !== 'number') {
    if (response !== 'drop' && !('status' in response) && !(typeof response.delayMs === 'number' && response.delayMs >= 0)) {
      throw new Error("response must be a status number, 'drop', { status, headers?, body? } or { delayMs }");
    }
    return response;
  }
  if (!Number.isInteger(response) || response < 100 || response > 599) throw new Error('response status must be 100-599');
  const code = ERROR_CODES[response] ?? `Status${response}`;
  return {
    status: response,
    headers: response === 429 || response === 503 ? { 'Retry-After': '1' } : {},
    body: { error: { code, message: `Injected fault: ${response} ${code}.` } },
  };
}
