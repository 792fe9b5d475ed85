// Alerts on change: one sweep's verdict against the app's alert state.
// Notifications are relative to what people were last told (`notifiedVerdict`), not to the last sweep:
//   worse     the verdict is worse than anything announced in this bad spell
//             (healthy → degraded → unhealthy);
//   reminder  still bad, and `reminderMinutes` have passed since the last notification;
//   resolved  healthy again after a bad spell that was announced;
//   nothing   otherwise: never one notification per sweep. Getting better but still bad
//             (unhealthy → degraded) is not news, and flapping back to the announced level is not
//             announced twice: reminders continue on the same clock.
// A silence (maintenance window) mutes notifications but not the state: `verdict`/`since` follow the
// sweeps while the announcement fields stay as they were. So a spell that worsened under silence is
// announced as `worse` on the first sweep after it, and one that was announced and recovered under
// silence gets its `resolved` then; a spell that began and ended inside the silence is never heard of.
// `reminderMinutes` ≤ 0 turns reminders off.
import type { AlertSeverity, AppHealthVerdict } from './judgeApp';

export type AlertNotification = 'worse' | 'reminder' | 'resolved';

export interface AlertState {
  verdict: AppHealthVerdict;
  /** ISO-8601 time the app entered this verdict. */
  since: string;
  /** ISO-8601 time of the last notification of the current bad spell. */
  lastNotifiedAt?: string;
  /** The worst verdict announced in the current bad spell; absent when nothing is announced. */
  notifiedVerdict?: AppHealthVerdict;
  severity?: AlertSeverity;
}

export interface AlertPolicy {
  reminderMinutes: number;
  silenced: boolean;
}

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

  const wanted = ((): AlertNotification | undefined => {
    if (current.verdict === 'healthy') return announced === undefined ? undefined : 'resolved';
    if (RANK[current.verdict] > RANK[announced ?? 'healthy']) return 'worse';
    if (policy.reminderMinutes <= 0 || previous?.lastNotifiedAt === undefined) return undefined;
    const sinceNotifiedMs = now.getTime() - Date.parse(previous.lastNotifiedAt);
    return sinceNotifiedMs >= policy.reminderMinutes * 60_000 ? 'reminder' : undefined;
  })();

  if (policy.silenced || wanted === undefined) {
    // Muted or nothing to say: what people were told stays as it was (a healthy spell with nothing
    // announced carries nothing).
    const keep = current.verdict === 'healthy' && announced === undefined ? {} : told;
    return { notify: undefined, nextState: { ...base, ...keep } };
  }
  if (wanted === 'resolved') return { notify: wanted, nextState: base };
  const notifiedVerdict = wanted === 'worse' ? current.verdict : (announced ?? current.verdict);
  return { notify: wanted, nextState: { ...base, notifiedVerdict, lastNotifiedAt: at } };
}
