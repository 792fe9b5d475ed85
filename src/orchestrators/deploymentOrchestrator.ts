/**
 * One deployment of one image to one app: verify → backup → migrate → deploy →
 * health-wait → (approval) → promote, or roll back to the last good revision.
 *
 * Deterministic: time comes from `context.df.currentUtcDateTime`, waiting from durable
 * timers, everything that touches the world is an activity. Every step that changes the
 * world pushes its undo onto a compensation stack; a failure after deploy runs the undos.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, RetryOptions, Task } from 'durable-functions';
import {
  ActivityNames as A,
  ApprovalEventName,
  OrchestratorNames,
  keepPreviousMinutes,
  pinnedImage,
  revisionSuffixFor,
  splitFor,
  trafficStepsFor,
  type CheckRollbackTargetResult,
  type DeployRevisionResult,
  type DeploymentInput,
  type DeploymentPhase,
  type FinishDeploymentResult,
  type HealthWaitInput,
  type HealthWaitResult,
  type InspectAppResult,
  type MigrationStatus,
  type NotifyDeploymentInput,
  type RecordDeploymentInput,
  type StartMigrationResult,
  type StepName,
  type StepOutcome,
  type VerifyImageResult,
} from '../domain/deployment';
import { activityFailureMessage } from './activityFailure';
import { BackupOrchestratorNames, type BackupOrchestrationInput, type BackupOrchestrationResult } from '../domain/backup';

/**
 * A deployment waits on its pre-migration backup, so it is polled more often than a scheduled
 * one (which backs off to a minute); the deadline stays the backup's own.
 */
const PRE_MIGRATION_BACKUP_TIMING = { minPollSeconds: 2, maxPollSeconds: 15 } as const;

/** Transient failures (ARM 429/5xx after the SDK's own retries, timeouts) get a few more tries. */
function armRetry(): RetryOptions {
  const retry = new df.RetryOptions(2_000, 5);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 30_000;
  return retry;
}

/** Raised inside the orchestration to stop the pipeline with a recorded reason. */
class DeploymentStopped extends Error {
  constructor(readonly phase: DeploymentPhase, readonly step: StepName, reason: string) {
    super(reason);
  }
}

