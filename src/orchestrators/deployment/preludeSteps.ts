/**
 * The steps every deployment runs before traffic can move: verify the image, back up the
 * database, run the migration, create the new revision. None of them changes traffic; only
 * `deploy` changes the world in a way a failure must undo.
 */
import type { Task } from 'durable-functions';
import { BackupOrchestratorNames, type BackupOrchestrationInput, type BackupOrchestrationResult } from '../../domain/backup';
import {
  ActivityNames as A,
  pinnedImage,
  revisionSuffixFor,
  type DeployRevisionResult,
  type FindDeployedRevisionResult,
  type MigrationStatus,
  type DeployRevisionInput,
  type StartMigrationResult,
  type VerifyImageResult,
} from '../../domain/deployment';
import { compileRolloutTail } from '../../domain/rollout';
import { activityFailureMessage } from '../activityFailure';
import type { RolloutRun, StepResult } from './rolloutRun';

/**
 * A deployment waits on its pre-migration backup, so it is polled more often than a scheduled
 * one (which backs off to a minute); the deadline stays the backup's own.
 */
const PRE_MIGRATION_BACKUP_TIMING = { minPollSeconds: 2, maxPollSeconds: 15 } as const;

/** How long a migration stopped at its deadline may take to end before the deployment gives up waiting. */
const STOP_WAIT_POLLS = 24;

/** A webhook is a hint; the registry is the truth. */
export function* verifyStep(run: RolloutRun): Generator<Task, StepResult, unknown> {
  const { spec, image } = run.input;
  const verified = (yield run.call(A.verifyImage, { image, platform: spec.platform, maxSizeBytes: spec.maxSizeBytes })) as VerifyImageResult;
  if (!verified.ok) return { ok: false, reason: verified.reason };
  run.facts.digest = verified.digest;
  run.facts.imageRef = pinnedImage({ ...image, digest: verified.digest });
  return { ok: true, detail: `${verified.digest} (${verified.platforms.join(', ')}; ${verified.sizeBytes} bytes)` };
}

/**
 * The backup orchestration as a sub-orchestration with an id derived from this one: a replay
 * or restart finds it in history instead of starting a second backup. When a backup of the
 * database is already running (its schedule, a manual request) this one joins it.
 */
export function* backupStep(run: RolloutRun): Generator<Task, StepResult, unknown> {
  const { spec, deploymentId } = run.input;
  if (!spec.database || !spec.migration) throw new Error('backup step planned for an app without a database and a migration');
  const backup = (yield run.context.df.callSubOrchestrator(
    BackupOrchestratorNames.backup,
    { database: spec.database, trigger: 'pre-migration', deploymentId, timing: PRE_MIGRATION_BACKUP_TIMING } satisfies BackupOrchestrationInput,
    `${run.context.df.instanceId}:backup`,
  )) as BackupOrchestrationResult;
  if (backup.state !== 'Complete') {
    return { ok: false, reason: `backup ${backup.backupId} of ${spec.database} ${backup.state}${backup.reason ? `: ${backup.reason}` : ''}` };
  }
  run.facts.backupId = backup.backupId;
  return { ok: true, detail: `backup ${backup.backupId} of ${spec.database}${backup.joined ? ' (joined the backup already running)' : ''}` };
}

/**
 * The migration job runs the new image. A failure stops the deployment before any traffic
 * changes. At its deadline the execution is stopped and waited for: a migration must never
 * outlive its deployment and run beside the next one's.
 */
