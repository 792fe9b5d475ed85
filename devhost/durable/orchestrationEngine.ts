/**
 * The orchestration side of the engine: takes the control-queue messages for one instance,
 * runs an episode by replay, writes the new history before acting on it, then carries the
 * decisions out (work items, timers, sub-orchestrations, the parent's completion) and only
 * then deletes the messages it consumed. A crash at any point leaves either unconsumed
 * messages (redelivered, deduplicated against the history) or a history whose open work
 * recovery re-issues.
 */
import type { HostContext } from '../extension';
import type { TimerHandle } from '../clock';
import type { RegisteredFunction } from '../functionsCore';
import { subOrchestrationEnded } from './completionEvents';
import { EventType, newEvent, openSchedulingEvents, parseJsonText, toJsonText, type HistoryEvent, type RuntimeStatus } from './history';
import { runEpisode, type EpisodeResult } from './episodeRunner';
import { findNonDeterminism } from './determinismGuard';
import { planNewWork, type NewWork } from './actionScheduler';
import { ActionType } from './libraryActions';
import { controlMessage, isDuplicateDelivery, isTerminal, newExecutionId, type InstanceState } from './instanceState';
import type { ControlMessage, InstanceRecord, ReceivedMessage, TaskHubStore } from './taskHubStore';

const ENTITY_ACTIONS: ReadonlySet<number> = new Set([ActionType.CallEntity, ActionType.SignalEntity, ActionType.LockEntities, ActionType.ReleaseEntities]);
/** While an instance is suspended its other messages come back this much later. */
const SUSPENDED_REDELIVERY_MS = 1000;

export interface EngineEvents {
  /** Something was sent to the control queue (poll it now). */
  controlSent(): void;
  workItemSent(): void;
  instanceChanged(record: InstanceRecord): void;
  log(message: string): void;
}

export class OrchestrationEngine {
  private readonly cache = new Map<string, InstanceState>();
  private readonly timers = new Map<string, TimerHandle>();
  episodes = 0;

  constructor(private readonly host: HostContext, private readonly store: TaskHubStore, private readonly events: EngineEvents) {}

  /** The instance with its current execution's history (from memory, else from storage). */
  async load(instanceId: string): Promise<InstanceState | undefined> {
    const cached = this.cache.get(instanceId);
    if (cached) return cached;
    const record = await this.store.getInstance(instanceId);
    if (!record) return undefined;
    const history = await this.store.readHistory(instanceId, record.executionId);
    const state = this.cache.get(instanceId) ?? { record, history };
    this.cache.set(instanceId, state);
    return state;
  }

  forget(instanceId: string): void {
    this.cache.delete(instanceId);
    this.cancelTimers(instanceId);
  }

  /** Processes one batch of control messages for one instance (never concurrently for the same instance). */
  async processBatch(instanceId: string, messages: Array<ReceivedMessage<ControlMessage>>): Promise<void> {
    let state = await this.load(instanceId);
    const now = this.host.clock.now();
    const accepted: HistoryEvent[] = [];
    let terminate: HistoryEvent | undefined;
    const deferred: ControlMessage[] = [];

    for (const { body } of messages) {
      const event = body.event;
      switch (event.EventType) {
        case EventType.ExecutionStarted: {
          const running = state && !isTerminal(state.record) && state.history.length > 0;
          const sameExecution = state && state.record.executionId === body.executionId && state.history.length > 0;
          if (running || sameExecution || accepted.some((e) => e.EventType === EventType.ExecutionStarted)) break;
          state = {
            record: {
              instanceId,
              name: event.Name ?? '',
              executionId: body.executionId ?? newExecutionId(),
              runtimeStatus: 'Running',
              input: event.Input,
              createdTime: state?.record.runtimeStatus === 'Pending' || state?.record.runtimeStatus === 'Running' ? state.record.createdTime : now,
              lastUpdatedTime: now,
              parent: event.ParentInstance,
            },
            history: [],
          };
          this.cache.set(instanceId, state);
          accepted.push({ ...event, IsPlayed: false });
          break;
        }
        case EventType.ExecutionTerminated:
          if (state && !isTerminal(state.record)) terminate = event;
          break;
        default: {
          if (!state || isTerminal(state.record) || state.history.length + accepted.length === 0) break;
          if (body.executionId && body.executionId !== state.record.executionId) break;
          if (isDuplicateDelivery(state.history, accepted, event)) break;
          const suspended = state.record.runtimeStatus === 'Suspended' || accepted.some((e) => e.EventType === EventType.ExecutionSuspended);
          const resumed = accepted.some((e) => e.EventType === EventType.ExecutionResumed);
          if (event.EventType === EventType.ExecutionSuspended) {
            if (!suspended) accepted.push({ ...event, IsPlayed: false });
          } else if (event.EventType === EventType.ExecutionResumed) {
            if (suspended && !resumed) accepted.push({ ...event, IsPlayed: false });
          } else if (suspended && !resumed) {
            deferred.push(body);
          } else {
            accepted.push({ ...event, IsPlayed: false, MessageId: body.messageId });
          }
        }
      }
    }

    if (state && terminate) {
      await this.terminate(state, terminate, now);
    } else if (state && accepted.length > 0) {
      await this.runAndCommit(state, accepted, now);
    }
    // Suspended instances get their other messages back later, durably, before the originals go.
    await Promise.all(deferred.map((m) => this.store.sendControl(m, SUSPENDED_REDELIVERY_MS)));
    await Promise.all(messages.map((m) => this.store.deleteControl(m)));
  }

