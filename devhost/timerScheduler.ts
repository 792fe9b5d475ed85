/**
 * Fires timer-triggered functions on their schedules, off the devhost `Clock` (so tests skip time).
 *
 * Behaviour follows Azure's timer listener:
 * - one run of a timer at a time (Azure holds a singleton lock per timer); a firing that comes due
 *   while a run is in flight waits for it, and missed occurrences collapse into one late run;
 * - `isPastDue` is true when a run starts more than PAST_DUE_TOLERANCE_MS after its occurrence,
 *   or when a (re)started host finds the recorded next occurrence already passed;
 * - `runOnStartup` runs once when the host starts;
 * - the schedule status is persisted (TimerStatusStore) when `useMonitor` is on, which is
 *   Azure's default for schedules at least a minute apart.
 */
import type { Clock, TimerHandle } from './clock';
import type { RegisteredFunction } from './functionsCore';
import { defaultUseMonitor, parseSchedule, resolveSettingExpression, type TimerSchedule } from './timerSchedule';
import type { ScheduleStatus, TimerStatusStore } from './timerStatusStore';

/** A run that starts later than this after its occurrence is reported as past due. */
export const PAST_DUE_TOLERANCE_MS = 5_000;

/** `0001-01-01T00:00:00Z`: what Azure reports as `last` before a timer ever ran. */
const NEVER = (() => {
  const date = new Date(0);
  date.setUTCFullYear(1, 0, 1); // Date.UTC maps years 0-99 to 1900-1999, so set the year explicitly.
  return date.toISOString();
})();

/** The object a timer handler receives, shaped as Azure's `Timer`. */
export interface TimerInfo {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: ScheduleStatus;
}

export interface TimerSchedulerOptions {
  functions: readonly RegisteredFunction[];
  clock: Clock;
  store: TimerStatusStore;
  settings: Readonly<Record<string, string | undefined>>;
  /** Runs the function (through the host, which logs the invocation). */
  invoke(fn: RegisteredFunction, timer: TimerInfo): Promise<unknown>;
  /** Reports failures of the scheduler itself (for example a status file it cannot write). */
  onError(fn: RegisteredFunction, error: unknown): void;
}

interface TimerState {
  fn: RegisteredFunction;
  schedule: TimerSchedule;
  useMonitor: boolean;
  runOnStartup: boolean;
  status: ScheduleStatus;
  handle?: TimerHandle;
  /** Tail of this timer's run queue: runs never overlap. */
  queue: Promise<void>;
}

export function isTimerFunction(fn: RegisteredFunction): boolean {
  return fn.trigger.type.toLowerCase() === 'timertrigger';
}

function readSchedule(fn: RegisteredFunction, settings: Readonly<Record<string, string | undefined>>): TimerSchedule {
  const raw = fn.trigger.schedule;
  if (typeof raw !== 'string' || raw.trim() === '') throw new Error(`Function "${fn.name}": timer trigger has no schedule`);
  try {
    return parseSchedule(resolveSettingExpression(raw, settings), settings.WEBSITE_TIME_ZONE || 'UTC');
  } catch (error) {
    throw new Error(`Function "${fn.name}": ${(error as Error).message}`);
  }
}

export class TimerScheduler {
  private readonly timers = new Map<string, TimerState>();
  private stopped = false;

  /** Validates every schedule up front: a bad schedule stops the host at start, as in Azure. */
  constructor(private readonly options: TimerSchedulerOptions) {
    const now = options.clock.now();
    for (const fn of options.functions.filter(isTimerFunction)) {
      const schedule = readSchedule(fn, options.settings);
      const useMonitor = typeof fn.trigger.useMonitor === 'boolean' ? fn.trigger.useMonitor : defaultUseMonitor(schedule, now);
      this.timers.set(fn.name, {
        fn,
        schedule,
        useMonitor,
        runOnStartup: fn.trigger.runOnStartup === true,
        status: { last: NEVER, next: schedule.next(now).toISOString(), lastUpdated: now.toISOString() },
        queue: Promise.resolve(),
      });
    }
  }

  /** The parsed schedule of each timer function, by name. */
  schedules(): ReadonlyMap<string, TimerSchedule> {
    return new Map([...this.timers].map(([name, state]) => [name, state.schedule]));
  }

  async start(): Promise<void> {
    for (const state of this.timers.values()) {
      const now = this.options.clock.now();
      const recorded = state.useMonitor ? await this.options.store.read(state.fn.name) : undefined;
      if (recorded && Date.parse(recorded.next) < now.getTime()) {
        // The host was down (or stopped) past an occurrence: run it once now, late.
        state.status = recorded;
        this.onDue(state, new Date(recorded.next), true);
        continue;
      }
      state.status = { last: recorded?.last ?? NEVER, next: state.schedule.next(now).toISOString(), lastUpdated: now.toISOString() };
      await this.persist(state);
      if (state.runOnStartup) {
        void this.enqueue(state, () => this.run(state, false)).catch(() => undefined);
      }
      this.arm(state);
    }
  }

  /** Runs a timer now, outside its schedule (admin endpoint); waits for a run in flight first. */
  fire(name: string): Promise<unknown> {
    const state = this.timers.get(name);
    if (!state) return Promise.reject(new Error(`"${name}" is not a timer function`));
    return this.enqueue(state, () => this.run(state, false));
  }

  /** Cancels pending occurrences and waits for runs in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.timers.values()) state.handle?.cancel();
    await Promise.all([...this.timers.values()].map((state) => state.queue));
  }

  private arm(state: TimerState): void {
    if (this.stopped) return;
    const due = new Date(state.status.next);
    state.handle = this.options.clock.at(due, () => this.onDue(state, due, false));
  }

  private onDue(state: TimerState, due: Date, forcePastDue: boolean): void {
    void this.enqueue(state, async () => {
      const startedAt = this.options.clock.now();
      const pastDue = forcePastDue || startedAt.getTime() - due.getTime() > PAST_DUE_TOLERANCE_MS;
      try {
        await this.run(state, pastDue);
      } catch {
        // The host logged the failure; a failed run does not stop the schedule (as in Azure).
      }
      const now = this.options.clock.now();
      const from = now.getTime() > due.getTime() ? now : due;
      state.status = { last: due.toISOString(), next: state.schedule.next(from).toISOString(), lastUpdated: now.toISOString() };
      await this.persist(state);
      this.arm(state);
    }).catch((error: unknown) => this.options.onError(state.fn, error));
  }

  private run(state: TimerState, isPastDue: boolean): Promise<unknown> {
    const timer: TimerInfo = {
      isPastDue,
      schedule: { adjustForDST: state.schedule.adjustForDST },
      scheduleStatus: { ...state.status },
    };
    return this.options.invoke(state.fn, timer);
  }

  private enqueue<T>(state: TimerState, task: () => Promise<T>): Promise<T> {
    const run = state.queue.then(task);
    state.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async persist(state: TimerState): Promise<void> {
    if (!state.useMonitor) return;
    try {
      await this.options.store.write(state.fn.name, state.status);
    } catch (error) {
      this.options.onError(state.fn, error);
    }
  }
}
