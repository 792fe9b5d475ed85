/**
 * Turns what an episode left open into new scheduling events: every task the library waits on
 * under a sequence number the history has not used yet becomes a TaskScheduled, TimerCreated or
 * SubOrchestrationInstanceCreated with that number as its EventId. Retry timers get their delay
 * from the retry policy; re-attempts repeat the retried action.
 */
import { EventType, newEvent, type HistoryEvent } from './history';
import { ActionType, actionInputJson, type LibraryAction, type LibraryTask } from './libraryActions';
import { nextRetryDelay } from './retryPolicy';

export interface ActivityWork { eventId: number; name: string; inputJson?: string }
export interface TimerWork { eventId: number; fireAt: Date }
export interface SubOrchestrationWork { eventId: number; name: string; instanceId: string; inputJson?: string }

export interface NewWork {
  events: HistoryEvent[];
  activities: ActivityWork[];
  timers: TimerWork[];
  subOrchestrations: SubOrchestrationWork[];
}

export type PlanOutcome = { ok: true; work: NewWork } | { ok: false; error: string };

export function planNewWork(
  history: readonly HistoryEvent[],
  openTasks: ReadonlyMap<number, LibraryTask>,
  instanceId: string,
  now: Date,
): PlanOutcome {
  const used = new Set(history.filter((e) => e.EventId >= 0).map((e) => e.EventId));
  const work: NewWork = { events: [], activities: [], timers: [], subOrchestrations: [] };
  const ids = [...openTasks.keys()].filter((id) => !used.has(id)).sort((a, b) => a - b);
  for (const id of ids) {
    const task = openTasks.get(id) as LibraryTask;
    const step = planTask(id, task, history, instanceId, now);
    if ('error' in step) return { ok: false, error: step.error };
    const { action, followUpOf, fireAt } = step;
    const base = followUpOf === undefined ? { EventId: id } : { EventId: id, FollowUpOf: followUpOf };
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const name = action.functionName as string;
        const inputJson = actionInputJson(action);
        work.events.push(newEvent(EventType.TaskScheduled, now, { ...base, Name: name, Input: inputJson }));
        work.activities.push({ eventId: id, name, inputJson });
        break;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const name = action.functionName as string;
        const inputJson = actionInputJson(action);
        const childId = action.instanceId || `${instanceId}:${id}`;
        work.events.push(newEvent(EventType.SubOrchestrationInstanceCreated, now, { ...base, Name: name, InstanceId: childId, Input: inputJson }));
        work.subOrchestrations.push({ eventId: id, name, instanceId: childId, inputJson });
        break;
      }
      case ActionType.CreateTimer: {
        const at = fireAt ?? new Date(action.fireAt as Date);
        work.events.push(newEvent(EventType.TimerCreated, now, { ...base, FireAt: at }));
        work.timers.push({ eventId: id, fireAt: at });
        break;
      }
      default:
        return { ok: false, error: `devhost does not support the ${describeUnsupported(action)} action` };
    }
  }
  return { ok: true, work };
}

type TaskPlan = { action: LibraryAction; followUpOf?: number; fireAt?: Date } | { error: string };

function planTask(id: number, task: LibraryTask, history: readonly HistoryEvent[], instanceId: string, now: Date): TaskPlan {
  if (typeof task.actionObj === 'object') {
    const parent = task.parent;
    // Later segments of a long timer belong to the timer the code created.
    const parentAction = parent && typeof parent.actionObj === 'object' ? parent.actionObj : undefined;
    if (task.actionObj.actionType === ActionType.CreateTimer && parentAction?.actionType === ActionType.CreateTimer && parent?.children?.[0] !== task) {
      const first = parent?.children?.[0]?.id;
      return { action: task.actionObj, followUpOf: typeof first === 'number' ? first : undefined };
    }
    return { action: task.actionObj };
  }
  // A no-op task is a RetryableTask's next step: a retry timer, or the next attempt.
  const retry = task.parent;
  const retried = retry && typeof retry.actionObj === 'object' ? retry.actionObj : undefined;
  const primaryId = retry?.children?.[0]?.id;
  if (!retry || !retried || typeof primaryId !== 'number') {
    return { error: `Task ${id} of instance "${instanceId}" is not one devhost can schedule` };
  }
  if (retry.isWaitingOnTimer) {
    const failedAttempt = (retry.attemptNumber ?? 2) - 1;
    const first = history.find((e) => e.EventId === primaryId);
    const decision = nextRetryDelay(retried.retryOptions ?? { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 1 }, failedAttempt, first?.Timestamp ?? now, now);
    if (!decision.retry) {
      return { error: `${retried.functionName ?? 'The retried task'} failed and will not be retried: ${decision.reason}` };
    }
    const fireAt = new Date(now.getTime() + decision.delayMs);
    return { action: { actionType: ActionType.CreateTimer, fireAt }, followUpOf: primaryId, fireAt };
  }
  return { action: retried, followUpOf: primaryId };
}

function describeUnsupported(action: LibraryAction): string {
  const names: Record<number, string> = {
    [ActionType.CallHttp]: 'callHttp',
    [ActionType.CallEntity]: 'callEntity',
    [ActionType.SignalEntity]: 'signalEntity',
    [ActionType.LockEntities]: 'lock',
  };
  return names[action.actionType] ?? `action type ${action.actionType}`;
}