  private async runAndCommit(state: InstanceState, accepted: HistoryEvent[], now: Date): Promise<void> {
    const { record } = state;
    const started = newEvent(EventType.OrchestratorStarted, now);
    const episodeHistory = [...state.history, started, ...accepted];
    const suspendedAtEnd = statusAfterSuspension(record.runtimeStatus, accepted);
    const onlyControl = accepted.every((e) => e.EventType === EventType.ExecutionSuspended || e.EventType === EventType.ExecutionResumed);

    if (suspendedAtEnd === 'Suspended' || onlyControl) {
      await this.commit(state, [started, ...accepted, newEvent(EventType.OrchestratorCompleted, now)], { ...record, runtimeStatus: suspendedAtEnd, lastUpdatedTime: now });
      return;
    }

    const fn = this.findFunction(record.name, 'orchestrationTrigger');
    let result: EpisodeResult | { status: 'failed'; error: string; customStatus?: unknown; actions: []; openTasks: Map<number, never> };
    if (!fn) {
      result = { status: 'failed', error: `The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.`, actions: [], openTasks: new Map() };
    } else {
      this.episodes += 1;
      result = await runEpisode(this.host, {
        fn,
        instanceId: record.instanceId,
        parentInstanceId: record.parent?.InstanceId,
        input: parseJsonText(record.input),
        history: episodeHistory,
      });
    }

    let failure = result.status === 'failed' ? result.error : undefined;
    failure ??= findNonDeterminism(episodeHistory, result.actions, result.status === 'failed');
    const entityAction = result.actions.find((a) => ENTITY_ACTIONS.has(a.actionType));
    if (!failure && entityAction) failure = 'devhost does not support Durable Entities (callEntity, signalEntity, lock)';
    let work: NewWork = { events: [], activities: [], timers: [], subOrchestrations: [] };
    if (!failure && result.status === 'running') {
      const plan = planNewWork(episodeHistory, result.openTasks, record.instanceId, now);
      if (plan.ok) work = plan.work;
      else failure = plan.error;
    }

    const appended: HistoryEvent[] = [started, ...accepted, ...work.events];
    const customStatus = toJsonText(result.customStatus ?? undefined) ?? record.customStatus;
    let next: InstanceRecord;
    let continueAs: { input?: string; carried: HistoryEvent[] } | undefined;
    if (failure) {
      appended.push(newEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: 'Failed', Result: JSON.stringify(failure) }));
      next = { ...record, runtimeStatus: 'Failed', output: JSON.stringify(failure), customStatus, lastUpdatedTime: now };
      this.events.log(`orchestration ${record.name} (${record.instanceId}) failed: ${failure}`);
    } else if (result.status === 'completed') {
      const output = toJsonText(result.output);
      appended.push(newEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: 'Completed', Result: output }));
      next = { ...record, runtimeStatus: 'Completed', output, customStatus, lastUpdatedTime: now };
    } else if (result.status === 'continuedAsNew') {
      const action = result.actions.find((a) => a.actionType === ActionType.ContinueAsNew);
      const input = action?.input === undefined ? undefined : typeof action.input === 'string' ? action.input : JSON.stringify(action.input);
      appended.push(newEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: 'ContinuedAsNew', Result: input }));
      continueAs = { input, carried: unconsumedExternalEvents(episodeHistory, result) };
      next = { ...record, executionId: newExecutionId(), runtimeStatus: 'Running', input, output: undefined, customStatus, lastUpdatedTime: now };
    } else {
      next = { ...record, runtimeStatus: 'Running', customStatus, lastUpdatedTime: now };
    }
    appended.push(newEvent(EventType.OrchestratorCompleted, now));

    await this.commit(state, appended, next, work);
    if (continueAs) {
      // The new execution starts from a fresh history: its ExecutionStarted and the carried
      // external events go through the control queue, so a crash here is recovered like a start.
      const start = newEvent(EventType.ExecutionStarted, now, { Name: record.name, Input: continueAs.input, ParentInstance: record.parent });
      const messages = [controlMessage(record.instanceId, start, next.executionId), ...continueAs.carried.map((e) => controlMessage(record.instanceId, { ...e, MessageId: undefined }, next.executionId))];
      for (const m of messages) await this.store.sendControl(m);
      this.events.controlSent();
    }
  }

  private async terminate(state: InstanceState, event: HistoryEvent, now: Date): Promise<void> {
    const reason = event.Input;
    const events = [
      newEvent(EventType.OrchestratorStarted, now),
      { ...event, IsPlayed: false },
      newEvent(EventType.ExecutionCompleted, now, { OrchestrationStatus: 'Terminated', Result: reason }),
      newEvent(EventType.OrchestratorCompleted, now),
    ];
    await this.commit(state, events, { ...state.record, runtimeStatus: 'Terminated', output: reason, lastUpdatedTime: now });
  }

  /**
   * Writes history first, then the instance row, then acts: work items, sub-orchestration
   * starts, timers, the parent's completion.
   */
  private async commit(state: InstanceState, appended: HistoryEvent[], next: InstanceRecord, work?: NewWork): Promise<void> {
    const previous = state.record;
    await this.store.appendHistory(previous.instanceId, previous.executionId, appended);
    state.history = [...state.history, ...appended.map((e) => ({ ...e, IsPlayed: true }))];
    if (next.executionId !== previous.executionId) state.history = [];
    state.record = next;
    await this.store.putInstance(next);
    if (work) await this.carryOut(next, work);
    if (isTerminal(next) || next.executionId !== previous.executionId) this.cancelTimers(next.instanceId);
    if (isTerminal(next) && next.parent) await this.notifyParent(next);
    this.events.instanceChanged(next);
  }

  private async carryOut(record: InstanceRecord, work: NewWork): Promise<void> {
    const sends: Array<Promise<void>> = [];
    for (const a of work.activities) {
      sends.push(this.store.sendWorkItem({ messageId: `${record.instanceId}|${record.executionId}|${a.eventId}`, instanceId: record.instanceId, executionId: record.executionId, eventId: a.eventId, name: a.name, input: a.inputJson }));
    }
    for (const s of work.subOrchestrations) {
      sends.push(this.store.sendControl(this.subOrchestrationStart(record, s.eventId, s.name, s.instanceId, s.inputJson)));
    }
    await Promise.all(sends);
    if (work.activities.length > 0) this.events.workItemSent();
    if (work.subOrchestrations.length > 0) this.events.controlSent();
    for (const t of work.timers) this.armTimer(record.instanceId, record.executionId, t.eventId, t.fireAt);
  }

  private subOrchestrationStart(parent: InstanceRecord, eventId: number, name: string, childId: string, inputJson?: string): ControlMessage {
    const start = newEvent(EventType.ExecutionStarted, this.host.clock.now(), {
      Name: name,
      Input: inputJson,
      ParentInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId, TaskScheduledId: eventId },
    });
    return controlMessage(childId, start, newExecutionId());
  }

  async notifyParent(child: InstanceRecord): Promise<void> {
    const parent = child.parent;
    if (!parent) return;
    const now = this.host.clock.now();
    const event = subOrchestrationEnded(
      parent.TaskScheduledId,
      now,
      { name: child.name, instanceId: child.instanceId, terminated: child.runtimeStatus === 'Terminated' },
      child.runtimeStatus === 'Completed' ? { completed: true, outputJson: child.output } : { completed: false, error: String(parseJsonText(child.output) ?? '') },
    );
    await this.store.sendControl(controlMessage(parent.InstanceId, event, parent.ExecutionId));
    this.events.controlSent();
  }

  armTimer(instanceId: string, executionId: string, timerId: number, fireAt: Date): void {
    const key = `${instanceId}|${executionId}|${timerId}`;
    if (this.timers.has(key)) return;
    const fire = (): void => {
      const fired = newEvent(EventType.TimerFired, this.host.clock.now(), { TimerId: timerId, FireAt: fireAt });
      this.store
        .sendControl(controlMessage(instanceId, fired, executionId))
        .then(() => {
          this.timers.delete(key);
          this.events.controlSent();
        })
        .catch((err: unknown) => {
          this.events.log(`timer ${timerId} of ${instanceId} could not be delivered, retrying: ${String(err)}`);
          this.timers.set(key, this.host.clock.at(new Date(this.host.clock.now().getTime() + 1000), fire));
        });
    };
    this.timers.set(key, this.host.clock.at(fireAt, fire));
  }

  private cancelTimers(instanceId: string): void {
    for (const [key, handle] of this.timers) {
      if (key.startsWith(`${instanceId}|`)) {
        handle.cancel();
        this.timers.delete(key);
      }
    }
  }

  cancelAllTimers(): void {
    for (const handle of this.timers.values()) handle.cancel();
    this.timers.clear();
  }

  /**
   * After a restart: re-issue what a running instance's history says is outstanding. Duplicates
   * are harmless (messages are deduplicated against the history; work items against it too).
   */
  async recover(state: InstanceState): Promise<void> {
    const { record, history } = state;
    const now = this.host.clock.now();
    if (history.length === 0) {
      // Created but never started (or continued-as-new before the new start was sent).
      const start = newEvent(EventType.ExecutionStarted, now, { Name: record.name, Input: record.input, ParentInstance: record.parent });
      await this.store.sendControl(controlMessage(record.instanceId, start, record.executionId));
      this.events.controlSent();
      return;
    }
    const completed = history.find((e) => e.EventType === EventType.ExecutionCompleted || e.EventType === EventType.ExecutionTerminated);
    if (completed) return;
    const work: NewWork = { events: [], activities: [], timers: [], subOrchestrations: [] };
    for (const e of openSchedulingEvents(history)) {
      if (e.EventType === EventType.TaskScheduled) work.activities.push({ eventId: e.EventId, name: e.Name ?? '', inputJson: e.Input });
      else if (e.EventType === EventType.TimerCreated && e.FireAt) work.timers.push({ eventId: e.EventId, fireAt: e.FireAt });
      else if (e.EventType === EventType.SubOrchestrationInstanceCreated && e.InstanceId) {
        const child = await this.load(e.InstanceId);
        if (!child) work.subOrchestrations.push({ eventId: e.EventId, name: e.Name ?? '', instanceId: e.InstanceId, inputJson: e.Input });
        else if (isTerminal(child.record) && child.record.parent?.InstanceId === record.instanceId) await this.notifyParent(child.record);
      }
    }
    await this.carryOut(record, work);
  }

  findFunction(name: string, triggerType: string): RegisteredFunction | undefined {
    const fn = this.host.functions.get(name) ?? [...this.host.functions.values()].find((f) => f.name.toLowerCase() === name.toLowerCase());
    return fn && fn.trigger.type === triggerType ? fn : undefined;
  }

  cached(instanceId: string): InstanceState | undefined {
    return this.cache.get(instanceId);
  }
}

