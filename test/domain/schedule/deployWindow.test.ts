import { judgeDeployWindow, type DeployCalendar } from '../../../src/domain/schedule/deployWindow';

/** Mon–Thu 09:00–16:00 in Oslo (UTC+1 in winter, UTC+2 in summer). */
const oslo: DeployCalendar = { scope: 'app grocery-planner-web', timeZone: 'Europe/Oslo', windows: [{ days: ['mon', 'tue', 'wed', 'thu'], start: '09:00', end: '16:00' }], freezes: [] };
/** Every night 22:00–02:00 in New York. */
const nights: DeployCalendar = { scope: 'group media', timeZone: 'America/New_York', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '22:00', end: '02:00' }], freezes: [] };
const freeze: DeployCalendar = { scope: 'global', timeZone: 'UTC', windows: [], freezes: [{ start: '2026-12-21T00:00:00+01:00', end: '2027-01-04T00:00:00+01:00', reason: 'holiday freeze' }] };
const noWindows: DeployCalendar = { scope: 'app raxol', timeZone: 'UTC', windows: [], freezes: [] };

describe('deploy windows', () => {
  // 2026-12-02 is a Wednesday; Oslo is UTC+1 in December.
  it.each([
    ['Wednesday 10:00 Oslo is inside Mon–Thu 09–16', '2026-12-02T09:00:00Z', { kind: 'open' }],
    ['Wednesday 09:00 Oslo exactly: the window has opened', '2026-12-02T08:00:00Z', { kind: 'open' }],
    ['Wednesday 16:00 Oslo exactly: the window has closed, opens Thursday 09:00', '2026-12-02T15:00:00Z', { kind: 'closed', opensAt: '2026-12-03T08:00:00.000Z' }],
    ['Wednesday 23:00 Oslo waits for Thursday 09:00', '2026-12-02T22:00:00Z', { kind: 'closed', opensAt: '2026-12-03T08:00:00.000Z' }],
    ['Thursday 23:00 Oslo waits over the weekend for Monday 09:00', '2026-12-03T22:00:00Z', { kind: 'closed', opensAt: '2026-12-07T08:00:00.000Z' }],
    ['Sunday noon waits for Monday', '2026-12-06T11:00:00Z', { kind: 'closed', opensAt: '2026-12-07T08:00:00.000Z' }],
  ])('%s', (_rule, now, expected) => {
    expect(judgeDeployWindow([oslo], new Date(now))).toMatchObject(expected);
  });

  it('follows the zone across a daylight-saving change (Oslo goes to UTC+2 on 29 March 2026)', () => {
    // Friday 27 March, 12:00 UTC: closed until Monday 30 March 09:00 local, which is 07:00 UTC in summer time.
    expect(judgeDeployWindow([oslo], new Date('2026-03-27T12:00:00Z'))).toMatchObject({ kind: 'closed', opensAt: '2026-03-30T07:00:00.000Z' });
  });

  it.each([
    ['23:00 New York is inside a window that runs past midnight', '2026-12-03T04:00:00Z', { kind: 'open' }],
    ['01:30 New York, the early hours after a listed evening, is still inside', '2026-12-03T06:30:00Z', { kind: 'open' }],
    ['noon New York waits for 22:00 (03:00 UTC next day)', '2026-12-02T17:00:00Z', { kind: 'closed', opensAt: '2026-12-03T03:00:00.000Z' }],
  ])('%s', (_rule, now, expected) => {
    expect(judgeDeployWindow([nights], new Date(now))).toMatchObject(expected);
  });

  it('intersects the scopes: every calendar must be open', () => {
    // Oslo opens Thursday 09:00 (08:00 UTC); New York's nights are 03:00–07:00 UTC: they never overlap.
    expect(judgeDeployWindow([oslo, nights], new Date('2026-12-02T22:00:00Z'))).toMatchObject({ kind: 'never' });
    const osloEvening: DeployCalendar = { ...oslo, scope: 'global', windows: [{ days: ['thu'], start: '12:00', end: '20:00' }] };
    // Wednesday 23:00 Oslo: the app's window opens Thursday 09:00, the global one Thursday 12:00: both at 12:00.
    expect(judgeDeployWindow([oslo, osloEvening], new Date('2026-12-02T22:00:00Z'))).toMatchObject({ kind: 'closed', opensAt: '2026-12-03T11:00:00.000Z' });
  });

  it('refuses during a freeze with its reason, whatever the windows say', () => {
    const verdict = judgeDeployWindow([oslo, freeze], new Date('2026-12-22T09:00:00Z'));
    expect(verdict).toMatchObject({ kind: 'frozen', until: '2027-01-03T23:00:00.000Z' });
    expect(verdict.kind === 'frozen' && verdict.reason).toMatch(/global.*holiday freeze/);
    expect(judgeDeployWindow([freeze], new Date('2027-01-04T00:00:00+01:00'))).toEqual({ kind: 'open' });
  });

  it('is always open without windows or freezes', () => {
    expect(judgeDeployWindow([], new Date('2026-12-02T03:00:00Z'))).toEqual({ kind: 'open' });
    expect(judgeDeployWindow([noWindows], new Date('2026-12-02T03:00:00Z'))).toEqual({ kind: 'open' });
  });
});
