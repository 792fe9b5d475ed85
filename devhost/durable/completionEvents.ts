/**
 * The history events that answer a scheduled activity or sub-orchestration, worded as the Durable
 * extension words them: what the orchestrator's retries and its failure messages read. devhost's
 * engine and the replay tests (test/orchestrators/replay/) both build them here.
 */
import { EventType, newEvent, toJsonText, type HistoryEvent } from './history';

export function activityCompleted(scheduledId: number, at: Date, result: unknown): HistoryEvent {
  return newEvent(EventType.TaskCompleted, at, { TaskScheduledId: scheduledId, Result: toJsonText(result) ?? 'null' });
}

/** An activity that threw: its message in the reason, its stack in the details. */
export function activityFailed(scheduledId: number, at: Date, activityName: string, err: unknown): HistoryEvent {
  const message = err instanceof Error ? err.message : String(err);
  return newEvent(EventType.TaskFailed, at, {
    TaskScheduledId: scheduledId,
    Reason: `Activity function '${activityName}' failed: ${message}`,
    Details: err instanceof Error && err.stack ? err.stack : message,
  });
}

/** A sub-orchestration that ended: its output (JSON text) when it completed, else why it did not. */
export function subOrchestrationEnded(
  scheduledId: number,
  at: Date,
  child: { name: string; instanceId: string; terminated?: boolean },
  outcome: { completed: true; outputJson: string | undefined } | { completed: false; error: string },
): HistoryEvent {
  if (outcome.completed) return newEvent(EventType.SubOrchestrationInstanceCompleted, at, { TaskScheduledId: scheduledId, Result: outcome.outputJson ?? 'null' });
  return newEvent(EventType.SubOrchestrationInstanceFailed, at, {
    TaskScheduledId: scheduledId,
    Reason: `Sub-orchestration '${child.name}' (${child.instanceId}) ${child.terminated ? 'was terminated' : 'failed'}: ${outcome.error}`,
    Details: '',
  });
}
