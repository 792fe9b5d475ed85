/**
 * Runs an orchestration to its end in memory, the way the Durable extension's out-of-process
 * protocol does, with nothing started: each episode calls the registered orchestration function
 * (the real `durable-functions` Orchestrator around the product's generator) with the whole
 * history so far, reads back what it decided, turns that into history events, and answers them:
 * activities from the test's script at once, sub-orchestrations by running them the same way,
 * timers by moving a virtual clock to their fire time (so `currentUtcDateTime` moves as it would),
 * external events when the test's script says they arrive. Repeat until the orchestration
 * completes, fails or continues as new (then the new execution runs).
 *
 * devhost's engine does the same against Azurite; its pure pieces are reused: the episode call
 * (episodeRunner), the history model, the planning of new work from open tasks (actionScheduler,
 * with its retry back-off) and the determinism guard, which here makes a non-deterministic
 * orchestrator fail the test instead of the orchestration.
 */
import { Invoker } from '../../../devhost/invoker';
import { planNewWork, type NewWork } from '../../../devhost/durable/actionScheduler';
import { subOrchestrationEnded } from '../../../devhost/durable/completionEvents';
import { findNonDeterminism } from '../../../devhost/durable/determinismGuard';
import { runEpisode, type EpisodeResult } from '../../../devhost/durable/episodeRunner';
import { EventType, newEvent, parseJsonText, toJsonText, type HistoryEvent, type ParentInstance } from '../../../devhost/durable/history';
import { ActionType } from '../../../devhost/durable/libraryActions';
import type { RegisteredFunction } from '../../../devhost/functionsCore';
import { answerActivity, type ActivityScript } from './activityScript';
import { registeredOrchestrations } from './registeredOrchestrations';
import { ReplayTrace } from './replayTrace';

/** An external event the test raises: when the orchestration waits and the conditions hold. */
export interface ScriptedEvent {
  name: string;
  data?: unknown;
  /** The instance it is raised on (default: the orchestration the test started). */
  instanceId?: string;
  /** Not before this time (the clock moves to it if the orchestration only waits on later timers). */
  at?: Date;
  /** Not before the trace shows this (e.g. the approval was asked for). */
  when?: (trace: ReplayTrace) => boolean;
}

export interface ReplayOptions {
  /** The orchestration's registered name. */
  name: string;
  input: unknown;
  instanceId?: string;
  /** The virtual clock's start. */
  start?: Date;
  activities: ActivityScript;
  events?: ScriptedEvent[];
  /** A bound on episodes over the whole run, so a loop that never ends fails fast. */
  maxEpisodes?: number;
}

export interface ReplayResult {
  status: 'completed' | 'failed';
  output?: any;
  error?: string;
  customStatus?: unknown;
  trace: ReplayTrace;
  /** Each instance's history (its last execution), for tests that replay it again. */
  histories: ReadonlyMap<string, HistoryEvent[]>;
  episodes: number;
  /** The virtual clock when it ended. */
  endedAt: Date;
}

interface InstanceOutcome {
  status: 'completed' | 'failed';
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

const DEFAULT_START = new Date('2026-03-02T10:00:00Z');
const DEFAULT_MAX_EPISODES = 20_000;

export async function replayOrchestration(options: ReplayOptions): Promise<ReplayResult> {
  const run = new ReplayRun(options);
  const instanceId = options.instanceId ?? 'replayed-instance';
  const outcome = await run.runInstance(options.name, instanceId, options.input);
  return { ...outcome, trace: run.trace, histories: run.histories, episodes: run.episodes, endedAt: new Date(run.nowMs) };
}

class ReplayRun {
  readonly trace = new ReplayTrace();
  readonly histories = new Map<string, HistoryEvent[]>();
  episodes = 0;
  nowMs: number;
  private readonly functions = registeredOrchestrations();
  private readonly invoker = new Invoker(() => undefined, () => []);
  private readonly pendingEvents: Array<ScriptedEvent & { instanceId: string }>;
  private readonly attempts = new Map<string, number>();

