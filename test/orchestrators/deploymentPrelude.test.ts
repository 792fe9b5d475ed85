/**
 * The deployment orchestrator before any traffic moves, replayed against synthetic histories:
 * verify, backup, migration, deploy. A failure there stops the deployment with nothing to undo;
 * a deploy whose answer was lost after its revision was created is undone like a failed check.
 */
import { ActivityNames as A, OrchestratorNames } from '../../src/domain/deployment';
import { appDeployment } from './replay/deploymentInputs';
import { finalRecord, stepOutcomes, trafficRequests } from './replay/deploymentTrace';
import { fail, healthyWorld, stableRevisionOf } from './replay/healthyWorld';
import { replayOrchestration } from './replay/replayHarness';

const BOOKKEEPING = [A.recordDeployment, A.notifyDeployment];

describe('deployment prelude (replayed)', () => {
  it('a good push to a blue-green app: verify, deploy at 0 %, health, 100 %, promoted', async () => {
    const input = appDeployment('scenarios.failures.json', 'arm-bursts');
    const run = await replayOrchestration({ name: OrchestratorNames.deployment, input, activities: healthyWorld() });
    expect(run.status).toBe('completed');
    expect(run.output).toMatchObject({ phase: 'succeeded', previousRevision: stableRevisionOf('arm-bursts') });
    expect(run.trace.activityNames(BOOKKEEPING)).toEqual([
      A.verifyImage,
      A.startMigration,
      A.getMigrationStatus,
      A.deployRevision,
      A.probeRevision,
      A.probeRevision,
      A.routeTraffic,
      A.settleRelease,
      A.settleRelease,
      A.finishDeployment,
      'sweepApp',
    ]);
    expect(trafficRequests(run.trace)).toEqual([[{ revisionName: run.output.newRevision, weight: 100 }]]);
  });

  it('an image without the app\'s platform stops at verify: no migration, no revision, no traffic', async () => {
    const input = appDeployment('scenarios.failures.json', 'fail-platform');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.verifyImage]: () => ({ ok: false, reason: 'image has platforms [linux/arm64], app needs linux/amd64' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'failed' });
    expect(stepOutcomes(run.trace)).toEqual({ verify: 'failed' });
    expect(finalRecord(run.trace)).toEqual({ phase: 'failed', reason: 'image has platforms [linux/arm64], app needs linux/amd64' });
    expect(run.trace.activityNames(BOOKKEEPING)).toEqual([A.verifyImage, A.finishDeployment]);
  });

  it('a migration that fails stops the deployment before any revision or traffic changes', async () => {
    const input = appDeployment('scenarios.failures.json', 'fail-migrate');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ [A.getMigrationStatus]: () => ({ status: 'Failed', reason: 'exit code 3: relation "users" does not exist' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'failed', newRevision: undefined });
    expect(stepOutcomes(run.trace)).toMatchObject({ verify: 'succeeded', backup: 'skipped', migration: 'failed' });
    expect(stepOutcomes(run.trace)).not.toHaveProperty('deploy');
    expect(finalRecord(run.trace).reason).toBe('execution fail-migrate-job-exec1 Failed: exit code 3: relation "users" does not exist');
    // The migration ran the new image, pinned by digest.
    expect(run.trace.inputsOf(A.startMigration)).toEqual([expect.objectContaining({ jobName: 'fail-migrate-job', image: `${input.image.registry}/${input.image.repository}@${input.image.digest}` })]);
    expect(run.trace.ran(A.deployRevision)).toBe(false);
    expect(trafficRequests(run.trace)).toEqual([]);
  });

  it('a pre-migration backup that fails stops the deployment before the migration runs', async () => {
    const input = appDeployment('scenarios.failures.json', 'fail-backup');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld({ 'getBackupProgress': () => ({ state: 'Failed', reason: 'pg_dump: password authentication failed for user "harbormaster_nobody"', executionStatus: 'Failed' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'failed' });
    expect(stepOutcomes(run.trace)).toMatchObject({ verify: 'succeeded', backup: 'failed' });
    expect(stepOutcomes(run.trace)).not.toHaveProperty('migration');
    expect(finalRecord(run.trace).reason).toMatch(/^backup \S+ of broken-db Failed: pg_dump: password authentication failed/);
    // The backup is a sub-orchestration under an id derived from the deployment's (a replay finds it, never starts a second).
    expect(run.trace.subOrchestrations()).toEqual([expect.objectContaining({ name: 'backupOrchestrator', instanceId: 'replayed-instance:backup', input: expect.objectContaining({ database: 'broken-db', trigger: 'pre-migration', deploymentId: input.deploymentId }) })]);
    expect(run.trace.ran('failBackup')).toBe(true);
    expect(run.trace.ran(A.startMigration)).toBe(false);
    expect(run.trace.ran(A.deployRevision)).toBe(false);
  });

  it('a migration past its deadline is stopped, polled on durable timers until then, and nothing is deployed', async () => {
    const input = appDeployment('scenarios.rollback.json', 'hang-app');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      start: new Date('2026-03-02T10:00:00Z'),
      activities: healthyWorld({ [A.getMigrationStatus]: () => ({ status: 'Running' }), [A.stopMigration]: () => ({ status: 'Stopped' }) }),
    });
    expect(run.output).toMatchObject({ phase: 'failed' });
    expect(finalRecord(run.trace).reason).toBe('execution hang-app-migrate-exec1 did not finish within 8 s; stopped (Stopped)');
    expect(run.trace.inputsOf(A.stopMigration)).toHaveLength(1);
    // Polled every health interval (1 s) until the 8 s deadline, then stopped: time moved as it would.
    expect(run.trace.timers()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((s) => new Date(Date.parse('2026-03-02T10:00:00Z') + s * 1000).toISOString()));
    expect(run.trace.ran(A.deployRevision)).toBe(false);
  });

  it('a single-revision deploy that kept failing after ARM created the revision is found and rolled back', async () => {
    const input = appDeployment('scenarios.failures.json', 'lost-deploy');
    const run = await replayOrchestration({
      name: OrchestratorNames.deployment,
      input,
      activities: healthyWorld(
        {
          [A.deployRevision]: () => fail('ContainerAppsRevisions_GetRevision answered 404'),
          [A.findDeployedRevision]: (found) => ({
            exists: true,
            mode: 'Single',
            revisionName: `lost-deploy--${found.revisionSuffix}`,
            previousRevision: stableRevisionOf('lost-deploy'),
            previousImage: found.image.replace(/@sha256:.*/, '@sha256:' + '5'.repeat(64)),
          }),
        },
        { modes: { 'lost-deploy': 'Single' } },
      ),
    });
    expect(run.output).toMatchObject({ phase: 'rolled-back' });
    expect(stepOutcomes(run.trace)).toMatchObject({ deploy: 'failed', rollback: 'succeeded' });
    expect(finalRecord(run.trace).reason).toMatch(/^ContainerAppsRevisions_GetRevision answered 404 \(lost-deploy--hm-\S+ was created and serves\)$/);
    // Five tries of the deploy activity with the ARM retry back-off (2, 4, 8, 16 s) between them.
    expect(run.trace.activities(A.deployRevision).map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5]);
    const tries = run.trace.activities(A.deployRevision).map((e) => Date.parse(e.at));
    expect(tries.slice(1).map((t, i) => (t - tries[i]) / 1000)).toEqual([2, 4, 8, 16]);
    // Single-revision mode: the previous release's image is applied again and judged on live traffic.
    expect(run.trace.inputsOf(A.restoreRelease)).toEqual([expect.objectContaining({ restores: stableRevisionOf('lost-deploy'), restoring: true })]);
    expect(run.trace.subOrchestrations(OrchestratorNames.healthWait).map((s) => s.instanceId)).toEqual([`${input.deploymentId}:restore-health`]);
    expect(trafficRequests(run.trace)).toEqual([]);
  });
});
