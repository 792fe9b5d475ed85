/**
 * Who may do what, on the whole local stack: devhost standing in for App Service sign-in (a
 * browser is the local operator; a script without a key is nobody; a principal header sent by a
 * client is removed), read keys that look but never act, and every action recorded with the
 * authenticated caller: a manual deploy, an approval (never a name from the body), a rollback,
 * a backup now, a silence. Plus the public badge of an app that opted in, and the metrics text.
 */
import { LOCAL_KEYS, callApi, type LocalStack } from '../../devhost/localStack/localStack';
import { encodeClientPrincipal } from '../../src/domain/access';
import { QUIET_TIMERS, eventually, pushWithoutWebhook, startScenarioStack, waitForDeploymentOf, waitForPhase, waitUntilIdle } from './scenarioKit';

/** What a browser on the dashboard sends: `Sec-Fetch-Site`, a session (here: devhost's stand-in), no key. */
const BROWSER = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };

describe('who may do what, and who did it', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.access.json', { settings: QUIET_TIMERS });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const call = (method: string, route: string, headers: Record<string, string>, body?: unknown) => callApi(stack.devhost.baseUrl, method, route, headers, body);

  it('a browser is signed in as the local operator; a request with neither key nor sign-in is a 401', async () => {
    expect(await call('GET', '/me', BROWSER)).toMatchObject({ status: 200, body: { name: 'local-operator', roles: ['Harbormaster.Reader', 'Harbormaster.Operator'] } });
    expect((await call('GET', '/me', {})).status).toBe(401);
    expect(await call('GET', '/status', {})).toMatchObject({ status: 401, body: { title: 'Unauthorized' } });
  });

  it('removes a principal header a client sends itself, as App Service does', async () => {
    const forged = { 'x-ms-client-principal': encodeClientPrincipal({ name: 'mallory', roles: ['Harbormaster.Operator'] }) };
    expect((await call('GET', '/me', forged)).status).toBe(401);
    expect((await call('POST', '/apps/quiet-app/resume', forged)).status).toBe(401);
  });

  it('a read key looks but cannot act', async () => {
    const readKey = { 'x-functions-key': LOCAL_KEYS.readKey };
    expect((await call('GET', '/status', readKey)).status).toBe(200);
    expect(await call('GET', '/me', readKey)).toMatchObject({ body: { name: 'key:local-reader-key', roles: ['Harbormaster.Reader'] } });
    for (const [method, route] of [['POST', '/apps/quiet-app/resume'], ['POST', '/apps/quiet-app/rollback'], ['POST', '/backups/audit-db'], ['POST', '/apps/quiet-app/deploy']]) {
      expect({ route, status: (await call(method, route, readKey, {})).status }).toEqual({ route, status: 403 });
    }
  });

  it('a manual deploy records the key that asked for it', async () => {
    const pushed = pushWithoutWebhook(stack, 'quiet-app', 'main-2');
    const started = await stack.api('POST', '/apps/quiet-app/deploy', { tag: 'main-2' });
    expect(started.status).toBe(202);
    const done = await waitForDeploymentOf(stack, 'quiet-app', pushed.digest);
    expect(done).toMatchObject({ phase: 'succeeded', source: 'manual', requestedBy: 'key:local-operator-key' });
  });

  it('an approval records the signed-in approver; a name in the body is refused, not believed', async () => {
    const pushed = stack.push('badge-app', 'main-2');
    const waiting = await waitForPhase(stack, 'badge-app', pushed.digest, 'awaiting-approval', 90_000);
    const forged = await call('POST', `/deployments/${waiting.id}/approve`, BROWSER, { by: 'the-cto' });
    expect(forged).toMatchObject({ status: 400, body: { field: 'by' } });
    const approved = await call('POST', `/deployments/${waiting.id}/approve`, BROWSER, { comment: 'looks good' });
    expect(approved).toMatchObject({ status: 202, body: { decision: 'approved', by: 'local-operator' } });
    const done = await waitForDeploymentOf(stack, 'badge-app', pushed.digest, 90_000);
    expect(done.phase).toBe('succeeded');
    expect(done.steps.find((s: any) => s.step === 'approval')).toMatchObject({ outcome: 'succeeded', detail: 'approved by local-operator' });
    await waitUntilIdle(stack, 'badge-app');
  });

  it('the public badge shows the serving release; an app that did not opt in has none', async () => {
    const badge = await call('GET', '/apps/badge-app/badge.svg', {});
    expect(badge.status).toBe(200);
    expect(badge.contentType).toMatch(/^image\/svg\+xml/);
    expect(badge.body).toContain('>badge-app</text>');
    expect(badge.body).toMatch(/>main-2 \| (healthy|degraded|unhealthy|unknown)<\/text>/);
    expect((await call('GET', '/apps/quiet-app/badge.svg', {})).status).toBe(404);
    expect((await call('GET', '/apps/no-such-app/badge.svg', {})).status).toBe(404);
  });

  it('a rollback, a backup now and a silence record the signed-in operator', async () => {
    const rolled = await call('POST', '/apps/badge-app/rollback', BROWSER, { reason: 'checking the audit trail' });
    expect(rolled).toMatchObject({ status: 202, body: { kind: 'rollback' } });
    const rollback = await eventually('the rollback finished', async () => {
      const { body } = await stack.api('GET', `/deployments/${rolled.body.deploymentId}`);
      return body.phase === 'succeeded' || body.phase === 'failed' ? body : undefined;
    }, 90_000);
    expect(rollback).toMatchObject({ kind: 'rollback', phase: 'succeeded', requestedBy: 'local-operator' });

    const backup = await call('POST', '/backups/audit-db', BROWSER);
    expect(backup.status).toBe(202);
    const recorded = await eventually('the backup record', async () => {
      const { status, body } = await stack.api('GET', `/backups/${backup.body.backupId}`);
      return status === 200 ? body : undefined;
    });
    expect(recorded.requestedBy).toBe('local-operator');

    const silence = await call('POST', '/apps/badge-app/silences', BROWSER, { minutes: 10, reason: 'audit test' });
    expect(silence).toMatchObject({ status: 201, body: { by: 'local-operator' } });
  });

  it('GET /api/metrics: the same metrics as Prometheus text, to a reader', async () => {
    await stack.devhost.fire('healthSweep');
    const metrics = await call('GET', '/metrics', { 'x-functions-key': LOCAL_KEYS.readKey });
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toMatch(/^text\/plain/);
    expect(metrics.body).toMatch(/harbormaster_deployments_total\{[^}]*harbormaster_app="quiet-app"[^}]*harbormaster_deployment_outcome="succeeded"[^}]*\} 1/);
    expect(metrics.body).toMatch(/harbormaster_webhook_ack_duration_count\{[^}]*harbormaster_webhook_source="acr"/);
    expect(metrics.body).toMatch(/harbormaster_deployment_step_duration_bucket\{/);
    expect(metrics.body).toMatch(/harbormaster_rollback_duration_count\{[^}]*harbormaster_rollback_trigger="manual"[^}]*\} 1/);
    expect(metrics.body).toMatch(/harbormaster_sweep_duration_count\{[^}]*\} 1/);
    expect(metrics.body).toMatch(/harbormaster_sweep_verdicts_total\{[^}]*harbormaster_verdict="[a-z-]+"[^}]*\} [12]/);
    expect((await call('GET', '/metrics', {})).status).toBe(401);
  });
});
