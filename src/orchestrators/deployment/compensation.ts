/**
 * The one way back. A deployment that fails after its deploy step (a failed check, a
 * rejection, an abort by a manual rollback) puts back what served before, through the
 * traffic gate, and only then records: a storage outage must not leave traffic on a failing
 * revision. Multiple mode routes back to the previous revision and deactivates the new one;
 * single-revision mode re-applies the previous release's image as a new revision (restoreLive.ts).
 */
import type { Task } from 'durable-functions';
import { ActivityNames as A, type RouteTrafficInput, type RouteTrafficResult, type SettleReleaseInput } from '../../domain/deployment';
import { activityFailureMessage } from '../activityFailure';
import { restoreLive } from './restoreLive';
import type { RolloutRun } from './rolloutRun';

export interface UndoOutcome {
  ok: boolean;
  detail: string;
}

export function* restorePrevious(run: RolloutRun): Generator<Task, UndoOutcome, unknown> {
  const { spec, deploymentId } = run.input;
  const { previousRevision, previousImage, newRevision } = run.facts;
  const gateCaller = { app: spec.app, deploymentId, containerApp: spec.containerApp, channels: spec.notify, restoring: true, at: run.now() };
  try {
    if (run.facts.mode === 'Single') {
      if (!previousRevision || !previousImage) return { ok: false, detail: 'no earlier release to restore (single-revision mode)' };
      const walk = yield* restoreLive(run, { revisionName: previousRevision, image: previousImage }, {
        healthInstanceId: (attempt) => (attempt === 0 ? `${deploymentId}:restore-health` : `${deploymentId}:restore-health-${attempt}`),
      });
      return { ok: walk.ok, detail: walk.detail };
    }
    if (previousRevision) {
      yield run.call(A.activateRevision, { containerApp: spec.containerApp, revisionName: previousRevision });
      const routed = (yield run.call(A.routeTraffic, { ...gateCaller, traffic: [{ revisionName: previousRevision, weight: 100 }] } satisfies RouteTrafficInput)) as RouteTrafficResult;
      if (!routed.ok) return { ok: false, detail: routed.reason };
    }
    if (newRevision) yield run.call(A.deactivateRevision, { containerApp: spec.containerApp, revisionName: newRevision });
    return { ok: true, detail: previousRevision ? `traffic on ${previousRevision}; ${newRevision} deactivated` : `${newRevision} deactivated` };
  } catch (error) {
    return { ok: false, detail: activityFailureMessage(error) };
  }
}

/**
 * What happens to the schema the failed release migrated, by the app's policy: `down` runs
 * the release's own down migration (once per release, after traffic moved back); otherwise
 * the schema stays and the record says so, with the backup to restore from.
 */
export function* afterMigration(run: RolloutRun): Generator<Task, string | undefined, unknown> {
  const { spec } = run.input;
  const { migrationExecution, newRevision, imageRef, backupId } = run.facts;
  if (!spec.migration || !migrationExecution || !newRevision) return undefined;
  if (spec.migration.rollback === 'down' && spec.migration.downCommand) {
    return yield* downMigration(run, { revisionName: newRevision, image: imageRef ?? '' });
  }
  return keepSchemaNote(run.input.image.tag ?? newRevision, migrationExecution, spec.database, backupId);
}

export function* downMigration(run: RolloutRun, release: { revisionName: string; image: string }): Generator<Task, string, unknown> {
  const { spec } = run.input;
  const migration = spec.migration!;
  yield run.step('down-migration', 'running', `${release.revisionName}: ${migration.downCommand!.join(' ')}`);
  let outcome: string;
  let executionName: string | undefined;
  try {
    const started = (yield run.call(A.startDownMigration, {
      app: spec.app,
      containerApp: spec.containerApp,
      jobName: migration.jobName,
      image: release.image,
      command: migration.downCommand!,
      revisionName: release.revisionName,
    })) as { ok: true; executionName: string };
    executionName = started.executionName;
    const deadline = run.nowMs() + migration.timeoutSeconds * 1000;
    let status = { status: 'Running', reason: undefined as string | undefined };
    while ((status.status === 'Running' || status.status === 'Processing' || status.status === 'Unknown') && run.nowMs() < deadline) {
      yield run.context.df.createTimer(new Date(run.nowMs() + Math.min(5_000, spec.health.intervalSeconds * 1000)));
      status = (yield run.call(A.getMigrationStatus, { containerApp: spec.containerApp, jobName: migration.jobName, executionName })) as typeof status;
    }
    outcome = status.status;
  } catch (error) {
    outcome = `Failed: ${activityFailureMessage(error)}`;
  }
  yield run.call(A.settleRelease, {
    app: spec.app,
    revisionName: release.revisionName,
    verdict: 'rolled-back',
    down: { executionName, outcome },
    at: run.now(),
  } satisfies SettleReleaseInput);
  const ok = outcome === 'Succeeded';
  yield run.step('down-migration', ok ? 'succeeded' : 'failed', `execution ${executionName ?? '(none)'} ${outcome}`);
  return ok ? `down migration of ${release.revisionName} ran (execution ${executionName})` : `DOWN MIGRATION of ${release.revisionName} ${outcome}: the schema may be ahead of the code`;
}

export function keepSchemaNote(release: string, executionName: string, database: string | undefined, backupId: string | undefined): string {
  const restore = database && backupId ? `; pre-migration backup ${backupId} (restore: npm run restore -- ${database} ${backupId} --target-env <VAR>)` : '';
  return `the migration of ${release} (execution ${executionName}) stays applied (migration.rollback keep-schema)${restore}`;
}
