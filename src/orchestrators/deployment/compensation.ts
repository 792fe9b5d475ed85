/**
 * The one way back. A deployment that fails after its deploy step (a failed check, a
 * rejection, an abort by a manual rollback) puts back what served before, through the
 * traffic gate, and only then records: a storage outage must not leave traffic on a failing
 * revision. Multiple mode routes back to the previous revision and deactivates the new one;
 * single-revision mode re-applies the previous release's image as a new revision (its health
 * is then judged on live traffic).
 */
import type { Task } from 'durable-functions';
import {
  ActivityNames as A,
  OrchestratorNames,
  restoreSuffixFor,
  type HealthWaitInput,
  type HealthWaitResult,
  type PlanRollbackInput,
  type PlanRollbackResult,
  type RecordReleaseInput,
  type RestoreReleaseInput,
  type RestoreReleaseResult,
  type RouteTrafficInput,
  type RouteTrafficResult,
  type SettleReleaseInput,
} from '../../domain/deployment';
import { digestOfImage, type ReleaseVerdict } from '../../domain/rollout';
import { activityFailureMessage } from '../activityFailure';
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
      return yield* restoreLive(run, previousRevision, previousImage);
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

/** How many releases a single-revision compensation tries, newest first, before it gives up. */
const MAX_RESTORES = 3;

/**
 * Single-revision mode: re-apply a release's image as a new revision, live once ready, and judge
 * it on live traffic. A release that fails there is not a safe place any more: it is marked
 * `failed`, and the next safe release in the ledger is tried, so an app is not left serving a
 * release that just failed its checks while an older good one exists.
 */
function* restoreLive(run: RolloutRun, firstRevision: string, firstImage: string): Generator<Task, UndoOutcome, unknown> {
  const { spec, deploymentId } = run.input;
  const failures: string[] = [];
  let restores = firstRevision;
  let image = firstImage;
  for (let attempt = 0; ; attempt++) {
    const digest = digestOfImage(image) ?? '';
    const restored = (yield run.call(A.restoreRelease, {
      app: spec.app,
      deploymentId,
      containerApp: spec.containerApp,
      channels: spec.notify,
      restoring: true,
      at: run.now(),
      restores,
      image,
      revisionSuffix: restoreSuffixFor(deploymentId, digest),
    } satisfies RestoreReleaseInput)) as RestoreReleaseResult;
    if (!restored.ok) return { ok: false, detail: [...failures, restored.reason].join('; ') };
    yield run.call(A.recordRelease, { app: spec.app, revisionName: restored.revisionName, image, digest, deploymentId, restoredFrom: restores, at: run.now() } satisfies RecordReleaseInput);
    const health = (yield run.context.df.callSubOrchestrator(
      OrchestratorNames.healthWait,
      { spec, revisionName: restored.revisionName, fqdn: restored.fqdn } satisfies HealthWaitInput,
      attempt === 0 ? `${deploymentId}:restore-health` : `${deploymentId}:restore-health-${attempt}`,
    )) as HealthWaitResult;
    yield* settle(run, restored.revisionName, health.verdict === 'passed' ? 'verified' : 'failed', `restores ${restores}: ${health.reason}`, ['pending']);
    const detail = `${restored.revisionName} re-applies ${restores}'s image (single-revision mode); health-wait ran on live traffic: ${health.reason}`;
    if (health.verdict === 'passed') return { ok: true, detail: [...failures, detail].join('; ') };
    failures.push(detail);
    // It failed on live traffic: no longer a rollback target, for this compensation or anyone's.
    yield* settle(run, restores, 'failed', `re-applied as ${restored.revisionName} by ${deploymentId} and failed on live traffic: ${health.reason}`, ['verified', 'baseline', 'superseded', 'retired']);
    if (attempt + 1 >= MAX_RESTORES) return { ok: false, detail: failures.join('; ') };
    const next = (yield run.call(A.planRollback, { app: spec.app, request: {} } satisfies PlanRollbackInput)) as PlanRollbackResult;
    if (!next.ok || !next.target.image) return { ok: false, detail: [...failures, next.ok ? `${next.target.revisionName} has no recorded image` : next.reason].join('; ') };
    restores = next.target.revisionName;
    image = next.target.image;
  }
}

export function* settle(run: RolloutRun, revisionName: string, verdict: ReleaseVerdict, reason: string | undefined, only?: ReleaseVerdict[]): Generator<Task, void, unknown> {
  yield settleTask(run, revisionName, verdict, reason, only);
}

/** The settle activity as a task, to run beside others in one `Task.all`. */
export function settleTask(run: RolloutRun, revisionName: string, verdict: ReleaseVerdict, reason: string | undefined, only?: ReleaseVerdict[]): Task {
  return run.call(A.settleRelease, { app: run.input.spec.app, revisionName, verdict, reason, only, at: run.now() } satisfies SettleReleaseInput);
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