export const deploymentOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, unknown, unknown> {
  const input = context.df.getInput() as DeploymentInput;
  const { deploymentId, spec, image } = input;
  const target = spec.containerApp;
  const retry = armRetry();
  const now = (): string => context.df.currentUtcDateTime.toISOString();

  const record = (fields: Omit<RecordDeploymentInput, 'deploymentId' | 'app' | 'at'>): Task =>
    context.df.callActivityWithRetry(A.recordDeployment, retry, { deploymentId, app: spec.app, at: now(), ...fields } satisfies RecordDeploymentInput);
  const step = (name: StepName, outcome: StepOutcome, detail?: string, phase?: DeploymentPhase): Task => record({ step: { name, outcome, detail }, phase });
  const notify = (event: NotifyDeploymentInput['event'], reason?: string): Task =>
    context.df.callActivity(A.notifyDeployment, { deploymentId, app: spec.app, channels: spec.notify, event, image, reason } satisfies NotifyDeploymentInput);

  /** Undo actions for what changed the world, newest first when run. */
  const compensations: Array<{ describe: string; run: () => Generator<Task, void, unknown> }> = [];
  let phase: DeploymentPhase = 'verifying';
  let previousRevision: string | undefined;
  let newRevision: string | undefined;

  try {
    yield notify('started');

    // 1. build-verify: a webhook is a hint; the registry is the truth.
    yield step('verify', 'running', undefined, 'verifying');
    const verified = (yield context.df.callActivityWithRetry(A.verifyImage, retry, {
      image,
      platform: spec.platform,
      maxSizeBytes: spec.maxSizeBytes,
    })) as VerifyImageResult;
    if (!verified.ok) throw new DeploymentStopped('failed', 'verify', verified.reason);
    yield step('verify', 'succeeded', `${verified.digest} (${verified.platforms.join(', ')}; ${verified.sizeBytes} bytes)`);
    const imageRef = pinnedImage({ ...image, digest: verified.digest });

    // 2. pre-migration backup.
    phase = 'backing-up';
    if (spec.database && spec.migration) {
      // The backup orchestration, as a sub-orchestration with an id derived from this one: a
      // replay or restart finds it in history instead of starting a second backup. When a backup
      // of the database is already running (its schedule, a manual request) this one joins it:
      // that backup was taken before this migration too.
      yield step('backup', 'running', `database ${spec.database}`, 'backing-up');
      const backup = (yield context.df.callSubOrchestrator(
        BackupOrchestratorNames.backup,
        { database: spec.database, trigger: 'pre-migration', deploymentId, timing: PRE_MIGRATION_BACKUP_TIMING } satisfies BackupOrchestrationInput,
        `${context.df.instanceId}:backup`,
      )) as BackupOrchestrationResult;
      if (backup.state !== 'Complete') {
        throw new DeploymentStopped('failed', 'backup', `backup ${backup.backupId} of ${spec.database} ${backup.state}${backup.reason ? `: ${backup.reason}` : ''}`);
      }
      yield step('backup', 'succeeded', `backup ${backup.backupId} of ${spec.database}${backup.joined ? ' (joined the backup already running)' : ''}`);
    } else {
      yield step('backup', 'skipped', spec.database ? 'no migration configured' : 'no database configured');
    }

    // 3. migration: a failure stops the deployment before any traffic changes.
    phase = 'migrating';
    if (spec.migration) {
      yield step('migration', 'running', `job ${spec.migration.jobName}`, 'migrating');
      const started = (yield context.df.callActivityWithRetry(A.startMigration, retry, {
        deploymentId,
        containerApp: target,
        jobName: spec.migration.jobName,
        image: imageRef,
        command: spec.migration.command,
      })) as StartMigrationResult;
      if (!started.ok) throw new DeploymentStopped('failed', 'migration', started.reason);
      const deadline = context.df.currentUtcDateTime.getTime() + spec.migration.timeoutSeconds * 1000;
      let status: MigrationStatus = { status: 'Running' };
      while (status.status === 'Running' || status.status === 'Processing' || status.status === 'Unknown') {
        if (context.df.currentUtcDateTime.getTime() >= deadline) {
          throw new DeploymentStopped('failed', 'migration', `execution ${started.executionName} did not finish within ${spec.migration.timeoutSeconds} s`);
        }
        yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + Math.min(5_000, spec.health.intervalSeconds * 1000)));
        status = (yield context.df.callActivityWithRetry(A.getMigrationStatus, retry, {
          containerApp: target,
          jobName: spec.migration.jobName,
          executionName: started.executionName,
        })) as MigrationStatus;
      }
      if (status.status !== 'Succeeded') {
        throw new DeploymentStopped('failed', 'migration', `execution ${started.executionName} ${status.status}${status.reason ? `: ${status.reason}` : ''}`);
      }
      yield step('migration', 'succeeded', `execution ${started.executionName}`);
    } else {
      yield step('migration', 'skipped', 'no migration configured');
    }

    // 4. deploy a new revision, pinned by digest, at 0 % in Multiple mode.
    phase = 'deploying';
    yield step('deploy', 'running', undefined, 'deploying');
    const app = (yield context.df.callActivityWithRetry(A.inspectApp, retry, { containerApp: target })) as InspectAppResult;
    previousRevision = app.currentRevision;
    const deployed = (yield context.df.callActivityWithRetry(A.deployRevision, retry, {
      containerApp: target,
      image: imageRef,
      revisionSuffix: revisionSuffixFor(deploymentId, verified.digest),
      pinTrafficTo: app.activeRevisionsMode === 'Multiple' ? previousRevision : undefined,
    })) as DeployRevisionResult;
    newRevision = deployed.revisionName;
    const failedRevision = newRevision;
    const rollbackTo = previousRevision;
    compensations.push({
      describe: rollbackTo ? `traffic back to ${rollbackTo}, ${failedRevision} deactivated` : `${failedRevision} deactivated`,
      run: function* () {
        if (rollbackTo) {
          yield context.df.callActivityWithRetry(A.activateRevision, retry, { containerApp: target, revisionName: rollbackTo });
          if (app.activeRevisionsMode === 'Multiple') {
            yield context.df.callActivityWithRetry(A.setTraffic, retry, { containerApp: target, traffic: [{ revisionName: rollbackTo, weight: 100 }] });
          }
        }
        yield context.df.callActivityWithRetry(A.deactivateRevision, retry, { containerApp: target, revisionName: failedRevision });
      },
    });
    yield record({ step: { name: 'deploy', outcome: 'succeeded', detail: `${newRevision} running ${imageRef}` }, previousRevision, newRevision });

    // 5. health-wait, bounded history (its own orchestration, continued as new).
    phase = 'health-waiting';
    yield step('health-wait', 'running', undefined, 'health-waiting');
    const health = (yield context.df.callSubOrchestrator(OrchestratorNames.healthWait, {
      spec,
      revisionName: newRevision,
      fqdn: deployed.fqdn,
    } satisfies HealthWaitInput, `${deploymentId}:health`)) as HealthWaitResult;
    if (health.verdict !== 'passed') throw new DeploymentStopped('rolled-back', 'health-wait', health.reason);
    yield step('health-wait', 'succeeded', health.reason);

    // 6. approval gate; health keeps being checked while a person decides.
    if (spec.approval.required) {
      phase = 'awaiting-approval';
      yield step('approval', 'running', `waiting up to ${spec.approval.timeoutMinutes} min`, 'awaiting-approval');
      yield notify('awaiting-approval');
      const approvalDeadline = new Date(context.df.currentUtcDateTime.getTime() + spec.approval.timeoutMinutes * 60_000);
      const approval = context.df.waitForExternalEvent(ApprovalEventName);
      let decided: { approved: boolean; by?: string } | undefined;
      while (!decided) {
        if (context.df.currentUtcDateTime.getTime() >= approvalDeadline.getTime()) {
          throw new DeploymentStopped('rolled-back', 'approval', `no approval within ${spec.approval.timeoutMinutes} min`);
        }
        const checkAt = new Date(Math.min(approvalDeadline.getTime(), context.df.currentUtcDateTime.getTime() + spec.health.intervalSeconds * 1000));
        const tick = context.df.createTimer(checkAt);
        const winner = (yield context.df.Task.any([approval, tick])) as Task;
        if (winner === approval) {
          tick.cancel();
          decided = approval.result as { approved: boolean; by?: string };
          break;
        }
        const recheck = (yield context.df.callSubOrchestrator(OrchestratorNames.healthWait, {
          spec,
          revisionName: newRevision,
          fqdn: deployed.fqdn,
          successThreshold: 1,
        } satisfies HealthWaitInput, `${deploymentId}:approval-health:${context.df.currentUtcDateTime.getTime()}`)) as HealthWaitResult;
        if (recheck.verdict !== 'passed') throw new DeploymentStopped('rolled-back', 'approval', `health failed while waiting for approval: ${recheck.reason}`);
      }
      if (!decided.approved) throw new DeploymentStopped('rejected', 'approval', `rejected${decided.by ? ` by ${decided.by}` : ''}`);
      yield step('approval', 'succeeded', `approved${decided.by ? ` by ${decided.by}` : ''}`);
    }

    // 7. promote: only with a usable way back.
    phase = 'promoting';
    yield step('promote', 'running', undefined, 'promoting');
    if (previousRevision) {
      const usable = (yield context.df.callActivityWithRetry(A.checkRollbackTarget, retry, {
        containerApp: target,
        revisionName: previousRevision,
        keepInactive: app.activeRevisionsMode !== 'Multiple',
      })) as CheckRollbackTargetResult;
      if (!usable.ok) throw new DeploymentStopped('rolled-back', 'promote', `rollback target ${previousRevision} unusable: ${usable.reason}`);
    }
    if (app.activeRevisionsMode === 'Multiple') {
      for (const trafficStep of trafficStepsFor(spec.strategy)) {
        yield context.df.callActivityWithRetry(A.setTraffic, retry, { containerApp: target, traffic: splitFor(newRevision, previousRevision, trafficStep.newWeight) });
        if (trafficStep.watchSeconds > 0) {
          yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + trafficStep.watchSeconds * 1000));
          const stepHealth = (yield context.df.callSubOrchestrator(OrchestratorNames.healthWait, {
            spec,
            revisionName: newRevision,
            fqdn: deployed.fqdn,
            successThreshold: 1,
          } satisfies HealthWaitInput, `${deploymentId}:canary-${trafficStep.newWeight}`)) as HealthWaitResult;
          if (stepHealth.verdict !== 'passed') throw new DeploymentStopped('rolled-back', 'promote', `at ${trafficStep.newWeight} %: ${stepHealth.reason}`);
        }
      }
    }
    yield step('promote', 'succeeded', `100 % on ${newRevision}`, 'succeeded');
    yield notify('succeeded');
    phase = 'succeeded';

  } catch (error) {
    const stopped = error instanceof DeploymentStopped ? error : new DeploymentStopped(compensations.length > 0 ? 'rolled-back' : 'failed', stepOf(phase), activityFailureMessage(error));
    let reason = stopped.message;
    yield step(stopped.step, 'failed', stopped.message);
    if (compensations.length > 0) {
      yield step('rollback', 'running', compensations.map((c) => c.describe).join('; '), 'rolling-back');
      try {
        while (compensations.length > 0) {
          const undo = compensations.pop();
          if (undo) yield* undo.run();
        }
        yield step('rollback', 'succeeded', previousRevision ? `traffic on ${previousRevision}` : 'new revision deactivated');
        phase = stopped.phase === 'rejected' ? 'rejected' : 'rolled-back';
      } catch (rollbackError) {
        // Loud: the app may be serving from a revision that failed its checks.
        phase = 'failed';
        reason = `ROLLBACK FAILED (${activityFailureMessage(rollbackError)}) after: ${stopped.message}`;
        yield step('rollback', 'failed', reason);
      }
    } else {
      phase = stopped.phase === 'rejected' ? 'rejected' : 'failed';
    }
    yield record({ phase, reason });
    yield notify(phase === 'failed' || phase === 'rejected' ? 'failed' : 'rolled-back', reason);
  }

  const finished = (yield context.df.callActivityWithRetry(A.finishDeployment, retry, {
    deploymentId,
    app: spec.app,
    phase,
    digest: image.digest,
  })) as FinishDeploymentResult;

  // The previous revision stayed active for a fast rollback; retire it once the window
  // passes (only if nothing routes to it by then: a person may have rolled back to it).
  const keepMinutes = keepPreviousMinutes(spec.strategy);
  if (phase === 'succeeded' && previousRevision && keepMinutes > 0) {
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + keepMinutes * 60_000));
    yield context.df.callActivityWithRetry(A.deactivateRevision, retry, { containerApp: target, revisionName: previousRevision, onlyIfIdle: true });
    yield step('retire-previous', 'succeeded', `${previousRevision} deactivated after ${keepMinutes} min`);
  }
  return { deploymentId, phase, previousRevision, newRevision, next: finished.nextDeploymentId };
};

function stepOf(phase: DeploymentPhase): StepName {
  switch (phase) {
    case 'verifying':
      return 'verify';
    case 'backing-up':
      return 'backup';
    case 'migrating':
      return 'migration';
    case 'deploying':
      return 'deploy';
    case 'health-waiting':
      return 'health-wait';
    case 'awaiting-approval':
      return 'approval';
    default:
      return 'promote';
  }
}
