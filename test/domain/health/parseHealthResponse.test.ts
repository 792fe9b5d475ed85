import { parseHealthResponse, type HealthOutcome, type HealthProbeResponse } from '../../../src/domain/health';

const strict = { degradedIsHealthy: false };
const lenient = { degradedIsHealthy: true };

// The bodies the seeds document, verbatim where the seed gives one.
const PLAIN_OK = '{"status":"ok"}';
const TOP_LEVEL_CHECKS_OK = '{"status": "ok", "database": "ok", "ai_service": "ok"}';
const TOP_LEVEL_CHECKS_DEGRADED = '{"status": "degraded", "database": "ok", "ai_service": "down"}';
const NESTED_CHECKS_HEALTHY = JSON.stringify({
  status: 'healthy', timestamp: '2025-01-15T10:30:00Z', version: '0.1.0',
  checks: { database: { status: 'pass' }, application: { status: 'pass' } },
});
const NESTED_CHECKS_UNHEALTHY = JSON.stringify({
  status: 'unhealthy', timestamp: '2025-01-15T10:30:00Z', version: '0.1.0',
  checks: { database: { status: 'fail' }, application: { status: 'pass' } },
});

function probe(status: number | undefined, body?: string, extra: Partial<HealthProbeResponse> = {}): HealthProbeResponse {
  return { status, body, ...extra };
}

describe('parseHealthResponse: one row per format the seeds use', () => {
  it.each<[string, HealthProbeResponse, typeof strict, HealthOutcome, RegExp]>([
    ['{"status":"ok"} is healthy', probe(200, PLAIN_OK), strict, 'healthy', /HTTP 200, status "ok"/],
    ['ok with top-level checks is healthy', probe(200, TOP_LEVEL_CHECKS_OK), strict, 'healthy', /status "ok"/],
    ['degraded is degraded when the policy does not accept it', probe(200, TOP_LEVEL_CHECKS_DEGRADED), strict, 'degraded', /status "degraded"; failing checks: ai_service/],
    ['degraded is healthy when the policy accepts it', probe(200, TOP_LEVEL_CHECKS_DEGRADED), lenient, 'healthy', /\(accepted as healthy by policy\); failing checks: ai_service/],
    ['healthy with pass checks is healthy', probe(200, NESTED_CHECKS_HEALTHY), strict, 'healthy', /status "healthy"$/],
    ['503 with unhealthy and a fail check is unhealthy', probe(503, NESTED_CHECKS_UNHEALTHY), strict, 'unhealthy', /HTTP 503, status "unhealthy", failing checks: database/],
    ['an unhealthy status is unhealthy even with 200', probe(200, '{"status":"unhealthy"}'), strict, 'unhealthy', /HTTP 200 but status "unhealthy"/],
    ['any 503 is unhealthy whatever the body says', probe(503, PLAIN_OK), strict, 'unhealthy', /HTTP 503, status "ok"/],
    ['a 500 without a body is unhealthy', probe(500, ''), strict, 'unhealthy', /^HTTP 500$/],
    ['404 is unhealthy and hints at the path', probe(404, 'Not Found'), strict, 'unhealthy', /HTTP 404 \(wrong health path\?\)/],
    ['401 is unhealthy and hints at authentication', probe(401, ''), strict, 'unhealthy', /HTTP 401 \(the health path requires authentication\?\)/],
    ['plain OK is healthy without a JSON body', probe(200, 'OK'), strict, 'healthy', /HTTP 200 without a JSON body: "OK"/],
    ['an empty 204 is healthy', probe(204, ''), strict, 'healthy', /HTTP 204 without a JSON body \(empty\)/],
    ['garbage with 200 is healthy by status, and says so', probe(200, '{"status": ok,,'), strict, 'healthy', /without a JSON body: "\{"status": ok,,"/],
    ['a JSON array with 200 is healthy by status', probe(200, '[1,2]'), strict, 'healthy', /without a JSON body/],
    ['an unrecognised status word is judged by the HTTP status', probe(200, '{"status":"maintenance"}'), strict, 'healthy', /unrecognised status "maintenance"; judged by the HTTP status/],
    ['JSON without a status is judged by the HTTP status', probe(200, '{"uptime":12}'), strict, 'healthy', /JSON without a status field/],
    ['no status but a failing check is degraded', probe(200, '{"checks":{"db":"fail"}}'), strict, 'degraded', /no status field; failing checks: db/],
    ['a redirect counts as success, as probes count it', probe(302, ''), strict, 'healthy', /HTTP 302/],
    ['Spring Boot UP with components is healthy', probe(200, '{"status":"UP","components":{"db":{"status":"UP"}}}'), strict, 'healthy', /status "UP"/],
    ['MicroProfile DOWN is unhealthy', probe(200, '{"status":"DOWN","checks":[{"name":"db","status":"DOWN"}]}'), strict, 'unhealthy', /failing checks: db/],
  ])('%s', (_rule, response, policy, outcome, reason) => {
    const observation = parseHealthResponse(response, policy);
    expect(observation.outcome).toBe(outcome);
    expect(observation.reason).toMatch(reason);
  });
});

