/**
 * The `web` analysis provider on the whole stack: a check that reads the new revision's own
 * `/stats` through its FQDN (the product's HTTP agent, the ingress, TLS with the revision's name)
 * passes a healthy release and rolls back one that fails a fifth of its requests.
 *
 * A check compared with `stable` (the same GET for the stable revision's own host name) and an
 * endpoint that never answers (a timeout per try, an error reading in bounded time) are the
 * provider's (test/analysis/webProvider); what the rollout does with a failed or inconclusive
 * reading is a replay test (test/orchestrators/deploymentAnalysis).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, startScenarioStack, stepOutcomes, waitForDeploymentOf, waitUntilIdle } from './scenarioKit';

function app(name: string, check: Record<string, unknown>): Record<string, unknown> {
  return {
    name,
    containerApp: { subscriptionId: '11111111-2222-4333-8444-888888888888', resourceGroup: 'web-rg', name },
    image: { registry: 'webchecks.azurecr.io', repository: `wc/${name}`, tagPolicy: { kind: 'glob', pattern: 'main-*' } },
    health: { path: '/health', intervalSeconds: 1, timeoutSeconds: 2, successThreshold: 2, failureThreshold: 2, deadlineSeconds: 60 },
    strategy: { kind: 'canary', steps: [20, 100], stepWaitSeconds: 2, keepPreviousMinutes: 0 },
    analysis: { checks: [{ name: 'stats', intervalSeconds: 3, count: 2, successCondition: 'value <= 0.05', ...check }], inconclusive: 'fail' },
    notify: [],
  };
}

describe('web analysis checks', () => {
  let stack: LocalStack;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hm-webchecks-'));
    const configPath = path.join(dir, 'apps.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        apps: [app('stats-app', { provider: { kind: 'web', url: 'https://{{revisionFqdn}}/stats', jsonPath: 'errorRate', timeoutSeconds: 2, retries: 1 } })],
      }),
    );
    stack = await startScenarioStack('unused', { configPath, settings: QUIET_TIMERS, withPostgres: false, userTraffic: { requestsPerSecond: 10, apps: ['stats-app'] } });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the revision\'s own figures through its FQDN: a healthy release passes, one failing a fifth of its requests is rolled back', async () => {
    const good = stack.push('stats-app', 'main-2');
    const promoted = await waitForDeploymentOf(stack, 'stats-app', good.digest, 120_000);
    expect(promoted.phase).toBe('succeeded');
    expect(promoted.analysis[0]).toMatchObject({ check: 'stats', verdict: 'successful' });
    expect(promoted.analysis[0].measurements[0].reason).toMatch(/^0, errorRate = 0 meets successCondition/);
    await waitUntilIdle(stack, 'stats-app');

    const bad = stack.push('stats-app', 'main-3', 'errors-after-traffic');
    const ended = await waitForDeploymentOf(stack, 'stats-app', bad.digest, 120_000);
    expect(ended.phase).toBe('rolled-back');
    expect(stepOutcomes(ended)).toMatchObject({ promote: 'failed', rollback: 'succeeded' });
    expect(ended.reason).toMatch(/^analysis failed \(20 %\): stats: 1 of 1 measurements failed .*errorRate = 0\.\d+ does not meet successCondition "value <= 0.05"/);

    // The deployment's own endpoint carries the same run: where, verdict, each measurement with its value and why.
    const { status, body: detail } = await stack.api('GET', `/deployments/${ended.id}`);
    expect(status).toBe(200);
    expect(detail.analysis).toEqual(ended.analysis);
    expect(detail.analysis).toHaveLength(1);
    expect(detail.analysis[0]).toMatchObject({ check: 'stats', verdict: 'failed' });
    expect(detail.analysis[0].measurements).toEqual([
      expect.objectContaining({ check: 'stats', outcome: 'failed', value: expect.any(Number), reason: expect.stringMatching(/does not meet successCondition "value <= 0.05"$/) }),
    ]);
    expect(detail.analysis[0].measurements[0].value).toBeGreaterThan(0.05);
  }, 240_000);
});
