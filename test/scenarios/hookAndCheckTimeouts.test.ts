/**
 * Hooks and checks whose other end never finishes, on the whole stack: an HTTP hook posting to a
 * server that accepts the connection and never answers fails after its tries' timeouts (a
 * pre-traffic one rolls the release back before any user saw it; a post-promotion one is
 * recorded and leaves the promoted release alone), and a job check whose smoke-test run never ends
 * (`smoke-test --hang`)
 * is stopped at its `timeoutSeconds` and counted as an error. Each deployment ends in bounded time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { startSilentServer, type SilentServer } from '../support/silentServer';
import { QUIET_TIMERS, recordTrafficChanges, startScenarioStack, stepOutcomes, waitForDeploymentOf, waitUntilIdle } from './scenarioKit';

function app(name: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    containerApp: { subscriptionId: '11111111-2222-4333-8444-bbbbbbbbbbbb', resourceGroup: 'timeouts-rg', name },
    image: { registry: 'timeouts.azurecr.io', repository: `to/${name}`, tagPolicy: { kind: 'glob', pattern: 'main-*' } },
    health: { path: '/health', intervalSeconds: 1, timeoutSeconds: 2, successThreshold: 2, failureThreshold: 2, deadlineSeconds: 60 },
    strategy: { kind: 'blue-green', keepPreviousMinutes: 0 },
    notify: [],
    ...extra,
  };
}

function durationMs(step: { startedAt: string; endedAt: string }): number {
  return Date.parse(step.endedAt) - Date.parse(step.startedAt);
}

describe('hooks and checks that never answer', () => {
  let stack: LocalStack;
  let dir: string;
  let silent: SilentServer | undefined;

  beforeAll(async () => {
    // Reads each request and never answers it.
    silent = await startSilentServer();
    const base = silent.base;
    dir = mkdtempSync(path.join(tmpdir(), 'hm-timeouts-'));
    const configPath = path.join(dir, 'apps.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        apps: [
          app('mute-gate-app', { hooks: [{ kind: 'http', name: 'gate', phase: 'pre-traffic', url: `${base}/gate`, timeoutSeconds: 1, retries: 1 }] }),
          app('mute-tell-app', { hooks: [{ kind: 'http', name: 'tell', phase: 'post-promotion', url: `${base}/tell`, timeoutSeconds: 1, retries: 1 }] }),
          app('hang-check-app', {
            strategy: { kind: 'canary', steps: [50, 100], stepWaitSeconds: 1, keepPreviousMinutes: 0 },
            analysis: {
              checks: [
                // A smoke-test run that never ends.
                { name: 'smoke', provider: { kind: 'job', jobName: 'hang-check-smoke', command: ['smoke-test', '--hang'], timeoutSeconds: 2 }, intervalSeconds: 1, count: 1 },
              ],
              inconclusive: 'fail',
            },
          }),
        ],
      }),
    );
    stack = await startScenarioStack('unused', { configPath, settings: QUIET_TIMERS, withPostgres: false });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    await silent?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a pre-traffic HTTP hook that never answers fails after its tries\' timeouts and rolls back before any user was routed to the release', async () => {
    const traffic = recordTrafficChanges(stack, 'mute-gate-app');
    const pushed = stack.push('mute-gate-app', 'main-2');
    const ended = await waitForDeploymentOf(stack, 'mute-gate-app', pushed.digest, 120_000);
    expect(ended.phase).toBe('rolled-back');
    expect(stepOutcomes(ended)).toMatchObject({ 'pre-traffic': 'failed', rollback: 'succeeded' });
    expect(ended.reason).toMatch(/^pre-traffic hook gate failed: POST 127\.0\.0\.1:\d+ no answer within 1 s \(2 of 2 tries\)$/);
    expect(silent?.paths.filter((p) => p === '/gate')).toHaveLength(2);
    // Two tries of 1 s and one back-off, not any longer deadline.
    expect(durationMs(ended.steps.find((s: any) => s.step === 'pre-traffic'))).toBeLessThan(10_000);
    expect(traffic.flatMap((c) => c.traffic).filter((t) => t.revisionName === ended.newRevision && (t.weight ?? 0) > 0)).toEqual([]);
    await waitUntilIdle(stack, 'mute-gate-app');
  }, 180_000);

  it('a post-promotion HTTP hook that never answers is recorded as failed and leaves the promoted release serving', async () => {
    const pushed = stack.push('mute-tell-app', 'main-2');
    const ended = await waitForDeploymentOf(stack, 'mute-tell-app', pushed.digest, 120_000);
    expect(ended.phase).toBe('succeeded');
    const told = ended.steps.find((s: any) => s.step === 'post-promotion');
    // The step itself went through (the release stays promoted); its detail says the hook failed and why.
    expect(told.detail).toMatch(/^post-promotion hook tell FAILED: POST 127\.0\.0\.1:\d+ no answer within 1 s \(2 of 2 tries\) \(a post-promotion hook does not roll back a promoted release\)$/);
    expect(durationMs(told)).toBeLessThan(10_000);
    const { body } = await stack.api('GET', '/apps/mute-tell-app/releases');
    expect(body.serving.revisionName).toBe(ended.newRevision);
    await waitUntilIdle(stack, 'mute-tell-app');
  }, 180_000);

  it('a job check whose smoke-test run never ends is stopped at its timeoutSeconds, counts as an error and never holds the rollout', async () => {
    const pushed = stack.push('hang-check-app', 'main-2');
    const ended = await waitForDeploymentOf(stack, 'hang-check-app', pushed.digest, 120_000);
    expect(ended.phase).toBe('rolled-back');
    expect(ended.reason).toMatch(/^analysis inconclusive \(50 %\): smoke: 1 of 1 measurements inconclusive/);
    const measured = ended.analysis[0].measurements[0];
    expect(measured).toMatchObject({ check: 'smoke', outcome: 'error', reason: expect.stringMatching(/^execution (hang-check-smoke-\w+) did not finish within 2 s; stopped; logs: https:\/\/portal\.azure\.com\//) });
    const execution = /execution (hang-check-smoke-\w+)/.exec(measured.reason)![1];
    const run = stack.simulator.jobs.execution('timeouts-rg', 'hang-check-smoke', execution);
    expect(run?.status).toBe('Stopped');
    expect(run?.logs.map((l) => l.line)).toContain('smoke test: waiting for an answer that never comes (--hang)');
    // The measurement's two seconds plus a poll, the step's wait and interval: far from the job's own replica timeout.
    expect(durationMs(ended.steps.find((s: any) => s.step === 'promote'))).toBeLessThan(20_000);
    await waitUntilIdle(stack, 'hang-check-app');
  }, 180_000);
});