export function* migrateStep(run: RolloutRun): Generator<Task, StepResult, unknown> {
  const { spec, deploymentId } = run.input;
  const migration = spec.migration;
  if (!migration) throw new Error('migrate step planned for an app without a migration');
  const started = (yield run.call(A.startMigration, {
    deploymentId,
    containerApp: spec.containerApp,
    jobName: migration.jobName,
    image: run.facts.imageRef,
    command: migration.command,
  })) as StartMigrationResult;
  if (!started.ok) return { ok: false, reason: started.reason };
  run.facts.migrationExecution = started.executionName;
  const execution = { containerApp: spec.containerApp, jobName: migration.jobName, executionName: started.executionName };
  const deadline = run.nowMs() + migration.timeoutSeconds * 1000;
  const pollMs = Math.min(5_000, spec.health.intervalSeconds * 1000);
  let status: MigrationStatus = { status: 'Running' };
  while (isRunning(status)) {
    if (run.nowMs() >= deadline) {
      status = (yield run.call(A.stopMigration, execution)) as MigrationStatus;
      for (let poll = 0; isRunning(status) && poll < STOP_WAIT_POLLS; poll++) {
        yield run.context.df.createTimer(new Date(run.nowMs() + pollMs));
        status = (yield run.call(A.getMigrationStatus, execution)) as MigrationStatus;
      }
      return { ok: false, reason: `execution ${started.executionName} did not finish within ${migration.timeoutSeconds} s; stopped (${status.status})` };
    }
    yield run.context.df.createTimer(new Date(run.nowMs() + pollMs));
    status = (yield run.call(A.getMigrationStatus, execution)) as MigrationStatus;
  }
  if (status.status !== 'Succeeded') return { ok: false, reason: `execution ${started.executionName} ${status.status}${status.reason ? `: ${status.reason}` : ''}` };
  return { ok: true, detail: `execution ${started.executionName}` };
}

/**
 * A new revision pinned by digest: at 0 % in Multiple mode (traffic pinned to the serving
 * revision first), live at once in Single mode. The release goes into the ledger as
 * `pending`, and the rest of the rollout is compiled for the mode the app is in.
 */
export function* deployStep(run: RolloutRun): Generator<Task, StepResult, unknown> {
  const { spec, deploymentId, image } = run.input;
  const digest = run.facts.digest ?? image.digest;
  const input: DeployRevisionInput = {
    app: spec.app,
    deploymentId,
    containerApp: spec.containerApp,
    image: run.facts.imageRef ?? pinnedImage({ ...image, digest }),
    revisionSuffix: revisionSuffixFor(deploymentId, digest),
    // The release goes into the ledger as `pending` with the revision, in the same activity.
    release: {
      digest,
      tag: image.tag,
      migration: run.facts.migrationExecution ? { executionName: run.facts.migrationExecution, backupId: run.facts.backupId, database: spec.database } : undefined,
      ...(run.input.releaseGroup ? { group: run.input.releaseGroup } : {}),
    },
    at: run.now(),
  };
  let deployed: DeployRevisionResult;
  try {
    deployed = (yield run.call(A.deployRevision, input)) as DeployRevisionResult;
  } catch (error) {
    if ((run.input.rolloutVersion ?? 1) < 2) throw error;
    // ARM may have taken the write and only the answer was lost: in single-revision mode the new
    // revision then serves already. Found, it is undone like a failed check would be.
    const found = (yield run.call(A.findDeployedRevision, input)) as FindDeployedRevisionResult;
    if (!found.exists) throw error;
    learnDeployed(run, found);
    return { ok: false, deployed: true, reason: `${activityFailureMessage(error)} (${found.revisionName} was created${found.mode === 'Single' ? ' and serves' : ' at 0 %'})` };
  }
  learnDeployed(run, deployed);
  const live = deployed.mode === 'Single' ? ' (single-revision mode: live at once; health is judged on live traffic)' : ' at 0 %';
  return {
    ok: true,
    detail: `${deployed.revisionName} running ${run.facts.imageRef}${live}`,
    tail: compileRolloutTail(spec, deployed.mode),
    record: { previousRevision: deployed.previousRevision, newRevision: deployed.revisionName },
  };
}

function learnDeployed(run: RolloutRun, deployed: DeployRevisionResult): void {
  run.facts.mode = deployed.mode;
  run.facts.previousRevision = deployed.previousRevision;
  run.facts.previousImage = deployed.previousImage;
  run.facts.newRevision = deployed.revisionName;
  run.facts.fqdn = deployed.fqdn;
}

function isRunning(status: MigrationStatus): boolean {
  return status.status === 'Running' || status.status === 'Processing' || status.status === 'Unknown';
}