  constructor(private readonly options: ReplayOptions) {
    this.nowMs = (options.start ?? DEFAULT_START).getTime();
    const root = options.instanceId ?? 'replayed-instance';
    this.pendingEvents = (options.events ?? []).map((e) => ({ ...e, instanceId: e.instanceId ?? root }));
  }

  private now(): Date {
    return new Date(this.nowMs);
  }

  /** One instance from its start to its end, executions continued as new included. */
  async runInstance(name: string, instanceId: string, input: unknown, parent?: ParentInstance): Promise<InstanceOutcome> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`no orchestration registered as "${name}"`);
    let history: HistoryEvent[] = [];
    const started = (executionInput: unknown): HistoryEvent => newEvent(EventType.ExecutionStarted, this.now(), { Name: name, Input: toJsonText(executionInput), ParentInstance: parent });
    let inbox: HistoryEvent[] = [started(input)];
    let timers: Array<{ eventId: number; fireAt: Date }> = [];
    for (;;) {
      if (++this.episodes > (this.options.maxEpisodes ?? DEFAULT_MAX_EPISODES)) throw new Error(`more than ${this.options.maxEpisodes ?? DEFAULT_MAX_EPISODES} episodes: does ${instanceId} ever end?`);
      const episodeHistory = [...history, newEvent(EventType.OrchestratorStarted, this.now()), ...inbox.map((e) => ({ ...e, IsPlayed: false }))];
      const result = await runEpisode(this.invoker, { fn, instanceId, parentInstanceId: parent?.InstanceId, input, history: episodeHistory });
      const nonDeterminism = findNonDeterminism(episodeHistory, result.actions, result.status === 'failed');
      if (nonDeterminism) throw new Error(`${instanceId}: ${nonDeterminism}`);
      let work: NewWork = { events: [], activities: [], timers: [], subOrchestrations: [] };
      if (result.status === 'running') {
        const plan = planNewWork(episodeHistory, result.openTasks, instanceId, this.now());
        if (!plan.ok) throw new Error(`${instanceId}: ${plan.error}`);
        work = plan.work;
      }
      history = [...episodeHistory, ...work.events, newEvent(EventType.OrchestratorCompleted, this.now())].map((e) => ({ ...e, IsPlayed: true }));
      this.histories.set(instanceId, history);

      if (result.status === 'completed' || result.status === 'failed') {
        await this.replayOnceMore(fn, instanceId, parent, input, episodeHistory, result);
        return { status: result.status, output: result.output, error: result.error, customStatus: result.customStatus };
      }
      if (result.status === 'continuedAsNew') {
        const action = result.actions.find((a) => a.actionType === ActionType.ContinueAsNew);
        input = typeof action?.input === 'string' ? parseJsonText(action.input) : action?.input;
        this.trace.add({ kind: 'continuedAsNew', instanceId, input, at: this.now().toISOString() });
        history = [];
        timers = [];
        inbox = [started(input)];
        continue;
      }

      inbox = [];
      for (const activity of work.activities) inbox.push(this.runActivity(instanceId, activity.eventId, activity.name, activity.inputJson, history));
      for (const child of work.subOrchestrations) inbox.push(await this.runChild(instanceId, child.eventId, child.name, child.instanceId, child.inputJson));
      timers = [...timers, ...work.timers];
      if (inbox.length > 0) continue;
      const next = this.nextDelivery(instanceId, timers);
      if (next.length === 0) throw new Error(`${instanceId} waits, and nothing is left to deliver: no timer is pending and no scripted event applies (events left: ${this.pendingEvents.map((e) => e.name).join(', ') || 'none'})`);
      const fired = new Set(next.map((e) => e.TimerId));
      timers = timers.filter((t) => !fired.has(t.eventId));
      inbox = next;
    }
  }

  /** Runs one activity from the script; its completion goes to the next episode. */
  private runActivity(instanceId: string, eventId: number, name: string, inputJson: string | undefined, history: readonly HistoryEvent[]): HistoryEvent {
    const scheduled = history.find((e) => e.EventType === EventType.TaskScheduled && e.EventId === eventId);
    const primary = scheduled?.FollowUpOf ?? eventId;
    const key = `${instanceId}|${primary}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const input = parseJsonText(inputJson);
    const answered = answerActivity(this.options.activities, { name, input, attempt, instanceId, at: this.now() }, eventId);
    this.trace.add({ kind: 'activity', instanceId, name, input, attempt, at: this.now().toISOString(), ...(answered.failure !== undefined ? { failure: answered.failure } : { result: answered.result }) });
    return answered.event;
  }

  /** Runs a sub-orchestration to its end with the same harness (same clock, script and trace). */
  private async runChild(parentId: string, eventId: number, name: string, childId: string, inputJson: string | undefined): Promise<HistoryEvent> {
    const at = this.now().toISOString();
    const input = parseJsonText(inputJson);
    const outcome = await this.runInstance(name, childId, input, { InstanceId: parentId, ExecutionId: 'replay', TaskScheduledId: eventId });
    this.trace.add({ kind: 'subOrchestration', instanceId: childId, parentId, name, input, status: outcome.status, output: outcome.output, error: outcome.error, at, endedAt: this.now().toISOString() });
    return subOrchestrationEnded(
      eventId,
      this.now(),
      { name, instanceId: childId },
      outcome.status === 'completed' ? { completed: true, outputJson: toJsonText(outcome.output) } : { completed: false, error: outcome.error ?? '' },
    );
  }

  /**
   * The instance waits on timers and events only: the next thing to happen. A scripted event
   * that applies and is due no later than the earliest timer comes first; else the clock moves
   * to the earliest timer, and every timer due by then fires (cancelled ones too, as in Azure:
   * the library ignores them).
   */
  private nextDelivery(instanceId: string, timers: ReadonlyArray<{ eventId: number; fireAt: Date }>): HistoryEvent[] {
    const events = this.pendingEvents
      .map((e, index) => ({ e, index, atMs: Math.max(this.nowMs, e.at?.getTime() ?? this.nowMs) }))
      .filter(({ e }) => e.instanceId === instanceId && (e.when?.(this.trace) ?? true))
      .sort((a, b) => a.atMs - b.atMs || a.index - b.index);
    const firstTimerMs = timers.length > 0 ? Math.min(...timers.map((t) => t.fireAt.getTime())) : undefined;
    const event = events[0];
    if (event && (firstTimerMs === undefined || event.atMs <= firstTimerMs)) {
      this.pendingEvents.splice(event.index, 1);
      this.nowMs = event.atMs;
      this.trace.add({ kind: 'event', instanceId, name: event.e.name, data: event.e.data, at: this.now().toISOString() });
      return [newEvent(EventType.EventRaised, this.now(), { Name: event.e.name, Input: toJsonText(event.e.data) })];
    }
    if (firstTimerMs === undefined) return [];
    this.nowMs = Math.max(this.nowMs, firstTimerMs);
    return [...timers]
      .filter((t) => t.fireAt.getTime() <= this.nowMs)
      .sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime() || a.eventId - b.eventId)
      .map((t) => {
        this.trace.add({ kind: 'timer', instanceId, fireAt: t.fireAt.toISOString() });
        return newEvent(EventType.TimerFired, this.now(), { TimerId: t.eventId, FireAt: t.fireAt });
      });
  }

  /**
   * The finished history, replayed once more from the start as a restarted worker would: the
   * same outcome and nothing new asked for, or the orchestrator depends on something other
   * than its history (the wall clock, randomness, state outside the generator).
   */
  private async replayOnceMore(fn: RegisteredFunction, instanceId: string, parent: ParentInstance | undefined, input: unknown, history: HistoryEvent[], first: EpisodeResult): Promise<void> {
    const again = await runEpisode(this.invoker, { fn, instanceId, parentInstanceId: parent?.InstanceId, input, history: history.map((e) => ({ ...e })) });
    const same = again.status === first.status && JSON.stringify(again.output) === JSON.stringify(first.output) && again.error === first.error && again.actions.length === first.actions.length;
    if (!same) throw new Error(`${instanceId} replayed differently from the same history: ${first.status} ${JSON.stringify(first.output ?? first.error)} then ${again.status} ${JSON.stringify(again.output ?? again.error)}`);
  }
}
