/**
 * The shipped configuration (config/apps.json, as `npm start` seeds it) under bad releases.
 * Every one of its seven apps, whatever its strategy and revision mode, ends a crash-looping
 * push serving the release it had before, with the bad release marked failed in the ledger;
 * and the README's demo of a manual rollback after a failed push never puts traffic back on
 * the release that failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ControllableClock } from '../../devhost/clock';
import { startLocalStack, type LocalStack } from '../../devhost/localStack/localStack';
import { ENTRY, QUIET_TIMERS, REPO_ROOT, eventually, stepOutcomes, waitForDeploymentOf, waitForPhase, waitUntilIdle } from './scenarioKit';

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
      settings: QUIET_TIMERS,
      clock,
    });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

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
      expect({ app, phase: deployment.phase }).toEqual({ app, phase: 'rolled-back' });
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

  it("never rolls back by hand onto the release that just failed (the README's demo)", async () => {
    const good = stack.push('sound-forge', '4.2.0');
    const promoted = await waitForDeploymentOf(stack, 'sound-forge', good.digest, 180_000);
    expect(promoted.phase).toBe('succeeded');
    await waitUntilIdle(stack, 'sound-forge', 120_000);
    const bad = stack.push('sound-forge', '4.3.0', 'unhealthy');
    const failed = await waitForDeploymentOf(stack, 'sound-forge', bad.digest, 180_000);
    expect(failed.phase).toBe('rolled-back');
    await waitUntilIdle(stack, 'sound-forge', 120_000);
    expect((await servingOf(stack, 'sound-forge')).digest).toBe(good.digest);

    const rolled = await stack.api('POST', '/apps/sound-forge/rollback', {});
    expect(rolled.status).toBe(202);
    expect(rolled.body).toMatchObject({ kind: 'rollback', paused: true });
    const releases = await releasesOf(stack, 'sound-forge');
    const failedRelease = releases.find((r) => r.digest === bad.digest);
    expect(rolled.body.to).not.toBe(failedRelease.revisionName);

    const rollback = await eventually('the rollback finished', async () => {
      const { body } = await stack.api('GET', `/deployments/${rolled.body.deploymentId}`);
      return body.phase === 'succeeded' || body.phase === 'failed' ? body : undefined;
    }, 120_000);
    expect(rollback).toMatchObject({ kind: 'rollback', phase: 'succeeded' });
    await waitUntilIdle(stack, 'sound-forge', 60_000);
    expect(stepOutcomes(rollback)).toMatchObject({ plan: 'succeeded', 'health-wait': 'succeeded', traffic: 'succeeded' });
    // 4.2.0 ran a migration that stays applied: the record names it and the backup to restore.
    expect(rollback.reason).toMatch(/4\.2\.0.*stays applied.*pre-migration backup/);

    const serving = await servingOf(stack, 'sound-forge');
    expect(serving.digest).not.toBe(bad.digest);
    expect(serving.digest).not.toBe(good.digest);
    const after = await releasesOf(stack, 'sound-forge');
    expect(after.find((r) => r.digest === good.digest).verdict).toBe('rolled-back');
    expect(after.find((r) => r.revisionName === serving.revisionName).verdict).toMatch(/baseline|verified|superseded|retired/);
    const { body: app } = await stack.api('GET', '/apps/sound-forge');
    expect(app.servingDigest).toBe(serving.digest);
    expect(app.deployedDigest).toBe(serving.digest);
    expect(app.paused).toMatchObject({ reason: 'manual rollback' });

    // The release rolled away from is refused by hand unless forced with a reason.
    const refused = await stack.api('POST', '/apps/sound-forge/rollback', { release: '4.3.0' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/failed.*force/);
    const unforced = await stack.api('POST', '/apps/sound-forge/rollback', { release: '4.3.0', force: true });
    expect(unforced.body).toMatchObject({ status: 400, field: 'reason' });
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
    const override = await stack.api('POST', '/apps/grocery-planner-ai/deploy', { tag: 'main-950', override: { reason: 'demo', by: 'readme' } });
    expect(override.body).toMatchObject({ decision: 'duplicate', deploymentId: waiting.id });
    const deployed = await waitForDeploymentOf(stack, 'grocery-planner-ai', ai.digest, 240_000);
    expect(deployed.phase).toBe('succeeded');
    expect(deployed.steps.find((s: any) => s.step === 'window').detail).toMatch(/overridden by readme: demo \(outside the deploy window/);
  }, 600_000);
});
