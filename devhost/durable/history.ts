/**
 * The history model: the events an orchestration instance's history is made of, in the
 * shape the `durable-functions` library replays (PascalCase fields, `EventType` numbers of
 * its `HistoryEventType`, Dates for times, payloads as JSON text).
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;
export type EventTypeNumber = (typeof EventType)[keyof typeof EventType];

export const eventTypeName = (type: number): string =>
  Object.entries(EventType).find(([, n]) => n === type)?.[0] ?? `EventType(${type})`;

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';
export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export interface ParentInstance {
  InstanceId: string;
  ExecutionId: string;
  TaskScheduledId: number;
}

export interface HistoryEvent {
  EventType: EventTypeNumber;
  /** The sequence number for scheduling events (TaskScheduled, TimerCreated, SubOrchestrationInstanceCreated); -1 otherwise. */
  EventId: number;
  IsPlayed: boolean;
  Timestamp: Date;
  Name?: string;
  /** JSON text. */
  Input?: string;
  /** JSON text. */
  Result?: string;
  Reason?: string;
  Details?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: Date;
  InstanceId?: string;
  OrchestrationStatus?: RuntimeStatus;
  /** ExecutionStarted of a sub-orchestration: who to tell when it ends. */
  ParentInstance?: ParentInstance;
  /**
   * devhost bookkeeping, ignored by the library: the queue message that delivered the event
   * (deduplication of redelivered messages).
   */
  MessageId?: string;
  /**
   * devhost bookkeeping: set on scheduling events that an earlier action produced on its own
   * (retry timers and re-attempts, the later segments of a long timer), so the determinism
   * guard matches the orchestrator's actions against the events its code asked for.
   */
  FollowUpOf?: number;
}

export function newEvent(type: EventTypeNumber, timestamp: Date, fields: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: timestamp, ...fields };
}

/** JSON text for a value; undefined stays undefined (the library treats a missing payload as undefined). */
export function toJsonText(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

export function parseJsonText(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  return JSON.parse(text) as unknown;
}

/** Completion events by the scheduling event id they complete. */
export function completedScheduleIds(history: readonly HistoryEvent[]): Set<number> {
  const done = new Set<number>();
  for (const e of history) {
    if (
      e.EventType === EventType.TaskCompleted ||
      e.EventType === EventType.TaskFailed ||
      e.EventType === EventType.SubOrchestrationInstanceCompleted ||
      e.EventType === EventType.SubOrchestrationInstanceFailed
    ) {
      if (e.TaskScheduledId !== undefined) done.add(e.TaskScheduledId);
    } else if (e.EventType === EventType.TimerFired && e.TimerId !== undefined) {
      done.add(e.TimerId);
    }
  }
  return done;
}

export const isSchedulingEvent = (e: HistoryEvent): boolean =>
  e.EventType === EventType.TaskScheduled ||
  e.EventType === EventType.TimerCreated ||
  e.EventType === EventType.SubOrchestrationInstanceCreated;

/** Scheduling events whose completion is not in the history yet. */
export function openSchedulingEvents(history: readonly HistoryEvent[]): HistoryEvent[] {
  const done = completedScheduleIds(history);
  return history.filter((e) => isSchedulingEvent(e) && !done.has(e.EventId));
}

/** The largest scheduling event id used so far (-1 if none). */
export function lastEventId(history: readonly HistoryEvent[]): number {
  return history.reduce((max, e) => (isSchedulingEvent(e) ? Math.max(max, e.EventId) : max), -1);
}
