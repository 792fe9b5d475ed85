/**
 * An instance as the engine holds it in memory: its Instances row and the history of its
 * current execution. The store is the truth; this is a write-through copy.
 */
import { randomUUID } from 'node:crypto';
import { EventType, TERMINAL_STATUSES, completedScheduleIds, type HistoryEvent } from './history';
import type { ControlMessage, InstanceRecord } from './taskHubStore';

export interface InstanceState {
  record: InstanceRecord;
  history: HistoryEvent[];
}

export const isTerminal = (record: InstanceRecord): boolean => TERMINAL_STATUSES.includes(record.runtimeStatus);

export const newExecutionId = (): string => randomUUID().replace(/-/g, '');

export function controlMessage(instanceId: string, event: HistoryEvent, executionId?: string): ControlMessage {
  return { messageId: randomUUID(), instanceId, executionId, event };
}

/** True when `event` (a delivered message) is already reflected in the history or earlier in the batch. */
export function isDuplicateDelivery(history: readonly HistoryEvent[], batch: readonly HistoryEvent[], event: HistoryEvent): boolean {
  const all = [...history, ...batch];
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed: {
      const id = event.TaskScheduledId;
      const scheduled = all.some((e) => e.EventId === id && (e.EventType === EventType.TaskScheduled || e.EventType === EventType.SubOrchestrationInstanceCreated));
      return !scheduled || (id !== undefined && completedScheduleIds(all).has(id));
    }
    case EventType.TimerFired: {
      const id = event.TimerId;
      const created = all.some((e) => e.EventId === id && e.EventType === EventType.TimerCreated);
      return !created || (id !== undefined && completedScheduleIds(all).has(id));
    }
    default:
      return event.MessageId !== undefined && all.some((e) => e.MessageId === event.MessageId);
  }
}
