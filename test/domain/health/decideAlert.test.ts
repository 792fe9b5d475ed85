import { decideAlert, type AlertNotification, type AlertPolicy, type AlertState, type AppHealthVerdict } from '../../../src/domain/health';

const T0 = new Date('2026-03-01T12:00:00Z');
const minutes = (m: number): Date => new Date(T0.getTime() + m * 60_000);
const iso = (m: number): string => minutes(m).toISOString();
const loud: AlertPolicy = { reminderMinutes: 60, silenced: false };
const quiet: AlertPolicy = { reminderMinutes: 60, silenced: true };

describe('decideAlert: one decision, by rule', () => {
  it.each<[string, AlertState | undefined, AppHealthVerdict, AlertPolicy, number, AlertNotification | undefined]>([
    ['a first verdict that is healthy says nothing', undefined, 'healthy', loud, 0, undefined],
    ['a first verdict that is bad is news', undefined, 'unhealthy', loud, 0, 'worse'],
    ['healthy → degraded is worse', { verdict: 'healthy', since: iso(0) }, 'degraded', loud, 5, 'worse'],
    ['degraded → unhealthy is worse', { verdict: 'degraded', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'degraded' }, 'unhealthy', loud, 5, 'worse'],
    ['still degraded before the reminder interval says nothing', { verdict: 'degraded', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'degraded' }, 'degraded', loud, 59, undefined],
    ['still degraded at the reminder interval reminds', { verdict: 'degraded', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'degraded' }, 'degraded', loud, 60, 'reminder'],
    ['unhealthy → degraded is better but still bad: no news', { verdict: 'unhealthy', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'unhealthy' }, 'degraded', loud, 5, undefined],
    ['one healthy sweep after an announced spell does not resolve it yet', { verdict: 'unhealthy', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'unhealthy' }, 'healthy', loud, 5, undefined],
    ['the third healthy sweep in a row after an announced spell resolves it', { verdict: 'healthy', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'unhealthy', healthySweeps: 2 }, 'healthy', loud, 5, 'resolved'],
    ['resolving after one healthy sweep when the policy says so', { verdict: 'unhealthy', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'unhealthy' }, 'healthy', { ...loud, resolveAfterHealthySweeps: 1 }, 5, 'resolved'],
    ['a silence mutes a worsening', { verdict: 'healthy', since: iso(0) }, 'unhealthy', quiet, 5, undefined],
    ['a silence mutes a reminder', { verdict: 'degraded', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'degraded' }, 'degraded', quiet, 120, undefined],
    ['reminders off (0 minutes) never remind', { verdict: 'degraded', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'degraded' }, 'degraded', { reminderMinutes: 0, silenced: false }, 600, undefined],
    ['a state stored without notifiedVerdict counts its own verdict as announced', { verdict: 'degraded', since: iso(0), lastNotifiedAt: iso(0) }, 'degraded', loud, 5, undefined],
  ])('%s', (_rule, previous, verdict, policy, atMinute, notify) => {
    expect(decideAlert(previous, { verdict }, policy, minutes(atMinute)).notify).toBe(notify);
  });

  it('keeps `since` while the verdict holds and moves it when the verdict changes', () => {
    const previous: AlertState = { verdict: 'degraded', since: iso(0), lastNotifiedAt: iso(0), notifiedVerdict: 'degraded', severity: 'warning' };
    expect(decideAlert(previous, { verdict: 'degraded', severity: 'warning' }, loud, minutes(10)).nextState.since).toBe(iso(0));
    expect(decideAlert(previous, { verdict: 'unhealthy', severity: 'critical' }, loud, minutes(10)).nextState).toEqual({
      verdict: 'unhealthy', since: iso(10), severity: 'critical', notifiedVerdict: 'unhealthy', lastNotifiedAt: iso(10),
    });
  });
});

// Tick a sequence of sweeps and collect what was sent: the alert flow an on-call engineer would see.
function sweep(policyAt: (minute: number) => AlertPolicy, verdicts: Array<[number, AppHealthVerdict]>): Array<[number, AlertNotification]> {
  let state: AlertState | undefined;
  const sent: Array<[number, AlertNotification]> = [];
  for (const [minute, verdict] of verdicts) {
    const decision = decideAlert(state, { verdict }, policyAt(minute), minutes(minute));
    if (decision.notify) sent.push([minute, decision.notify]);
    state = decision.nextState;
  }
  return sent;
}

const every5 = (from: number, to: number, verdict: AppHealthVerdict): Array<[number, AppHealthVerdict]> =>
  Array.from({ length: Math.floor((to - from) / 5) + 1 }, (_, i) => [from + i * 5, verdict]);