function statusAfterSuspension(status: RuntimeStatus, accepted: readonly HistoryEvent[]): RuntimeStatus {
  let current = status;
  for (const e of accepted) {
    if (e.EventType === EventType.ExecutionSuspended) current = 'Suspended';
    if (e.EventType === EventType.ExecutionResumed) current = 'Running';
  }
  return current;
}

/**
 * External events raised but not waited for in the execution that continues as new: they go
 * to the new execution (what Durable Functions does since 2.0). Counted per event name: the
 * last (raised - waited for) events of each name.
 */
function unconsumedExternalEvents(history: readonly HistoryEvent[], result: EpisodeResult | { actions: [] }): HistoryEvent[] {
  const waited = new Map<string, number>();
  for (const a of result.actions) {
    if (a.actionType === ActionType.WaitForExternalEvent && a.externalEventName) waited.set(a.externalEventName, (waited.get(a.externalEventName) ?? 0) + 1);
  }
  const raised = history.filter((e) => e.EventType === EventType.EventRaised);
  const carried: HistoryEvent[] = [];
  const seen = new Map<string, number>();
  for (const e of raised) {
    const name = e.Name ?? '';
    const index = (seen.get(name) ?? 0) + 1;
    seen.set(name, index);
    if (index > (waited.get(name) ?? 0)) carried.push(e);
  }
  return carried;
}
