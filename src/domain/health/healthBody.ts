// Reading a health body: the app's own status word and its per-check results, in every shape the
// seeds (and the common health libraries they resemble) use:
//   {"status":"ok"}                                                     (a Phoenix app's plain status)
//   {"status":"ok","database":"ok","ai_service":"down"}                 (checks at the top level)
//   {"status":"healthy","checks":{"database":{"status":"pass"}}}        (checks nested, pass/fail)
//   {"status":"pass","checks":{"db:connections":[{"status":"pass"}]}}   IETF health-check draft
//   {"status":"UP","checks":[{"name":"db","status":"UP"}]}              MicroProfile Health
//   {"status":"UP","components":{"db":{"status":"UP"}}}                 Spring Boot actuator
import type { CheckResult } from './healthObservation';
import { sanitizeExcerpt } from './sanitizeExcerpt';

/** How a status word reads: the app says it is fine, partly down, or down. */
export type StatusWordClass = 'healthy' | 'degraded' | 'unhealthy';

const WORDS: Readonly<Record<string, StatusWordClass>> = {
  ok: 'healthy', healthy: 'healthy', pass: 'healthy', passed: 'healthy', passing: 'healthy', up: 'healthy',
  green: 'healthy', ready: 'healthy', available: 'healthy', running: 'healthy',
  degraded: 'degraded', warn: 'degraded', warning: 'degraded', partial: 'degraded', yellow: 'degraded',
  unhealthy: 'unhealthy', fail: 'unhealthy', failed: 'unhealthy', failing: 'unhealthy', failure: 'unhealthy',
  down: 'unhealthy', error: 'unhealthy', red: 'unhealthy', critical: 'unhealthy', unavailable: 'unhealthy',
  out_of_service: 'unhealthy', 'out-of-service': 'unhealthy',
};

const CHECK_RESULT: Readonly<Record<StatusWordClass, CheckResult>> = { healthy: 'pass', degraded: 'warn', unhealthy: 'fail' };

// Bounds on what one body can make us keep: a hostile or huge body must not grow our records.
const MAX_CHECKS = 20;
const MAX_CHECK_NAME_CHARS = 40;
const MAX_RAW_WORD_CHARS = 30;

export function classifyStatusWord(word: string): StatusWordClass | undefined {
  return WORDS[word.trim().toLowerCase()];
}

export interface HealthBody {
  /** The body's `status` value, sanitized, when it had one that is a string. */
  statusWord?: string;
  /** How that word reads; undefined when the word is not one we know. */
  statusClass?: StatusWordClass;
  /** Checks found, normalised to pass/warn/fail where the word is known. */
  checks: Record<string, CheckResult>;
}

/** Reads a parsed JSON value as a health body; undefined when it is not a JSON object. */
export function readHealthBody(json: unknown): HealthBody | undefined {
  if (!isRecord(json)) return undefined;
  const checks: Record<string, CheckResult> = {};
  const status = json.status;
  const body: HealthBody = { checks };
  if (typeof status === 'string') {
    body.statusWord = sanitizeExcerpt(status, MAX_RAW_WORD_CHARS);
    body.statusClass = classifyStatusWord(status);
  }
  for (const container of [json.checks, json.components, json.details]) collectChecks(container, checks);
  collectTopLevelChecks(json, checks);
  return body;
}

function collectChecks(container: unknown, into: Record<string, CheckResult>): void {
  if (Array.isArray(container)) {
    for (const entry of container) {
      if (isRecord(entry) && typeof entry.name === 'string') addCheck(into, entry.name, checkValue(entry));
    }
  } else if (isRecord(container)) {
    for (const [name, value] of Object.entries(container)) addCheck(into, name, checkValue(value));
  }
}

// Some apps put their checks beside the status: {"status":"degraded","database":"ok","ai_service":"down"}.
// Only fields whose value is a known health word (or an object with one) count, so timestamps and
// versions are never mistaken for checks.
function collectTopLevelChecks(json: Record<string, unknown>, into: Record<string, CheckResult>): void {
  for (const [name, value] of Object.entries(json)) {
    if (name === 'status' || name === 'checks' || name === 'components' || name === 'details') continue;
    const word = typeof value === 'string' ? value : isRecord(value) && typeof value.status === 'string' ? value.status : undefined;
    if (word !== undefined && classifyStatusWord(word) !== undefined) addCheck(into, name, checkValue(value));
  }
}

function addCheck(into: Record<string, CheckResult>, rawName: string, result: CheckResult | undefined): void {
  if (result === undefined || Object.keys(into).length >= MAX_CHECKS) return;
  const name = sanitizeExcerpt(rawName, MAX_CHECK_NAME_CHARS);
  // defineProperty, not assignment: a check named `__proto__` must stay a plain key.
  if (name !== '' && !Object.hasOwn(into, name)) Object.defineProperty(into, name, { value: result, enumerable: true, writable: true, configurable: true });
}

/** A check's value: a word, a boolean, `{status}`, or a list of `{status}` (the worst one counts). */
function checkValue(value: unknown): CheckResult | undefined {
  if (typeof value === 'boolean') return value ? 'pass' : 'fail';
  if (typeof value === 'string') {
    const known = classifyStatusWord(value);
    return known ? CHECK_RESULT[known] : sanitizeExcerpt(value, MAX_RAW_WORD_CHARS) || undefined;
  }
  if (isRecord(value)) return value.status === undefined ? undefined : checkValue(value.status);
  if (Array.isArray(value)) {
    const results = value.map(checkValue).filter((r): r is CheckResult => r !== undefined);
    return results.find((r) => r === 'fail') ?? results.find((r) => r === 'warn') ?? results.find((r) => r !== 'pass') ?? results[0];
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
