/**
 * Timer trigger schedules as Azure reads them:
 * - NCRONTAB with six fields, seconds first: `{second} {minute} {hour} {day} {month} {day-of-week}`
 *   (Azure rejects five-field expressions, so devhost does too);
 * - a TimeSpan `hh:mm:ss` or `d.hh:mm:ss` (fixed interval between runs);
 * - `%SettingName%`, resolved from the app settings first.
 * Cron schedules are evaluated in `WEBSITE_TIME_ZONE` when set (an IANA name here), else UTC, as in Azure.
 */
import { Cron } from 'croner';

export interface TimerSchedule {
  readonly expression: string;
  readonly kind: 'cron' | 'timespan';
  /** Azure's `schedule.adjustForDST` flag passed to the handler. */
  readonly adjustForDST: boolean;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/;

export function resolveSettingExpression(expression: string, settings: Readonly<Record<string, string | undefined>>): string {
  const whole = /^%([^%]+)%$/.exec(expression.trim());
  if (!whole) return expression;
  const value = settings[whole[1]];
  if (value === undefined || value === '') throw new Error(`schedule refers to app setting "${whole[1]}", which is not set`);
  return value;
}

export function parseSchedule(expression: string, timeZone = 'UTC'): TimerSchedule {
  const trimmed = expression.trim();
  const span = TIMESPAN.exec(trimmed);
  if (span) {
    const [, days, hours, minutes, seconds] = span;
    const intervalMs = (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
    if (intervalMs <= 0) throw new Error(`schedule "${expression}" is a zero interval`);
    return { expression: trimmed, kind: 'timespan', adjustForDST: false, next: (after) => new Date(after.getTime() + intervalMs) };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(`schedule "${expression}" must have six NCRONTAB fields (second minute hour day month day-of-week), found ${fields.length}`);
  }
  let cron: Cron;
  try {
    cron = new Cron(trimmed, { paused: true, timezone: timeZone });
  } catch (error) {
    throw new Error(`schedule "${expression}" is not a valid NCRONTAB expression: ${(error as Error).message}`);
  }
  return {
    expression: trimmed,
    kind: 'cron',
    adjustForDST: true,
    next(after: Date): Date {
      const next = cron.nextRun(after);
      if (!next) throw new Error(`schedule "${expression}" has no occurrence after ${after.toISOString()}`);
      return next;
    },
  };
}

/**
 * Azure's `useMonitor` default: the schedule status is persisted when occurrences are at least
 * a minute apart (sub-minute schedules would write storage on every tick).
 */
export function defaultUseMonitor(schedule: TimerSchedule, from: Date): boolean {
  const first = schedule.next(from);
  const second = schedule.next(first);
  return second.getTime() - first.getTime() >= 60_000;
}
