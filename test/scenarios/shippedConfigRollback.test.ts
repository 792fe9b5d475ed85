/**
 * The shipped configuration (config/apps.json, as `npm start` seeds it) under bad releases.
 * Every one of its seven apps, whatever its strategy and revision mode, ends a crash-looping
 * push serving the release it had before, with the bad release marked failed in the ledger;
 * and sound-forge's analysis (a one-minute bake reading its 5xx rate
 * on the simulated users' traffic, as `npm start` sends it) rolls back a release that passed its
 * health checks but fails a fifth of its requests. The README's demo of a manual rollback after
 * a failed push (never back onto the release that failed) runs on the same configuration in
 * test/dashboard/dashboardDemo.test.ts, on the page and through the API.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ControllableClock } from '../../devhost/clock';
import { startLocalStack, type LocalStack } from '../../devhost/localStack/localStack';
import { ENTRY, QUIET_TIMERS, REPO_ROOT, stepOutcomes, waitForDeploymentOf, waitForPhase, waitUntilIdle } from './scenarioKit';

const SHIPPED = path.join(REPO_ROOT, 'config', 'apps.json');

async function servingOf(stack: LocalStack, app: string): Promise<{ revisionName: string; digest?: string }> {
  const { body } = await stack.api('GET', `/apps/${app}/releases`);
  return body.serving;
}

async function releasesOf(stack: LocalStack, app: string): Promise<any[]> {
  const { body } = await stack.api('GET', `/apps/${app}/releases`);
  return body.releases;
}

describe('the shipped config/apps.json under bad releases', () => {
  let stack: LocalStack;
  // The orchestrations' time: Wednesday 2 December 2026, 10:00 in Oslo, inside the Grocery Planner pair's deploy window.
  const clock = new ControllableClock(new Date('2026-12-02T09:00:00Z'));

  beforeAll(async () => {
    stack = await startLocalStack({
      entry: ENTRY,
      configPath: SHIPPED,
      stateDir: mkdtempSync(path.join(tmpdir(), 'hm-shipped-')),
      hubName: `shipped${Date.now().toString(36)}`,
      log: () => undefined,
      // The app's own log (pino on stdout) would interleave with jest's report: warnings and errors only.
      settings: { ...QUIET_TIMERS, HARBORMASTER_LOG_LEVEL: 'warn' },
      // What `npm start` sends (SIM_USER_RPS default): sound-forge's analysis needs traffic to judge.
      userTraffic: { requestsPerSecond: 2 },
      clock,
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts honest: databases await their first backup, and every list endpoint refuses a bad query naming the parameter', async () => {
    const { body: status } = await stack.api('GET', '/status');
    expect(status.databases.map((d: any) => [d.database, d.freshness])).toEqual(stack.apps.databases.map((d) => [d.name, 'awaiting-first-backup']));
    await stack.devhost.fire('healthSweep');
    for (const app of stack.apps.apps.filter((a) => a.database)) {
      const { body } = await stack.api('GET', `/apps/${app.name}/health?limit=1`);
      const backupAge = body.current.signals.find((s: any) => s.name === 'backup-age');
      expect({ app: app.name, status: backupAge.status, reason: backupAge.reason }).toEqual({ app: app.name, status: 'ok', reason: expect.stringMatching(/^awaiting-first-backup/) });
    }
    const refused: Array<[string, string]> = [
      ['/status?verbose=1', 'verbose'],
      ['/deployments?status=bogus', 'status'],
      ['/deployments?app=nope', 'app'],
      ['/deployments?limit=0', 'limit'],
      ['/deployments?continuationToken=not-a-token', 'continuationToken'],
      ['/events?limit=101', 'limit'],
      ['/backups?database=nope', 'database'],
      ['/apps/sound-forge/health?limit=0', 'limit'],
      ['/apps/sound-forge/releases?verbose=1', 'verbose'],
    ];
    for (const [route, field] of refused) {
      const { status: code, body } = await stack.api('GET', route);
      expect({ route, code, field: body.field, type: body.type }).toEqual({ route, code: 400, field, type: 'about:blank' });
    }
    // Paged: the shipped apps' seeded history fits one page; a page of one names the next.
    const { body: first } = await stack.api('GET', '/deployments?limit=1');
    expect(first.deployments.length).toBeLessThanOrEqual(1);
  }, 180_000);

  it('rolls every one of the seven apps back to the release it served before a crash-looping push', async () => {
    const apps = stack.apps.apps.map((a) => a.name);
    expect(apps).toHaveLength(7);
    const before = Object.fromEntries(await Promise.all(apps.map(async (app) => [app, await servingOf(stack, app)] as const)));
    // One push per image: media-web and media-worker follow the same repository.
    const pushed = new Map<string, string>();
    const tags: Record<string, string> = { 'sound-forge': '4.9.0', 'grocery-planner-web': 'main-900', 'grocery-planner-ai': 'main-900', 'media-web': '2.9.0', 'media-worker': '2.9.0', rachel: '0.1.9', raxol: 'stable' };
    for (const app of apps) {
      const config = stack.apps.apps.find((a) => a.name === app)!;
      const key = `${config.image.registry}/${config.image.repository}`;
      if (!pushed.has(key)) pushed.set(key, stack.push(app, tags[app], 'crash-loop').digest);
    }
    for (const app of apps) {
      const config = stack.apps.apps.find((a) => a.name === app)!;
      const digest = pushed.get(`${config.image.registry}/${config.image.repository}`)!;
      const deployment = await waitForDeploymentOf(stack, app, digest, 240_000);
      // On a mismatch the steps' details say why (they are left out when the phase is right).
      const why = deployment.phase === 'rolled-back' ? undefined : deployment.steps;
      expect({ app, phase: deployment.phase, why }).toEqual({ app, phase: 'rolled-back' });
      expect(stepOutcomes(deployment)).toMatchObject({ rollback: 'succeeded' });
      await waitUntilIdle(stack, app, 120_000);
      const serving = await servingOf(stack, app);
      // Serving the digest it served before (in single-revision mode, as a new revision re-applying it).
      expect({ app, digest: serving.digest }).toEqual({ app, digest: before[app].digest });
      const bad = (await releasesOf(stack, app)).find((r) => r.digest === digest);
      // A release group's member that never failed a check itself is rolled back with the one that did.
      const grouped = (stack.apps.groups ?? []).some((g) => g.apps.includes(app));
      expect({ app, verdict: bad.verdict }).toEqual({ app, verdict: grouped ? expect.stringMatching(/^(failed|rolled-back)$/) : 'failed' });
      if (grouped) expect(deployment).toMatchObject({ app: 'media', group: { members: ['media-worker', 'media-web'] } });
      const { body: status } = await stack.api('GET', `/apps/${app}`);
      expect(status.servingDigest).toBe(before[app].digest);
    }
  }, 600_000);

  it("rolls back during the bake a release that passed its health checks but fails a fifth of its requests (the README's demo)", async () => {
    const before = await servingOf(stack, 'sound-forge');
    const bad = stack.push('sound-forge', '4.4.0', 'errors-after-traffic');
    const ended = await waitForDeploymentOf(stack, 'sound-forge', bad.digest, 240_000);
    expect(ended.phase).toBe('rolled-back');
    expect(stepOutcomes(ended)).toMatchObject({ 'health-wait': 'succeeded', promote: 'succeeded', bake: 'failed', rollback: 'succeeded' });
    expect(ended.reason).toMatch(/^analysis failed \(bake\): error-rate: 1 of 1 measurements failed .*: 0\.\d+, \d+ of \d+ requests 5xx does not meet successCondition "value <= 0.05"/);
    const bake = (ended.analysis as any[]).find((r) => r.at === 'bake');
    expect(bake.measurements[0].value).toBeGreaterThan(0.05);
    await waitUntilIdle(stack, 'sound-forge', 120_000);
    expect((await servingOf(stack, 'sound-forge')).digest).toBe(before.digest);
    expect((await releasesOf(stack, 'sound-forge')).find((r) => r.digest === bad.digest).verdict).toBe('failed');
  }, 600_000);

  it("releases the media group as one deployment and holds the Grocery Planner pair to its window (the README's demo)", async () => {
    const media = stack.push('media-web', '2.10.0');
    const released = await waitForDeploymentOf(stack, 'media-worker', media.digest, 240_000);
    expect(released).toMatchObject({ app: 'media', phase: 'succeeded' });
    expect((released.steps as any[]).filter((s) => s.step === 'promote').map((s) => s.member)).toEqual(['media-worker', 'media-web']);
    await waitUntilIdle(stack, 'media-web', 120_000);

    clock.advanceBy(13 * 3_600_000); // Wednesday 23:00 in Oslo
    const ai = stack.push('grocery-planner-ai', 'main-950');
    const waiting = await waitForPhase(stack, 'grocery-planner-ai', ai.digest, 'waiting-for-window');
    expect(waiting.opensAt).toBe('2026-12-03T08:00:00.000Z');
    const { body: status } = await stack.api('GET', '/apps/grocery-planner-ai');
    expect(status.lastDeployment).toMatchObject({ phase: 'waiting-for-window', opensAt: '2026-12-03T08:00:00.000Z' });

    // The README's override: the waiting release goes now, and the record says who and why.
    const override = await stack.api('POST', '/apps/grocery-planner-ai/deploy', { tag: 'main-950', override: { reason: 'demo' } });
    expect(override.body).toMatchObject({ decision: 'duplicate', deploymentId: waiting.id });
    const deployed = await waitForDeploymentOf(stack, 'grocery-planner-ai', ai.digest, 240_000);
    expect(deployed.phase).toBe('succeeded');
    expect(deployed.steps.find((s: any) => s.step === 'window').detail).toMatch(/overridden by key:local-operator-key: demo \(outside the deploy window/);
  }, 600_000);
});
