import { defaultUseMonitor, parseSchedule, resolveSettingExpression } from '../../devhost/timerSchedule';

const at = (iso: string): Date => new Date(iso);

describe('parseSchedule', () => {
  it.each([
    ['0 */5 * * * *', '2030-01-01T00:00:30Z', '2030-01-01T00:05:00.000Z'],
    ['*/10 * * * * *', '2030-01-01T00:00:31Z', '2030-01-01T00:00:40.000Z'],
    ['0 30 9 * * 1-5', '2030-01-05T12:00:00Z', '2030-01-07T09:30:00.000Z'], // Saturday -> Monday
    ['0 0 0 1 1 *', '2030-06-01T00:00:00Z', '2031-01-01T00:00:00.000Z'],
    ['00:15:00', '2030-01-01T00:00:00Z', '2030-01-01T00:15:00.000Z'],
    ['1.00:00:00', '2030-01-01T00:00:00Z', '2030-01-02T00:00:00.000Z'],
  ])('%s after %s is %s (UTC)', (expression, after, next) => {
    expect(parseSchedule(expression).next(at(after)).toISOString()).toBe(next);
  });

  it('is strictly after the given instant', () => {
    expect(parseSchedule('0 */5 * * * *').next(at('2030-01-01T00:05:00Z')).toISOString()).toBe('2030-01-01T00:10:00.000Z');
  });

  it('evaluates in WEBSITE_TIME_ZONE when given', () => {
    expect(parseSchedule('0 0 9 * * *', 'Europe/Berlin').next(at('2030-01-01T00:00:00Z')).toISOString()).toBe('2030-01-01T08:00:00.000Z');
  });

  it.each([
    ['0 */5 * * *', 'six NCRONTAB fields'],
    ['0 0 0 * * * 2030', 'six NCRONTAB fields'],
    ['0 99 * * * *', 'not a valid NCRONTAB'],
    ['00:00:00', 'zero interval'],
  ])('rejects %s', (expression, message) => {
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});

describe('resolveSettingExpression', () => {
  it('reads %Name% from the settings and names a missing one', () => {
    expect(resolveSettingExpression('%SWEEP_SCHEDULE%', { SWEEP_SCHEDULE: '0 0 * * * *' })).toBe('0 0 * * * *');
    expect(() => resolveSettingExpression('%SWEEP_SCHEDULE%', {})).toThrow('"SWEEP_SCHEDULE"');
    expect(resolveSettingExpression('0 0 * * * *', {})).toBe('0 0 * * * *');
  });
});

describe('defaultUseMonitor', () => {
  it('is on for schedules a minute or more apart, off below', () => {
    expect(defaultUseMonitor(parseSchedule('0 * * * * *'), at('2030-01-01T00:00:00Z'))).toBe(true);
    expect(defaultUseMonitor(parseSchedule('*/30 * * * * *'), at('2030-01-01T00:00:00Z'))).toBe(false);
  });
});
