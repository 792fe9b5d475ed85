import { planRetention, isoWeekKey, type RetentionCandidate, type RetentionRules } from '../../../src/domain/backup';

const NOW = new Date('2025-03-20T12:00:00Z');
const rules = (overrides: Partial<RetentionRules> = {}): RetentionRules => ({ keepLast: 0, daily: 0, weekly: 0, monthly: 0, preMigrationMinAgeDays: 0, ...overrides });
const backup = (id: string, createdAt: string, trigger: RetentionCandidate['trigger'] = 'schedule'): RetentionCandidate => ({ backupId: id, createdAt, trigger });

/** One backup a day at 02:00 from `from` for `days` days. */
function daily(from: string, days: number): RetentionCandidate[] {
  const start = Date.parse(from);
  return Array.from({ length: days }, (_, i) => backup(`d${String(i).padStart(3, '0')}`, new Date(start + i * 86_400_000).toISOString()));
}

const kept = (plan: ReturnType<typeof planRetention>) => plan.keep.map((d) => d.backupId).sort();

describe('planRetention (grandfather-father-son)', () => {
  it('never deletes the newest verified backup, even with every count at zero', () => {
    const plan = planRetention(daily('2025-03-01T02:00:00Z', 5), rules(), NOW);
    expect(kept(plan)).toEqual(['d004']);
    expect(plan.keep[0].keptBy).toEqual(['newest-verified']);
    expect(plan.remove).toHaveLength(4);
  });

  it('keep-last N keeps the newest N', () => {
    expect(kept(planRetention(daily('2025-03-01T02:00:00Z', 10), rules({ keepLast: 3 }), NOW))).toEqual(['d007', 'd008', 'd009']);
  });

  it('daily keeps the newest backup of each of the newest N days that have one', () => {
    const backups = [backup('a', '2025-03-18T02:00:00Z'), backup('b', '2025-03-18T14:00:00Z'), backup('c', '2025-03-17T02:00:00Z'), backup('d', '2025-03-10T02:00:00Z')];
    // An outage (no backups 11th-16th) does not eat the generations: the 10th is the third day with a backup.
    expect(kept(planRetention(backups, rules({ daily: 3 }), NOW))).toEqual(['b', 'c', 'd']);
  });

  it('weekly keeps the newest of each ISO week; monthly the newest of each month', () => {
    const backups = daily('2025-01-01T02:00:00Z', 78); // 1 Jan .. 19 Mar
    const weekly = planRetention(backups, rules({ weekly: 3 }), NOW);
    expect(weekly.keep.map((d) => d.createdAt.slice(0, 10))).toEqual(['2025-03-19', '2025-03-16', '2025-03-09']);
    const monthly = planRetention(backups, rules({ monthly: 3 }), NOW);
    expect(monthly.keep.map((d) => d.createdAt.slice(0, 10))).toEqual(['2025-03-19', '2025-02-28', '2025-01-31']);
  });

  it('never deletes a pre-migration backup younger than its minimum age', () => {
    const backups = [backup('new', '2025-03-19T02:00:00Z'), backup('pm-young', '2025-03-15T09:00:00Z', 'pre-migration'), backup('pm-old', '2025-03-01T09:00:00Z', 'pre-migration')];
    const plan = planRetention(backups, rules({ preMigrationMinAgeDays: 7 }), NOW);
    expect(kept(plan)).toEqual(['new', 'pm-young']);
    expect(plan.keep.find((d) => d.backupId === 'pm-young')?.keptBy).toEqual(['pre-migration-min-age']);
    expect(plan.remove.map((d) => d.backupId)).toEqual(['pm-old']);
    expect(plan.remove[0].explanation).toContain('pre-migration backup older than 7 days');
  });

  it('protects a scheduled backup that a pre-migration request joined, like a pre-migration backup', () => {
    const backups = [backup('new', '2025-03-19T02:00:00Z'), { ...backup('joined', '2025-03-15T02:00:00Z'), coversMigration: true }, backup('plain', '2025-03-14T02:00:00Z')];
    const plan = planRetention(backups, rules({ preMigrationMinAgeDays: 7 }), NOW);
    expect(kept(plan)).toEqual(['joined', 'new']);
    expect(plan.keep.find((d) => d.backupId === 'joined')?.keptBy).toEqual(['pre-migration-min-age']);
  });

  it('the dry-run explanation says why each one stays or goes', () => {
    const plan = planRetention(daily('2025-03-01T02:00:00Z', 3), rules({ keepLast: 2, daily: 1 }), NOW);
    expect(plan.keep.map((d) => d.explanation)).toEqual(['keep d002: newest-verified, keep-last, daily', 'keep d001: keep-last']);
    expect(plan.remove.map((d) => d.explanation)).toEqual([expect.stringMatching(/^delete d000: not among the newest 2/)]);
  });

  it('the seed policy (defaults 7/7/4/6) over a year of dailies keeps 14, not 365', () => {
    const plan = planRetention(daily('2024-03-21T02:00:00Z', 365), { keepLast: 7, daily: 7, weekly: 4, monthly: 6, preMigrationMinAgeDays: 7 }, NOW);
    // Last 7 days (14-20 Mar, which also cover the daily rule and week 12's newest); weeks 10 and 9
    // (9 and 2 Mar); month ends Feb, Jan, Dec, Nov, Oct (March's newest is already kept).
    expect(plan.keep.map((d) => d.createdAt.slice(0, 10))).toEqual([
      '2025-03-20', '2025-03-19', '2025-03-18', '2025-03-17', '2025-03-16', '2025-03-15', '2025-03-14',
      '2025-03-09', '2025-03-02', '2025-02-28', '2025-01-31', '2024-12-31', '2024-11-30', '2024-10-31',
    ]);
    expect(plan.remove).toHaveLength(365 - 14);
  });

  it.each([
    ['2025-01-01T00:00:00Z', '2025-W01'],
    ['2024-12-30T00:00:00Z', '2025-W01'],
    ['2024-12-29T23:59:59Z', '2024-W52'],
    ['2021-01-03T00:00:00Z', '2020-W53'],
  ])('ISO week of %s is %s', (at, week) => {
    expect(isoWeekKey(new Date(at))).toBe(week);
  });
});
