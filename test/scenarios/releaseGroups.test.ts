/**
 * A release group on the whole local stack: media-worker and media-web run one image and
 * release together (the worker promoted first). One push is one group deployment with one
 * verify, one backup and one migration; a member that fails takes every member back, in
 * reverse order, through the traffic gate; a manual rollback of a member rolls back the group.
 * The worker never becoming ready, and the web app failing after the worker was promoted (its
 * promotion refused by ARM), are replay tests (test/orchestrators/groupDeployment), where the
 * latter takes milliseconds instead of a minute of the promote activity's retries.
 */
import { Agent, request } from 'undici';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { ARM_API_VERSION } from '../model/modelStack';
import { QUIET_TIMERS, eventually, recordTrafficChanges, startScenarioStack, waitForDeploymentOf, waitUntilIdle } from './scenarioKit';

describe('release groups (media-web + media-worker)', () => {
  let stack: LocalStack;
  let baseline: Record<string, string | undefined>;
  let initial: Record<string, string | undefined>;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.groups.json', { settings: { ...QUIET_TIMERS } });
    initial = { 'media-web': await servingDigest('media-web'), 'media-worker': await servingDigest('media-worker') };
    baseline = { ...initial };
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function servingDigest(app: string): Promise<string | undefined> {
    const { body } = await stack.api('GET', `/apps/${app}/releases`);
    return body.serving?.digest;
  }

  async function releaseOf(app: string, digest: string): Promise<any> {
    const { body } = await stack.api('GET', `/apps/${app}/releases`);
    return (body.releases as any[]).find((r) => r.digest === digest);
  }

  function stepsOf(deployment: any, member: string): Record<string, string> {
    return Object.fromEntries((deployment.steps as any[]).filter((s) => s.member === member).map((s) => [s.step, s.outcome]));
  }

  /** A GET of the simulated ARM, as the Azure SDK would send it. */
  async function armGet(app: string, suffix = ''): Promise<any> {
    const { containerApp } = stack.apps.apps.find((a) => a.name === app)!;
    const token = await stack.simulator.credential.getToken('https://management.azure.com/.default');
    const agent = new Agent({ connect: { ca: stack.simulator.caCertPem } });
    try {
      const path = `/subscriptions/${containerApp.subscriptionId}/resourceGroups/${containerApp.resourceGroup}/providers/Microsoft.App/containerApps/${containerApp.name}${suffix}`;
      const response = await request(`${stack.simulator.url}${path}?api-version=${ARM_API_VERSION}`, { dispatcher: agent, headers: { authorization: `Bearer ${token?.token ?? 'local'}` } });
      expect(response.statusCode).toBe(200);
      return await response.body.json();
    } finally {
      await agent.close();
    }
  }

  async function armActiveDigests(app: string): Promise<string[]> {
    const revisions = (await armGet(app, '/revisions')).value as any[];
    return revisions.filter((r) => r.properties?.active).map((r) => /sha256:[a-f0-9]{64}/.exec(r.properties?.template?.containers?.[0]?.image ?? '')?.[0] ?? '(no digest)');
  }

  async function armTraffic(app: string): Promise<Array<{ revisionName?: string; weight?: number }>> {
    const traffic = ((await armGet(app)).properties?.configuration?.ingress?.traffic ?? []) as any[];
    return traffic.filter((t) => (t.weight ?? 0) > 0).map((t) => ({ revisionName: t.revisionName, weight: t.weight }));
  }

  function migrationStarts(since: number): number {
    return stack.simulator.requests.slice(since).filter((r) => r.operation === 'Jobs_Start' && /media-migrate/.test(r.path) && r.status < 300).length;
  }

  it('releases a good push as one deployment: one verify, backup and migration, both members promoted in order', async () => {
    const since = stack.simulator.requests.length;
    const { digest } = stack.push('media-web', '2.1.0');
    const deployment = await waitForDeploymentOf(stack, 'media-web', digest, 120_000);
    expect(deployment).toMatchObject({ app: 'media', phase: 'succeeded', group: { name: 'media', members: ['media-worker', 'media-web'] } });
    // The worker's list shows the same one deployment.
    expect((await waitForDeploymentOf(stack, 'media-worker', digest)).id).toBe(deployment.id);

    const shared = (deployment.steps as any[]).filter((s) => !s.member).map((s) => [s.step, s.outcome]);
    expect(shared).toEqual([['verify', 'succeeded'], ['backup', 'succeeded'], ['migration', 'succeeded']]);
    expect(stepsOf(deployment, 'media-worker')).toMatchObject({ deploy: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });
    expect(stepsOf(deployment, 'media-web')).toMatchObject({ deploy: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });
    // The worker has no ingress: platform health only.
    expect(deployment.steps.find((s: any) => s.member === 'media-worker' && s.step === 'health-wait').detail).toMatch(/judged by platform state/);
    // Promoted in order: the worker before the web app, after both passed their gates.
    const promote = (member: string) => deployment.steps.find((s: any) => s.member === member && s.step === 'promote');
    const health = (member: string) => deployment.steps.find((s: any) => s.member === member && s.step === 'health-wait');
    expect(Date.parse(promote('media-worker').startedAt)).toBeGreaterThanOrEqual(Date.parse(health('media-web').endedAt));
    expect(Date.parse(promote('media-web').startedAt)).toBeGreaterThanOrEqual(Date.parse(promote('media-worker').endedAt));

    // One backup and one migration for the group's release.
    expect(migrationStarts(since)).toBe(1);
    const { body: backups } = await stack.api('GET', '/backups?database=media-db');
    // (taken by the member that declares the migration, under an id that ends in the group deployment's)
    expect((backups.backups as any[]).filter((b) => b.trigger === 'pre-migration' && String(b.deploymentId).endsWith(deployment.id))).toHaveLength(1);

    // The ledger marks the releases together.
    for (const app of ['media-web', 'media-worker']) {
      expect(await releaseOf(app, digest)).toMatchObject({ verdict: 'verified', group: { name: 'media', deploymentId: deployment.id } });
      expect(await servingDigest(app)).toBe(digest);
    }
    await waitUntilIdle(stack, 'media-web');
    baseline = { 'media-web': digest, 'media-worker': digest };
  }, 180_000);

  it('rolls the worker back too when the web app fails its health gate, in reverse order; while it runs, a member\'s rollback preview offers to abort it', async () => {
    const webServing = (await stack.api('GET', '/apps/media-web/releases')).body.serving.revisionName as string;
    const webTraffic = recordTrafficChanges(stack, 'media-web');
    // /health answers 503: the worker (platform health only) passes and serves, the web app fails its gate.
    const { digest } = stack.push('media-web', '2.3.0', 'unhealthy');
    // While it runs, a member's rollback preview says what the rollback would do: abort the group's deployment.
    const running = await eventually('the group deployment running', async () => {
      const { body } = await stack.api('GET', '/apps/media-worker/rollback/preview');
      return body.action === 'abort' && body.running?.digest === digest ? body : undefined;
    });
    expect(running).toMatchObject({ app: 'media-worker', group: 'media', action: 'abort', pausesAutomaticDeploys: true });
    const deployment = await waitForDeploymentOf(stack, 'media-web', digest, 120_000);
    expect(running.running.deploymentId).toBe(deployment.id);
    expect(deployment.phase).toBe('rolled-back');
    expect(stepsOf(deployment, 'media-worker')).toMatchObject({ deploy: 'succeeded', 'health-wait': 'succeeded', rollback: 'succeeded' });
    expect(stepsOf(deployment, 'media-web')).toMatchObject({ 'health-wait': 'failed', rollback: 'succeeded' });
    expect(deployment.reason).toMatch(/^media-web: /);
    // Reverse order: the web app goes back first, then the worker.
    const rollbacks = (deployment.steps as any[]).filter((s) => s.step === 'rollback').map((s) => s.member);
    expect(rollbacks).toEqual(['media-web', 'media-worker']);
    expect(await releaseOf('media-web', digest)).toMatchObject({ verdict: 'failed' });
    expect(await releaseOf('media-worker', digest)).toMatchObject({ verdict: 'rolled-back', reason: expect.stringMatching(/group media rolled back: media-web/) });
    // The web app's failed release never got traffic.
    const webRevision = (await releaseOf('media-web', digest)).revisionName;
    expect(webTraffic.flatMap((c) => c.traffic).filter((t) => t.revisionName === webRevision && (t.weight ?? 0) > 0)).toEqual([]);
    await waitUntilIdle(stack, 'media-web');
    for (const app of ['media-web', 'media-worker']) expect(await servingDigest(app)).toBe(baseline[app]);
    // At ARM: the worker's one active revision runs its previous image again; the web app's traffic is all on what served.
    expect(await armActiveDigests('media-worker')).toEqual([baseline['media-worker']]);
    expect(await armTraffic('media-web')).toEqual([{ revisionName: webServing, weight: 100 }]);
  }, 180_000);

  it('rolls the whole group back when a person rolls back one member', async () => {
    // The preview answers for the group: every member's from and to, in the order the rollbacks start.
    const { status: previewStatus, body: preview } = await stack.api('GET', '/apps/media-worker/rollback/preview');
    expect(previewStatus).toBe(200);
    expect(preview).toMatchObject({ app: 'media-worker', group: 'media', action: 'rollback', pausesAutomaticDeploys: true });
    expect((preview.members as any[]).map((m) => m.app)).toEqual(['media-web', 'media-worker']);
    for (const member of preview.members as any[]) expect(member).toMatchObject({ from: { digest: baseline[member.app] }, to: { digest: initial[member.app] } });
    // The asked member's own plan stays at the top, as for a single app.
    expect(preview.to).toEqual((preview.members as any[]).find((m) => m.app === 'media-worker').to);
    expect(await stack.api('GET', '/apps/media-web/rollback/preview?revision=media-web--x')).toMatchObject({ status: 409, body: { field: 'revision' } });

    const rolled = await stack.api('POST', '/apps/media-worker/rollback', { reason: 'media 2.1.0 corrupts thumbnails' });
    expect(rolled.status).toBe(202);
    expect(rolled.body).toMatchObject({ group: 'media', kind: 'rollback', paused: true });
    expect((rolled.body.rollbacks as any[]).map((r) => r.app)).toEqual(['media-web', 'media-worker']);
    expect((rolled.body.rollbacks as any[]).map((r) => [r.from, r.to])).toEqual((preview.members as any[]).map((m) => [m.from.revisionName, m.to.revisionName]));
    for (const { deploymentId } of rolled.body.rollbacks as any[]) {
      const done = await eventually(`rollback ${deploymentId}`, async () => {
        const { body } = await stack.api('GET', `/deployments/${deploymentId}`);
        return body.phase === 'succeeded' || body.phase === 'failed' ? body : undefined;
      }, 90_000);
      expect(done).toMatchObject({ kind: 'rollback', phase: 'succeeded' });
    }
    for (const { app, from } of rolled.body.rollbacks as any[]) {
      expect(await servingDigest(app)).toBe(initial[app]);
      const { body } = await stack.api('GET', `/apps/${app}/releases`);
      expect((body.releases as any[]).find((r) => r.revisionName === from)).toMatchObject({ digest: baseline[app], verdict: 'rolled-back' });
    }
    // Automatic deploys of the group are paused until resumed.
    const { body: status } = await stack.api('GET', '/apps/media-web');
    expect(status.group).toMatchObject({ name: 'media', paused: { reason: 'media 2.1.0 corrupts thumbnails' } });
    expect((await stack.api('POST', '/groups/media/resume')).status).toBe(200);
  }, 180_000);
});