describe('parseHealthResponse: transport failures are unreachable', () => {
  it.each([
    ['timeout', /timed out/],
    ['connection-refused', /refused/],
    ['connection-reset', /reset/],
    ['dns', /did not resolve/],
    ['tls', /TLS/],
    ['EHOSTUNREACH something odd', /request failed \(EHOSTUNREACH something odd\)/],
  ])('%s → unreachable', (error, reason) => {
    const observation = parseHealthResponse(probe(undefined, undefined, { error, latencyMs: 5000 }), strict);
    expect(observation).toMatchObject({ outcome: 'unreachable', latencyMs: 5000 });
    expect(observation.reason).toMatch(reason);
    expect(observation.httpStatus).toBeUndefined();
  });
});

describe('parseHealthResponse: answers that cannot be judged', () => {
  it.each<[string, HealthProbeResponse, HealthOutcome, RegExp]>([
    ['nothing recorded is unknown', probe(undefined), 'unknown', /no status was recorded/],
    ['a body over the cap without a status is unknown', probe(undefined, undefined, { error: 'body-too-large' }), 'unknown', /over the read cap/],
    ['a 2xx whose body was over the cap is judged by status', probe(200, undefined, { error: 'body-too-large' }), 'healthy', /over the read cap, so the body was not judged/],
    ['a 2xx whose body read timed out is judged by status', probe(200, undefined, { error: 'timeout' }), 'healthy', /reading the body failed: the request timed out/],
    ['a status outside 100–599 is unknown', probe(999, '{}'), 'unknown', /HTTP 999/],
    ['an informational status is unknown', probe(101, ''), 'unknown', /HTTP 101/],
  ])('%s', (_rule, response, outcome, reason) => {
    const observation = parseHealthResponse(response, strict);
    expect(observation.outcome).toBe(outcome);
    expect(observation.reason).toMatch(reason);
  });
});

describe('parseHealthResponse: checks', () => {
  it('normalises string, object, boolean and list checks to pass/warn/fail', () => {
    const body = JSON.stringify({
      status: 'healthy',
      checks: { db: 'ok', cache: { status: 'warn' }, queue: false, 'db:connections': [{ status: 'pass' }, { status: 'fail' }], odd: 'sideways' },
    });
    expect(parseHealthResponse(probe(200, body), strict).checks).toEqual({ db: 'pass', cache: 'warn', queue: 'fail', 'db:connections': 'fail', odd: 'sideways' });
  });

  it('prefers an explicit healthy status over failing checks, and names them in the reason', () => {
    const observation = parseHealthResponse(probe(200, '{"status":"healthy","checks":{"db":"fail","cache":"warn"}}'), strict);
    expect(observation.outcome).toBe('healthy');
    expect(observation.reason).toBe('HTTP 200, status "healthy"; failing checks: db; warning checks: cache');
  });

  it('does not mistake timestamps and versions at the top level for checks', () => {
    expect(parseHealthResponse(probe(200, NESTED_CHECKS_HEALTHY), strict).checks).toEqual({ database: 'pass', application: 'pass' });
  });

  it('keeps at most 20 checks and names at most 5 in the reason', () => {
    const checks = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`c${i}`, 'fail']));
    const observation = parseHealthResponse(probe(200, JSON.stringify({ checks })), strict);
    expect(Object.keys(observation.checks ?? {})).toHaveLength(20);
    expect(observation.reason).toMatch(/failing checks: c0, c1, c2, c3, c4 and 15 more$/);
  });

  it('keeps a check named __proto__ as a plain key', () => {
    const observation = parseHealthResponse(probe(200, '{"checks":{"__proto__":"fail"}}'), strict);
    expect(Object.getPrototypeOf(observation.checks)).toBe(Object.prototype);
    expect(Object.keys(observation.checks ?? {})).toEqual(['__proto__']);
  });
});

describe('parseHealthResponse: never echoes secrets or long bodies', () => {
  const secrets = [
    'postgres://app:Sup3rS3cret@db.example.com/prod',
    'AccountName=acct;AccountKey=dGhpcy1pcy1ub3QtYS1yZWFsLWtleQ==;EndpointSuffix=core.windows.net',
    'Authorization: Bearer abc.def.ghi',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl',
    'password=hunter2 and more',
  ];
  it.each(secrets)('redacts %s', (secret) => {
    const observation = parseHealthResponse(probe(200, `boom ${secret}`), strict);
    for (const fragment of ['Sup3rS3cret', 'dGhpcy1pcy1ub3QtYS1yZWFsLWtleQ', 'abc.def.ghi', 'eyJhbGciOiJIUzI1NiJ9', 'hunter2']) {
      expect(observation.reason).not.toContain(fragment);
    }
    expect(observation.reason).toContain('***');
  });

  it('redacts secret fields inside JSON error bodies', () => {
    const observation = parseHealthResponse(probe(200, '{"error":"db", "token": "tok-123456", "truncated'), strict);
    expect(JSON.stringify(observation)).not.toContain('tok-123456');
  });

  it('keeps long plain check names readable while redacting opaque tokens', () => {
    const observation = parseHealthResponse(probe(200, '{"checks":{"database_connection_pool":"fail"}}'), strict);
    expect(observation.checks).toEqual({ database_connection_pool: 'fail' });
    expect(parseHealthResponse(probe(200, 'err k9Xf0aB3cD4eF5gH6iJ7kL8mN9'), strict).reason).toBe('HTTP 200 without a JSON body: "err ***"');
  });

  it('caps the quoted excerpt and flattens newlines', () => {
    const observation = parseHealthResponse(probe(200, `line one\nline two ${'x '.repeat(500)}`), strict);
    expect(observation.reason).not.toContain('\n');
    expect(observation.reason.length).toBeLessThan(150);
  });
});
