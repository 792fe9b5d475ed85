/**
 * A restore drill of one database: pick its newest verified backup and run the backup job in
 * drill mode (restore into a scratch database, compare row counts per table), wait for the
 * drill record on durable timers, and alert when the drill fails or never reports.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import * as df from 'durable-functions';
import {
  BACKUP_DEADLINE_MINUTES,
  BACKUP_FIRST_POLL_SECONDS,
  BACKUP_POLL_SECONDS,
  BackupActivityNames as A,
  judgeBackupWait,
  pollDelaySeconds,
  RECORD_GRACE_SECONDS,
  type BackupDrillInput,
  type BackupDrillResult,
  type DrillProgress,
  type DrillState,
  type PrepareDrillResult,
} from '../domain/backup';
import { activityFailureMessage } from './activityFailure';

export const backupDrillOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, BackupDrillResult, unknown> {
  const input = context.df.getInput() as BackupDrillInput;
  const retry = new df.RetryOptions(2_000, 4);
  retry.backoffCoefficient = 2;
  let prepared: PrepareDrillResult;
  try {
    prepared = (yield context.df.callActivityWithRetry(A.prepareDrill, retry, input)) as PrepareDrillResult;
  } catch (error) {
    prepared = { ok: false, reason: `starting the drill failed: ${activityFailureMessage(error)}` };
  }
  let state: DrillState = 'Failed';
  let reason: string | undefined;
  let backupId: string | undefined;
  if (!prepared.ok) {
    reason = prepared.reason;
  } else {
    backupId = prepared.backupId;
    const startedAt = context.df.currentUtcDateTime.toISOString();
    let executionEndedAt: string | undefined;
    for (let check = 0; ; check++) {
      const delay = pollDelaySeconds(check, input.timing?.minPollSeconds ?? BACKUP_FIRST_POLL_SECONDS, input.timing?.maxPollSeconds ?? BACKUP_POLL_SECONDS);
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay * 1000));
      const progress = (yield context.df.callActivityWithRetry(A.getDrillProgress, retry, {
        database: input.database,
        drillId: input.drillId,
        executionName: prepared.executionName,
      })) as DrillProgress;
      const verdict = judgeBackupWait(
        { recordState: progress.state, recordTerminal: progress.state === 'Passed' || progress.state === 'Failed', executionStatus: progress.executionStatus, executionReason: progress.executionReason },
        {
          startedAt,
          executionEndedAt,
          now: context.df.currentUtcDateTime,
          deadlineMs: (input.timing?.deadlineMinutes ?? BACKUP_DEADLINE_MINUTES) * 60_000,
          graceMs: (input.timing?.graceSeconds ?? RECORD_GRACE_SECONDS) * 1000,
        },
      );
      if (verdict.verdict === 'done') {
        state = progress.state as DrillState;
        reason = progress.reason;
        break;
      }
      if (verdict.verdict === 'fail') {
        reason = verdict.reason.replace('backup job', 'drill');
        break;
      }
      executionEndedAt = verdict.executionEndedAt;
    }
  }
  yield context.df.callActivityWithRetry(A.finishDrill, retry, { database: input.database, drillId: input.drillId, backupId, state, reason });
  return { drillId: input.drillId, backupId, state, reason };
};
