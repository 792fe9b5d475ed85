/**
 * Time for devhost: timers (NCRONTAB schedules) and durable timers both read it, so a
 * test can skip time through either without touching product code.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): Date;
  /** Calls `callback` once the clock reaches `at` (at once if it already has). */
  at(at: Date, callback: () => void): TimerHandle;
}

/** Wall-clock time. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }

  at(at: Date, callback: () => void): TimerHandle {
    // setTimeout caps at ~24.8 days; re-arm for longer waits.
    const MAX_DELAY_MS = 2 ** 31 - 1;
    let handle: NodeJS.Timeout;
    const arm = (): void => {
      const delayMs = at.getTime() - Date.now();
      if (delayMs > MAX_DELAY_MS) {
        handle = setTimeout(arm, MAX_DELAY_MS);
      } else {
        handle = setTimeout(callback, Math.max(0, delayMs));
      }
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
}

/**
 * A clock that runs at wall-clock speed from an offset that tests can move forward:
 * `advanceBy(ms)` fires everything that came due, in order, as if that time had passed.
 */
export class ControllableClock implements Clock {
  private offsetMs = 0;
  private readonly pending = new Set<{ at: number; callback: () => void; timer?: NodeJS.Timeout }>();

  constructor(start?: Date) {
    if (start) this.offsetMs = start.getTime() - Date.now();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  at(at: Date, callback: () => void): TimerHandle {
    const entry: { at: number; callback: () => void; timer?: NodeJS.Timeout } = { at: at.getTime(), callback };
    this.pending.add(entry);
    this.arm(entry);
    return {
      cancel: () => {
        if (entry.timer) clearTimeout(entry.timer);
        this.pending.delete(entry);
      },
    };
  }

  /** Moves time forward and fires, in due order, every timer that came due. */
  advanceBy(ms: number): void {
    if (ms < 0) throw new RangeError('A clock only moves forward');
    this.offsetMs += ms;
    const due = [...this.pending].filter((e) => e.at <= this.now().getTime()).sort((a, b) => a.at - b.at);
    for (const entry of this.pending) {
      if (!due.includes(entry)) this.arm(entry);
    }
    for (const entry of due) this.fire(entry);
  }

  private arm(entry: { at: number; callback: () => void; timer?: NodeJS.Timeout }): void {
    if (entry.timer) clearTimeout(entry.timer);
    const delayMs = Math.min(Math.max(0, entry.at - this.now().getTime()), 2 ** 31 - 1);
    entry.timer = setTimeout(() => {
      if (entry.at <= this.now().getTime()) this.fire(entry);
      else this.arm(entry);
    }, delayMs);
    entry.timer.unref?.();
  }

  private fire(entry: { at: number; callback: () => void; timer?: NodeJS.Timeout }): void {
    if (!this.pending.delete(entry)) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.callback();
  }
}