describe('decideAlert: sweeps every 5 minutes', () => {
  it('an outage gives worse, hourly reminders and resolved, never one per sweep', () => {
    const sent = sweep(() => loud, [...every5(0, 10, 'healthy'), ...every5(15, 140, 'unhealthy'), ...every5(145, 160, 'healthy')]);
    expect(sent).toEqual([[15, 'worse'], [75, 'reminder'], [135, 'reminder'], [155, 'resolved']]);
  });

  it('degraded then unhealthy escalates once each; flapping back and forth is not re-announced', () => {
    const sent = sweep(() => loud, [[0, 'degraded'], [5, 'unhealthy'], [10, 'degraded'], [15, 'unhealthy'], [20, 'degraded'], ...every5(25, 35, 'healthy')]);
    expect(sent).toEqual([[0, 'worse'], [5, 'worse'], [35, 'resolved']]);
  });

  it('a silence keeps the state: a spell that worsened inside it is announced when it ends', () => {
    const silencedUntil30 = (m: number): AlertPolicy => ({ reminderMinutes: 60, silenced: m < 30 });
    const sent = sweep(silencedUntil30, [[0, 'healthy'], [10, 'unhealthy'], [20, 'unhealthy'], [30, 'unhealthy'], [35, 'unhealthy'], ...every5(40, 50, 'healthy')]);
    expect(sent).toEqual([[30, 'worse'], [50, 'resolved']]);
  });

  it('a spell that begins and ends inside a silence is never heard of', () => {
    const silencedUntil30 = (m: number): AlertPolicy => ({ reminderMinutes: 60, silenced: m < 30 });
    expect(sweep(silencedUntil30, [[0, 'healthy'], [10, 'unhealthy'], [20, 'healthy'], [30, 'healthy']])).toEqual([]);
  });

  it('an announced spell that recovers inside a silence is resolved when the silence ends', () => {
    const silencedFrom10To30 = (m: number): AlertPolicy => ({ reminderMinutes: 60, silenced: m >= 10 && m < 30 });
    expect(sweep(silencedFrom10To30, [[0, 'unhealthy'], [10, 'unhealthy'], [20, 'healthy'], [25, 'healthy'], [30, 'healthy'], [35, 'healthy']])).toEqual([[0, 'worse'], [30, 'resolved']]);
  });
});

describe('decideAlert: hysteresis and flapping', () => {
  const alternating = (from: number, to: number): Array<[number, AppHealthVerdict]> => every5(from, to, 'healthy').map(([m]) => [m, (m / 5) % 2 === 0 ? 'unhealthy' : 'healthy']);

  it('one healthy sweep inside an outage neither resolves it nor re-announces it', () => {
    const sent = sweep(() => loud, [[0, 'unhealthy'], [5, 'healthy'], [10, 'unhealthy'], [15, 'unhealthy'], ...every5(20, 30, 'healthy')]);
    expect(sent).toEqual([[0, 'worse'], [30, 'resolved']]);
  });

  it('an app flapping every sweep: one worse, one flapping, then quiet until three healthy sweeps in a row resolve it', () => {
    const sent = sweep(() => loud, [...alternating(0, 40), ...every5(45, 55, 'healthy')]);
    expect(sent).toEqual([[0, 'worse'], [30, 'flapping'], [55, 'resolved']]);
  });

  it('the flapping state is recorded and kept until the spell resolves', () => {
    let state: AlertState | undefined;
    for (const [m, verdict] of alternating(0, 30)) state = decideAlert(state, { verdict }, loud, minutes(m)).nextState;
    expect(state).toMatchObject({ verdict: 'unhealthy', flapping: true, notifiedVerdict: 'unhealthy', lastNotifiedAt: iso(30) });
    state = decideAlert(state, { verdict: 'healthy' }, loud, minutes(35)).nextState;
    expect(state).toMatchObject({ flapping: true, healthySweeps: 1 });
    for (const m of [40, 45]) state = decideAlert(state, { verdict: 'healthy' }, loud, minutes(m)).nextState;
    expect(state).toEqual({ verdict: 'healthy', since: iso(35) });
  });

  it('relapses spread wider than the window are not flapping', () => {
    const slow: Array<[number, AppHealthVerdict]> = [];
    for (let hour = 0; hour < 4; hour++) slow.push([hour * 60, 'unhealthy'], [hour * 60 + 5, 'healthy'], [hour * 60 + 10, 'healthy']);
    const sent = sweep(() => ({ ...loud, reminderMinutes: 0, flapping: { relapses: 3, windowMinutes: 60 } }), slow);
    expect(sent.filter(([, n]) => n === 'flapping')).toEqual([]);
  });
});
