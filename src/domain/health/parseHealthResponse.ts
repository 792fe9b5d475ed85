// One health-endpoint read → one HealthObservation. Decisions, in order:
//  1. A transport error (timeout, refused, reset, DNS, TLS, or any other) with no status → unreachable.
//     An error that came after a status (body over the cap, body read timed out) → judged by the status alone.
//  2. No status and no error → unknown (nothing was observed).
//  3. 5xx → unhealthy, whatever the body says (apps answer 503 when unhealthy; a load balancer
//     would take it out too). 4xx → unhealthy, naming the status (404 is usually a wrong path).
//  4. 3xx → healthy: Container Apps and Kubernetes probes count 200–399 as success, and we agree with them.
//  5. 2xx with a JSON object:
//     - its `status` word decides: ok/healthy/pass/up → healthy; unhealthy/fail/down → unhealthy;
//       degraded/warn → degraded, or healthy when the policy accepts degraded.
//       An explicit healthy status wins over failing checks (the app chose to say healthy), but the
//       failing checks are named in the reason.
//     - no status word but failing checks → degraded (part of the app says it is down).
//     - a status word we do not know → judged by the 2xx, and the reason says so.
//  6. 2xx with an empty or non-JSON body (`OK`, HTML, garbage) → healthy by status: many apps answer a
//     plain `OK`. The reason says the body was not JSON and quotes a short sanitized excerpt.
//  7. Any other status (1xx, outside 100–599) → unknown.
import { readHealthBody, type HealthBody } from './healthBody';
import type { HealthObservation, HealthParsePolicy, HealthProbeResponse } from './healthObservation';
import { sanitizeExcerpt } from './sanitizeExcerpt';

const TRANSPORT_ERRORS: Readonly<Record<string, string>> = {
  timeout: 'the request timed out',
  'connection-refused': 'the connection was refused',
  'connection-reset': 'the connection was reset',
  dns: 'the host name did not resolve',
  tls: 'the TLS handshake failed',
};

const MAX_NAMED_CHECKS = 5;
const BODY_EXCERPT_CHARS = 60;

export function parseHealthResponse(response: HealthProbeResponse, policy: HealthParsePolicy): HealthObservation {
  const { status, error } = response;
  const base = withLatency(response.latencyMs);

  if (error !== undefined && error !== 'body-too-large' && status === undefined) {
    const what = TRANSPORT_ERRORS[error] ?? `the request failed (${sanitizeExcerpt(error, 60)})`;
    return { ...base, outcome: 'unreachable', reason: `health endpoint unreachable: ${what}` };
  }
  if (status === undefined) {
    const reason = error === 'body-too-large' ? 'the body was over the read cap and no status was recorded' : 'no status was recorded';
    return { ...base, outcome: 'unknown', reason };
  }
  const withStatus = { ...base, httpStatus: status };
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    return { ...withStatus, outcome: 'unknown', reason: `HTTP ${String(status)} is not a final answer we can judge` };
  }
  if (status >= 500) {
    return { ...withStatus, ...fromBodyForDetail(response, status), outcome: 'unhealthy' };
  }
  if (status >= 400) {
    const hint = status === 404 ? ' (wrong health path?)' : status === 401 || status === 403 ? ' (the health path requires authentication?)' : '';
    return { ...withStatus, ...fromBodyForDetail(response, status), outcome: 'unhealthy', reason: `HTTP ${status}${hint}` };
  }
  if (status >= 300) {
    return { ...withStatus, outcome: 'healthy', reason: `HTTP ${status} (a redirect counts as success, as Container Apps probes count it)` };
  }
  if (error !== undefined) {
    const what = error === 'body-too-large' ? 'the body was over the read cap' : `reading the body failed: ${TRANSPORT_ERRORS[error] ?? sanitizeExcerpt(error, 60)}`;
    return { ...withStatus, outcome: 'healthy', reason: `HTTP ${status}; ${what}, so the body was not judged` };
  }
  return { ...withStatus, ...judge2xx(status, response.body, policy) };
}

function judge2xx(status: number, rawBody: string | undefined, policy: HealthParsePolicy): Pick<HealthObservation, 'outcome' | 'reason' | 'checks'> {
  const text = rawBody?.trim() ?? '';
  if (text === '') return { outcome: 'healthy', reason: `HTTP ${status} without a JSON body (empty)` };
  const body = readHealthBody(tryParseJson(text));
  if (body === undefined) {
    return { outcome: 'healthy', reason: `HTTP ${status} without a JSON body: "${sanitizeExcerpt(text, BODY_EXCERPT_CHARS)}"` };
  }
  const checks = Object.keys(body.checks).length > 0 ? body.checks : undefined;
  const failing = namesOf(body, 'fail');
  const warning = namesOf(body, 'warn');
  const checkNote = [failing && `failing checks: ${failing}`, warning && `warning checks: ${warning}`].filter(Boolean).join('; ');
  const said = body.statusWord === undefined ? undefined : `status "${body.statusWord}"`;
  const reason = (main: string): string => (checkNote ? `${main}; ${checkNote}` : main);

  switch (body.statusClass) {
    case 'healthy':
      return { outcome: 'healthy', reason: reason(`HTTP ${status}, ${said}`), checks };
    case 'unhealthy':
      return { outcome: 'unhealthy', reason: reason(`HTTP ${status} but ${said}`), checks };
    case 'degraded':
      return policy.degradedIsHealthy
        ? { outcome: 'healthy', reason: reason(`HTTP ${status}, ${said} (accepted as healthy by policy)`), checks }
        : { outcome: 'degraded', reason: reason(`HTTP ${status}, ${said}`), checks };
    case undefined:
      break;
  }
  if (failing || warning) {
    const main = said ? `HTTP ${status}, unrecognised ${said}` : `HTTP ${status}, no status field`;
    return policy.degradedIsHealthy
      ? { outcome: 'healthy', reason: reason(`${main} (degraded accepted as healthy by policy)`), checks }
      : { outcome: 'degraded', reason: reason(main), checks };
  }
  const main = said ? `HTTP ${status}, unrecognised ${said}; judged by the HTTP status` : `HTTP ${status}, JSON without a status field; judged by the HTTP status`;
  return { outcome: 'healthy', reason: main, checks };
}

// For 4xx/5xx the status decides; the body only adds the app's own word and its failing checks.
function fromBodyForDetail(response: HealthProbeResponse, status: number): Pick<HealthObservation, 'reason' | 'checks'> {
  const body = readHealthBody(tryParseJson(response.body?.trim() ?? ''));
  const parts = [`HTTP ${status}`];
  if (body?.statusWord !== undefined) parts.push(`status "${body.statusWord}"`);
  const failing = body ? namesOf(body, 'fail') : undefined;
  if (failing) parts.push(`failing checks: ${failing}`);
  const checks = body && Object.keys(body.checks).length > 0 ? body.checks : undefined;
  return { reason: parts.join(', '), ...(checks ? { checks } : {}) };
}

/** Names of the checks with the given result, at most a few, or undefined when none. */
function namesOf(body: HealthBody, result: 'fail' | 'warn'): string | undefined {
  const names = Object.entries(body.checks).filter(([, r]) => r === result).map(([name]) => name);
  if (names.length === 0) return undefined;
  const shown = names.slice(0, MAX_NAMED_CHECKS).join(', ');
  return names.length > MAX_NAMED_CHECKS ? `${shown} and ${names.length - MAX_NAMED_CHECKS} more` : shown;
}

function tryParseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function withLatency(latencyMs: number | undefined): Pick<HealthObservation, 'latencyMs'> {
  return latencyMs === undefined ? {} : { latencyMs };
}
