// Alerts on change: one sweep's verdict against the app's alert state.
// Notifications are relative to what people were last told (`notifiedVerdict`), not to the last sweep:
//   worse     the verdict is worse than anything announced in this bad spell
//             (healthy → degraded → unhealthy);
//   reminder  still bad, and `reminderMinutes` have passed since the last notification;
//   flapping  the announced spell keeps coming back: it turned bad again after a healthy sweep
//             `flapping.flips` times within `flapping.windowMinutes`. Said once per spell; the
//             state records `flapping: true` until the spell resolves;
//   resolved  healthy for `resolveAfterHealthySweeps` consecutive sweeps after a bad spell that was
//             announced (hysteresis: one healthy sweep between bad ones does not end the spell);
//   nothing   otherwise: never one notification per sweep. Getting better but still bad
//             (unhealthy → degraded) is not news, and flapping back to the announced level is not
//             announced twice: reminders continue on the same clock.
// A silence (maintenance window) mutes notifications but not the state: `verdict`/`since` follow the
// sweeps while the announcement fields stay as they were. So a spell that worsened under silence is
// announced as `worse` on the first sweep after it, and one that was announced and recovered under
// silence gets its `resolved` then; a spell that began and ended inside the silence is never heard of.
// `reminderMinutes` ≤ 0 turns reminders off.
import type { AlertSeverity, AppHealthVerdict } from './judgeApp';

export type AlertNotification = 'worse' | 'reminder' | 'flapping' | 'resolved';

export interface AlertState {
  verdict: AppHealthVerdict;
  /** ISO-8601 time the app entered this verdict. */
  since: string;
  /** ISO-8601 time of the last notification of the current bad spell. */
  lastNotifiedAt?: string;
  /** The worst verdict announced in the current bad spell; absent when nothing is announced. */
  notifiedVerdict?: AppHealthVerdict;
  severity?: AlertSeverity;
  /** Consecutive healthy sweeps since the announced spell last was bad. */
  healthySweeps?: number;
  /** ISO-8601 times the announced spell turned bad again after a healthy sweep (within the flap window). */
  relapses?: string[];
  /** The announced spell is flapping (announced once, until it resolves). */
  flapping?: boolean;
}

export interface AlertPolicy {
  reminderMinutes: number;
  silenced: boolean;
  /** Consecutive healthy sweeps that end an announced spell (default 3). */
  resolveAfterHealthySweeps?: number;
  /** Relapses within the window that make a spell flapping (default 3 within 60 minutes). */
  flapping?: { relapses: number; windowMinutes: number };
}

export const DEFAULT_RESOLVE_AFTER_HEALTHY_SWEEPS = 3;
export const DEFAULT_FLAPPING = { relapses: 3, windowMinutes: 60 } as const;

export interface AlertDecision {
  notify: AlertNotification | undefined;
  nextState: AlertState;
}

const RANK: Readonly<Record<AppHealthVerdict, number>> = { healthy: 0, degraded: 1, unhealthy: 2 };

export function decideAlert(previous: AlertState | undefined, current: { verdict: AppHealthVerdict; severity?: AlertSeverity }, policy: AlertPolicy, now: Date): AlertDecision {
  const at = now.toISOString();
  const since = previous !== undefined && previous.verdict === current.verdict ? previous.since : at;
  const base: AlertState = { verdict: current.verdict, since, ...(current.severity === undefined ? {} : { severity: current.severity }) };
  // A state stored without `notifiedVerdict` but notified while bad announced its own verdict.
  const announced = previous?.notifiedVerdict ?? (previous?.lastNotifiedAt !== undefined && previous.verdict !== 'healthy' ? previous.verdict : undefined);
  const told = announced === undefined || previous?.lastNotifiedAt === undefined ? {} : { notifiedVerdict: announced, lastNotifiedAt: previous.lastNotifiedAt };
  const resolveAfter = Math.max(1, policy.resolveAfterHealthySweeps ?? DEFAULT_RESOLVE_AFTER_HEALTHY_SWEEPS);
  const flapRule = policy.flapping ?? DEFAULT_FLAPPING;

  // The spell's memory while it is announced: healthy streak, relapses in the window, flapping.
  const healthy = current.verdict === 'healthy';
  const relapsed = !healthy && previous?.verdict === 'healthy' && announced !== undefined;
  const windowStart = now.getTime() - flapRule.windowMinutes * 60_000;
  const relapses = [...(previous?.relapses ?? []), ...(relapsed ? [at] : [])].filter((t) => Date.parse(t) > windowStart);
  const healthySweeps = healthy ? (previous?.healthySweeps ?? 0) + 1 : 0;
  const wasFlapping = previous?.flapping === true;
  const spell: Partial<AlertState> =
    announced === undefined
      ? {}
      : { ...(healthySweeps > 0 ? { healthySweeps } : {}), ...(relapses.length > 0 ? { relapses } : {}), ...(wasFlapping ? { flapping: true } : {}) };

  const wanted = ((): AlertNotification | undefined => {
    if (healthy) return announced !== undefined && healthySweeps >= resolveAfter ? 'resolved' : undefined;
    if (RANK[current.verdict] > RANK[announced ?? 'healthy']) return 'worse';
    if (!wasFlapping && relapses.length >= flapRule.relapses) return 'flapping';
    if (policy.reminderMinutes <= 0 || previous?.lastNotifiedAt === undefined) return undefined;
    const sinceNotifiedMs = now.getTime() - Date.parse(previous.lastNotifiedAt);
    return sinceNotifiedMs >= policy.reminderMinutes * 60_000 ? 'reminder' : undefined;
  })();

  if (policy.silenced || wanted === undefined) {
    // Muted or nothing to say: what people were told stays as it was (a healthy spell with nothing
    // announced carries nothing).
    const keep = healthy && announced === undefined ? {} : { ...told, ...spell };
    return { notify: undefined, nextState: { ...base, ...keep } };
  }
  if (wanted === 'resolved') return { notify: wanted, nextState: base };
  const notifiedVerdict = wanted === 'worse' ? current.verdict : (announced ?? current.verdict);
  const flapping = wanted === 'flapping' || wasFlapping ? { flapping: true } : {};
  return { notify: wanted, nextState: { ...base, ...spell, ...flapping, notifiedVerdict, lastNotifiedAt: at } };
}
