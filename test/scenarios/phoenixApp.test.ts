/**
 * Sound Forge Alchemy: a Phoenix app whose release runs `bin/app eval
 * "Release.migrate()"` before the new image serves, with `/health` answering {"status":"ok"}.
 * Pushing the image is all a person does; Harbormaster does the runbook, including the
 * `pg_dump` the seed takes by hand before a migration.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { deploymentsOf, startScenarioStack, waitForDeploymentOf, waitUntilIdle, eventually } from './scenarioKit';

describe('a Phoenix app with an eval migration', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.apps.json');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('deploys a pushed release: verify, migrate, new revision at 0 %, health, 100 %', async () => {
    const { digest } = stack.push('phoenix', '1.1.0');
    const deployment = await waitForDeploymentOf(stack, 'phoenix', digest);

    expect(deployment.phase).toBe('succeeded');
    // The record says succeeded a moment before the finishing step updates the app's state.
    await waitUntilIdle(stack, 'phoenix');
    const steps = Object.fromEntries(deployment.steps.map((s: any) => [s.step, s.outcome]));
    expect(steps).toMatchObject({ verify: 'succeeded', backup: 'succeeded', migration: 'succeeded', deploy: 'succeeded', 'health-wait': 'succeeded', promote: 'succeeded' });

    const { body: app } = await stack.api('GET', '/apps/phoenix');
    expect(app.activeRevision).toBe(deployment.newRevision);
    expect(app.image).toBe(`scenarios.azurecr.io/phoenix@${digest}`);
    expect(app.traffic).toEqual([{ revisionName: deployment.newRevision, weight: 100 }]);
    expect(app.deployedDigest).toBe(digest);
  });

  it('backs the database up before the migration runs, through the backup job, verified', async () => {
    const deployments = await deploymentsOf(stack, 'phoenix');
    const deployment = deployments.find((d: any) => d.phase === 'succeeded');
    const backupStep = deployment.steps.find((s: any) => s.step === 'backup' && s.outcome === 'succeeded');
    const backupId = /backup (\S+) of phoenix-db/.exec(backupStep.detail)?.[1];
    expect(backupId).toBeDefined();

    const { status, body: backup } = await stack.api('GET', `/backups/${backupId}`);
    expect(status).toBe(200);
    expect(backup).toMatchObject({ database: 'phoenix-db', state: 'Complete', trigger: 'pre-migration', deploymentId: deployment.id });
    expect(backup.sizeBytes).toBeGreaterThan(0);
    // The dump was finished (and verified) before the migration job was started.
    const migrationStart = deployment.steps.find((s: any) => s.step === 'migration').startedAt;
    expect(Date.parse(backup.finishedAt)).toBeLessThanOrEqual(Date.parse(migrationStart));

    const { body: status2 } = await stack.api('GET', '/status');
    const db = (status2.databases as any[]).find((d) => d.database === 'phoenix-db');
    expect(db.newestVerifiedBackup).toMatchObject({ backupId, state: 'Complete' });

    // The health sweep reads the same record for its backup-age signal.
    await stack.devhost.fire('healthSweep');
    const { body: health } = await stack.api('GET', '/apps/phoenix/health?limit=1');
    const backupAge = (health.history[0].signals as any[]).find((s) => s.name === 'backup-age');
    expect(backupAge).toMatchObject({ status: 'ok' });
    expect(backupAge.reason).toMatch(/newest verified backup is \d+\.\d h old/);
  });

  it('rolls back an image whose health fails: traffic stays on the last good revision', async () => {
    const { body: before } = await stack.api('GET', '/apps/phoenix');
    const { digest } = stack.push('phoenix', '1.2.0', 'unhealthy');
    const deployment = await waitForDeploymentOf(stack, 'phoenix', digest);

    expect(deployment.phase).toBe('rolled-back');
    await waitUntilIdle(stack, 'phoenix');
    expect(deployment.reason).toMatch(/consecutive failed checks|unhealthy/);
    const { body: after } = await stack.api('GET', '/apps/phoenix');
    expect(after.activeRevision).toBe(before.activeRevision);
    expect(after.traffic).toEqual([{ revisionName: before.activeRevision, weight: 100 }]);
    const failed = (after.revisions as any[]).find((r) => r.name === deployment.newRevision);
    expect(failed.active).toBe(false);
  });

  it('tells the team: started, succeeded and rolled back', async () => {
    const messages = await eventually('notifications', async () => {
      const received = stack.simulator.notifications.received.filter((n) => n.channel === 'team-webhook');
      return received.length >= 4 ? received : undefined;
    });
    const events = messages.map((m) => (m.body as { event: string }).event);
    expect(events).toEqual(expect.arrayContaining(['deployment.started', 'deployment.succeeded', 'deployment.rolled-back']));
  });
});
