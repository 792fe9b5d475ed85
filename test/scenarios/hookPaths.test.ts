/**
 * Hooks on the whole stack. A pre-traffic smoke test is a Container Apps Job run with the new
 * image, whose `smoke-test` program sends real requests to the revision's own FQDN through the
 * ingress: a release whose /health is green but whose requests fail is rolled back before any
 * user was routed to it. HTTP hooks are signed POSTs to a receiver of the test's own: the
 * post-promotion and on-rollback calls arrive with the event and a valid HMAC-SHA256 signature,
 * and a pre-traffic gate answering 503 with Retry-After is tried again after the wait it asked for.
 * The HTTP hook's other answers (one that keeps failing, one that never comes) are the activity's
 * (test/hooks/httpHook); what the rollout does with a failed hook is a replay test
 * (test/orchestrators/deploymentHooks).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, recordTrafficChanges, startScenarioStack, stepOutcomes, waitForDeploymentOf, waitUntilIdle } from './scenarioKit';
import { hookSuiteApps } from '../fixtures/hookSuiteApps';
import { startHookReceiver, type Delivery, type HookReceiver } from '../support/hookReceiver';

const SIGNING_KEY = 'hook-signing-key-for-tests';

describe('hooks', () => {
  let stack: LocalStack;
  let dir: string;
  let receiver: HookReceiver;

  beforeAll(async () => {
    receiver = await startHookReceiver();
    dir = mkdtempSync(path.join(tmpdir(), 'hm-hooks-'));
    const configPath = path.join(dir, 'apps.json');
    writeFileSync(configPath, JSON.stringify({ apps: hookSuiteApps(receiver.base) }));
    stack = await startScenarioStack('unused', { configPath, settings: QUIET_TIMERS, withPostgres: false, userTraffic: { requestsPerSecond: 10, apps: ['smoke-app'] } });
    stack.simulator.keyVault.setSecret('hook-signing-key', SIGNING_KEY);
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const signed = (delivery: Delivery): boolean => receiver.signedWith(delivery, SIGNING_KEY);

  it('a passing pre-traffic smoke test lets the release through; the post-promotion hook is told, signed', async () => {
    const pushed = stack.push('smoke-app', 'main-2');
    const ended = await waitForDeploymentOf(stack, 'smoke-app', pushed.digest, 120_000);
    expect(ended.phase).toBe('succeeded');
    const smoke = ended.steps.find((s: any) => s.step === 'pre-traffic');
    expect(smoke).toMatchObject({ outcome: 'succeeded', detail: expect.stringMatching(/^pre-traffic hook smoke: execution smoke-app-smoke-\w+ Succeeded \(exit 0\); logs: https:\/\/portal\.azure\.com\/#resource\/subscriptions\/.*\/jobs\/smoke-app-smoke\/executionHistory$/) });
    expect(ended.steps.find((s: any) => s.step === 'post-promotion')).toMatchObject({ outcome: 'succeeded', detail: expect.stringMatching(/^post-promotion hook tell-qa: POST 127\.0\.0\.1:\d+ answered 200$/) });
    const told = receiver.deliveries.find((d) => d.path === '/promoted' && d.body.deploymentId === ended.id)!;
    expect(told.body).toMatchObject({ app: 'smoke-app', phase: 'post-promotion', hook: 'tell-qa', revision: ended.newRevision, release: { tag: 'main-2', digest: pushed.digest } });
    expect(told.headers['x-harbormaster-event']).toBe('post-promotion');
    expect(signed(told)).toBe(true);
    // The smoke test's execution ran the new image with the revision's FQDN.
    const run = stack.simulator.jobs.execution('hooks-rg', 'smoke-app-smoke', /execution (\S+) Succeeded/.exec(smoke.detail)![1])!;
    expect(run.status).toBe('Succeeded');
    expect(run.logs.map((l) => l.line).join('\n')).toMatch(/smoke test of smoke-app--[\w-]+\.\S+: 11 of 11 requests answered 2xx/);
    await waitUntilIdle(stack, 'smoke-app');
  }, 180_000);

  it('a failing pre-traffic smoke test rolls the release back before any user was routed to it; the on-rollback hook is told why', async () => {
    const { body: before } = await stack.api('GET', '/apps/smoke-app/releases');
    const traffic = recordTrafficChanges(stack, 'smoke-app');
    const pushed = stack.push('smoke-app', 'main-3', 'errors-after-traffic');
    const ended = await waitForDeploymentOf(stack, 'smoke-app', pushed.digest, 120_000);
    expect(ended.phase).toBe('rolled-back');
    expect(stepOutcomes(ended)).toMatchObject({ 'health-wait': 'succeeded', 'pre-traffic': 'failed', rollback: 'succeeded', 'on-rollback': 'succeeded' });
    expect(stepOutcomes(ended)).not.toHaveProperty('promote');
    expect(ended.reason).toMatch(/^pre-traffic hook smoke failed: execution smoke-app-smoke-\w+ Failed: BackoffLimitExceeded.*; logs: https:\/\/portal\.azure\.com\//);
    // No traffic change ever gave the new revision a share, and no user request reached it.
    expect(traffic.flatMap((c) => c.traffic).filter((t) => t.revisionName === ended.newRevision && (t.weight ?? 0) > 0)).toEqual([]);
    const resourceId = `/subscriptions/11111111-2222-4333-8444-999999999999/resourceGroups/hooks-rg/providers/Microsoft.App/containerApps/smoke-app`;
    const served = stack.simulator.metrics.requests(0, Date.now() + 1).filter((r) => r.resourceId === resourceId.toLowerCase() && r.revisionName === ended.newRevision);
    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((r) => !/^\/(smoke\/\d+|health)$/.test(r.path ?? ''))).toEqual([]);
    const { body: after } = await stack.api('GET', '/apps/smoke-app/releases');
    expect(after.serving.revisionName).toBe(before.serving.revisionName);
    expect(after.releases.find((r: any) => r.digest === pushed.digest).verdict).toBe('failed');
    const paged = receiver.deliveries.find((d) => d.path === '/rolled-back' && d.body.deploymentId === ended.id)!;
    expect(paged.body).toMatchObject({ phase: 'on-rollback', hook: 'page', revision: ended.newRevision, previousRevision: before.serving.revisionName, reason: expect.stringMatching(/^pre-traffic hook smoke failed/) });
    expect(signed(paged)).toBe(true);
    await waitUntilIdle(stack, 'smoke-app');
  }, 180_000);

  it('an HTTP pre-traffic hook answering 503 with Retry-After is tried again after that wait, and the release goes through', async () => {
    receiver.answers.set('/gate', [{ status: 503, headers: { 'retry-after': '2' } }, { status: 204 }]);
    const good = stack.push('gate-app', 'main-2');
    const passed = await waitForDeploymentOf(stack, 'gate-app', good.digest, 120_000);
    expect(passed.phase).toBe('succeeded');
    expect(passed.steps.find((s: any) => s.step === 'pre-traffic').detail).toMatch(/^pre-traffic hook gate: POST 127\.0\.0\.1:\d+ answered 204 \(try 2 of 3\)$/);
    const tries = receiver.deliveries.filter((d) => d.path === '/gate' && d.body.deploymentId === passed.id);
    expect(tries).toHaveLength(2);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(1_900);
    expect(tries[1].headers['x-harbormaster-delivery']).toBe(tries[0].headers['x-harbormaster-delivery']);
    // No secret named: no signature. The URL named the revision's own FQDN.
    expect(tries[0].headers['x-harbormaster-signature-256']).toBeUndefined();
    expect(tries[0].body.revisionFqdn).toMatch(/^gate-app--/);
    await waitUntilIdle(stack, 'gate-app');
  }, 180_000);
});
