/**
 * The determinism guard: on replay, an orchestrator must ask for the same things, in the same
 * order, that its history records it asked for. The recorded scheduling events (those its code
 * asked for, not the retry timers and re-attempts devhost added on its own) are matched one by
 * one against the actions the library returned.
 */
import { EventType, eventTypeName, isSchedulingEvent, type HistoryEvent } from './history';
import { ActionType, describeAction, type LibraryAction } from './libraryActions';

const SCHEDULING_ACTIONS: ReadonlySet<number> = new Set([
  ActionType.CallActivity,
  ActionType.CallActivityWithRetry,
  ActionType.CallSubOrchestrator,
  ActionType.CallSubOrchestratorWithRetry,
  ActionType.CreateTimer,
  ActionType.CallHttp,
]);

export const isSchedulingAction = (action: LibraryAction): boolean => SCHEDULING_ACTIONS.has(action.actionType);

function describeEvent(e: HistoryEvent): string {
  return e.Name ? `${eventTypeName(e.EventType)} "${e.Name}"` : eventTypeName(e.EventType);
}

function matches(event: HistoryEvent, action: LibraryAction): boolean {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      return event.EventType === EventType.TaskScheduled && event.Name === action.functionName;
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      return event.EventType === EventType.SubOrchestrationInstanceCreated && event.Name === action.functionName;
    case ActionType.CreateTimer:
      return event.EventType === EventType.TimerCreated;
    default:
      return false;
  }
}

/** A message naming the first step where history and code disagree, or undefined when they agree. */
export function findNonDeterminism(history: readonly HistoryEvent[], actions: readonly LibraryAction[], orchestratorFailed: boolean): string | undefined {
  const recorded = history.filter((e) => isSchedulingEvent(e) && e.FollowUpOf === undefined).sort((a, b) => a.EventId - b.EventId);
  const asked = actions.filter(isSchedulingAction);
  const common = Math.min(recorded.length, asked.length);
  for (let i = 0; i < common; i++) {
    if (!matches(recorded[i], asked[i])) {
      return (
        `Non-deterministic orchestrator: at step ${i + 1} (event ${recorded[i].EventId}) the history records ` +
        `${describeEvent(recorded[i])} but the orchestrator now asks for ${describeAction(asked[i])}`
      );
    }
  }
  // A failed orchestrator stops early on purpose; a running or finished one must have re-asked for everything.
  if (!orchestratorFailed && asked.length < recorded.length) {
    const missing = recorded[asked.length];
    return (
      `Non-deterministic orchestrator: at step ${asked.length + 1} (event ${missing.EventId}) the history records ` +
      `${describeEvent(missing)} but the orchestrator now asks for nothing there`
    );
  }
  return undefined;
}
