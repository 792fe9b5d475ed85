/**
 * One backup of one database, for every trigger (timer, POST /api/backups/{database}, and the
 * deployment pipeline's pre-migration step as a sub-orchestration):
 * claim the database (a second request JOINS the backup already running and waits for its
 * result), start the backup job's execution with the per-execution override, wait on durable
 * timers until the runner's record is terminal, the execution ends without one, or the deadline
 * passes; then fail it if needed (blob removed), release the claim and alert on failure.
 * Deterministic: time from currentUtcDateTime, ids derived from the instance id, no I/O.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import * as df from 'durable-functions';
import {
  BACKUP_DEADLINE_MINUTES,
  BACKUP_FIRST_POLL_SECONDS,
  BACKUP_POLL_SECONDS,
  BackupActivityNames as A,
  hexSuffixOf,
  judgeBackupWait,
  newBackupId,
  pollDelaySeconds,
  RECORD_GRACE_SECONDS,
  type BackupOrchestrationInput,
  type BackupOrchestrationResult,
  type BackupProgress,
  type BackupState,
  type BackupTiming,
  type ClaimBackupResult,
  type StartBackupExecutionResult,
} from '../domain/backup';
import { activityFailureMessage } from './activityFailure';

export const backupOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, BackupOrchestrationResult, unknown> {
  const input = context.df.getInput() as BackupOrchestrationInput;
  const startedAt = context.df.currentUtcDateTime;
  const backupId = input.backupId ?? newBackupId(startedAt, hexSuffixOf(context.df.instanceId));
  const retry = new df.RetryOptions(2_000, 4);
  retry.backoffCoefficient = 2;

  const claim = (yield context.df.callActivityWithRetry(A.claimBackup, retry, {
    database: input.database,
    backupId,
    trigger: input.trigger,
    deploymentId: input.deploymentId,
    ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
    at: startedAt.toISOString(),
  })) as ClaimBackupResult;
  if (claim.kind === 'unknown-database') return { backupId, state: 'Failed', reason: claim.reason };
  if (claim.kind === 'joined') {
    if (!context.df.isReplaying) context.log(`backup of ${input.database}: joining ${claim.backupId}, already running`);
    const outcome = yield* waitForRecord(context, input.database, claim.backupId, undefined, input.timing, retry);
    return { backupId: claim.backupId, joined: true, ...outcome };
  }

  let outcome: { state: BackupState; reason?: string };
  let started: StartBackupExecutionResult;
  try {
    started = (yield context.df.callActivityWithRetry(A.startBackupExecution, retry, {
      database: input.database,
      backupId,
      trigger: input.trigger,
      deploymentId: input.deploymentId,
    })) as StartBackupExecutionResult;
  } catch (error) {
    started = { ok: false, reason: `starting the backup job failed: ${activityFailureMessage(error)}` };
  }
  if (!started.ok) {
    outcome = { state: 'Failed', reason: started.reason };
  } else {
    outcome = yield* waitForRecord(context, input.database, backupId, started.executionName, input.timing, retry);
  }
  if (outcome.state === 'Failed') {
    yield context.df.callActivityWithRetry(A.failBackup, retry, { database: input.database, backupId, reason: outcome.reason ?? 'the backup failed' });
  }
  yield context.df.callActivityWithRetry(A.finishBackup, retry, { database: input.database, backupId, state: outcome.state, reason: outcome.reason, trigger: input.trigger });
  return { backupId, ...outcome };
};

function* waitForRecord(
  context: OrchestrationContext,
  database: string,
  backupId: string,
  executionName: string | undefined,
  timing: BackupTiming | undefined,
  retry: df.RetryOptions,
): Generator<Task, { state: BackupState; reason?: string }, unknown> {
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const deadlineMs = (timing?.deadlineMinutes ?? BACKUP_DEADLINE_MINUTES) * 60_000;
  const graceMs = (timing?.graceSeconds ?? RECORD_GRACE_SECONDS) * 1000;
  let executionEndedAt: string | undefined;
  for (let check = 0; ; check++) {
    const delay = pollDelaySeconds(check, timing?.minPollSeconds ?? BACKUP_FIRST_POLL_SECONDS, timing?.maxPollSeconds ?? BACKUP_POLL_SECONDS);
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay * 1000));
    const progress = (yield context.df.callActivityWithRetry(A.getBackupProgress, retry, { database, backupId, executionName })) as BackupProgress;
    const verdict = judgeBackupWait(
      {
        recordState: progress.state,
        recordTerminal: progress.state === 'Complete' || progress.state === 'Failed',
        executionStatus: progress.executionStatus,
        executionReason: progress.executionReason,
      },
      { startedAt, executionEndedAt, now: context.df.currentUtcDateTime, deadlineMs, graceMs },
    );
    if (verdict.verdict === 'done') return { state: progress.state as BackupState, reason: progress.reason };
    if (verdict.verdict === 'fail') return { state: 'Failed', reason: verdict.reason };
    executionEndedAt = verdict.executionEndedAt;
  }
}
