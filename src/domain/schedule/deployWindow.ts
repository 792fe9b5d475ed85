/**
 * When a deployment may go out: allowed weekly windows in an IANA time zone, and freezes
 * (absolute periods with a reason). Pure: the time is passed in, and the orchestrator passes
 * `context.df.currentUtcDateTime`, so the same history always decides the same way.
 *
 * Calendars come from three scopes (the app, its release group, the whole configuration) and
 * all of them must allow a deployment: the windows intersect, and any freeze refuses.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Deploys allowed on `days` from `start` to `end` (local `HH:MM`); an `end` at or before `start` runs past midnight. */
export interface WeeklyWindow {
  days: Weekday[];
  start: string;
  end: string;
}

/** No deploys from `start` to `end` (ISO 8601 instants). */
export interface Freeze {
  start: string;
  end: string;
  reason: string;
}

export interface DeployCalendar {
  /** Who set it, for the reason: `app sound-forge`, `group media`, `global`. */
  scope: string;
  timeZone: string;
  /** Empty: any time (only the freezes apply). */
  windows: WeeklyWindow[];
  freezes: Freeze[];
}

/**
 * - `open`: deploy now;
 * - `closed`: outside the allowed windows; wait until `opensAt`;
 * - `frozen`: a freeze is on; refuse with its reason (a freeze is a decision, not a wait);
 * - `never`: the windows of the scopes never overlap within the horizon; refuse.
 */
export type WindowVerdict =
  | { kind: 'open' }
  | { kind: 'closed'; opensAt: string; reason: string }
  | { kind: 'frozen'; until: string; reason: string }
  | { kind: 'never'; reason: string };

/** How far ahead an opening is looked for: two weeks covers any weekly schedule. */
const HORIZON_MS = 15 * 24 * 3_600_000;

export function judgeDeployWindow(calendars: readonly DeployCalendar[], now: Date): WindowVerdict {
  const nowMs = now.getTime();
  for (const calendar of calendars) {
    const freeze = calendar.freezes.find((f) => Date.parse(f.start) <= nowMs && nowMs < Date.parse(f.end));
    if (freeze) return { kind: 'frozen', until: new Date(Date.parse(freeze.end)).toISOString(), reason: `deploy freeze (${calendar.scope}) until ${freeze.end}: ${freeze.reason}` };
  }
  const limited = calendars.filter((c) => c.windows.length > 0);
  const closed = limited.filter((c) => !isOpenAt(c, nowMs));
  if (closed.length === 0) return { kind: 'open' };
  // The windows intersect: move to the next opening of whichever scope is closed, until all are open.
  let at = nowMs;
  while (at - nowMs <= HORIZON_MS) {
    const shut = limited.find((c) => !isOpenAt(c, at));
    if (!shut) return { kind: 'closed', opensAt: new Date(at).toISOString(), reason: `outside the deploy window of ${closed.map(describeCalendar).join(' and ')}` };
    const next = nextOpening(shut, at);
    if (next === undefined) break;
    at = next;
  }
  return { kind: 'never', reason: `the deploy windows of ${limited.map(describeCalendar).join(' and ')} never overlap` };
}

/** `app rachel: mon-thu 09:00-16:00 Europe/Oslo`. */
export function describeCalendar(calendar: DeployCalendar): string {
  return `${calendar.scope} (${calendar.windows.map((w) => `${w.days.join(',')} ${w.start}-${w.end}`).join('; ')} ${calendar.timeZone})`;
}

/** Whether `atMs` falls in one of the calendar's windows (its freezes aside). */
export function isOpenAt(calendar: DeployCalendar, atMs: number): boolean {
  if (calendar.windows.length === 0) return true;
  const local = localTime(atMs, calendar.timeZone);
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(local.weekday) + 6) % 7];
  return calendar.windows.some((w) => {
    const start = minutesOf(w.start);
    const end = minutesOf(w.end);
    if (end > start) return w.days.includes(local.weekday) && local.minutes >= start && local.minutes < end;
    // Past midnight: the evening of a listed day, or the early hours after one.
    return (w.days.includes(local.weekday) && local.minutes >= start) || (w.days.includes(yesterday) && local.minutes < end);
  });
}

/** The first window start after `afterMs`, within the horizon. */
export function nextOpening(calendar: DeployCalendar, afterMs: number): number | undefined {
  const local = localTime(afterMs, calendar.timeZone);
  let best: number | undefined;
  for (let dayOffset = 0; dayOffset <= 8; dayOffset++) {
    const date = addDays(local.date, dayOffset);
    const weekday = WEEKDAYS[(WEEKDAYS.indexOf(local.weekday) + dayOffset) % 7];
    for (const window of calendar.windows) {
      if (!window.days.includes(weekday)) continue;
      const startMs = instantOf(date, minutesOf(window.start), calendar.timeZone);
      if (startMs > afterMs && (best === undefined || startMs < best)) best = startMs;
    }
  }
  return best;
}

interface LocalTime {
  date: { year: number; month: number; day: number };
  weekday: Weekday;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

function partsOf(atMs: number, timeZone: string): Record<string, string> {
  return Object.fromEntries(formatterFor(timeZone).formatToParts(new Date(atMs)).map((p) => [p.type, p.value]));
}

function localTime(atMs: number, timeZone: string): LocalTime {
  const parts = partsOf(atMs, timeZone);
  return {
    date: { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) },
    weekday: parts.weekday.toLowerCase().slice(0, 3) as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** The zone's offset from UTC at `atMs`, in ms. */
function offsetAt(atMs: number, timeZone: string): number {
  const p = partsOf(atMs, timeZone);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in `timeZone`. A time skipped by a DST change
 * (02:30 on the spring-forward night) maps to the instant just after the gap, as clocks read it.
 */
function instantOf(date: LocalTime['date'], minutes: number, timeZone: string): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, Math.floor(minutes / 60), minutes % 60);
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return Math.max(first, second);
}

function addDays(date: LocalTime['date'], days: number): LocalTime['date'] {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}
