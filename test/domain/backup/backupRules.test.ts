import { backupIdTime, hexSuffixOf, isBackupId, judgeBackupAge, judgeBackupFreshness, judgeBackupWait, newBackupId, pollDelaySeconds, scrubSecrets } from '../../../src/domain/backup';

describe('backup ids', () => {
  it('encode the time and sort chronologically', () => {
    const a = newBackupId(new Date('2025-01-15T02:00:00.123Z'), 'abcdef');
    const b = newBackupId(new Date('2025-01-15T10:00:00Z'), '000000');
    expect(a).toBe('20250115T020000Z-abcdef');
    expect(isBackupId(a)).toBe(true);
    expect(backupIdTime(a)?.toISOString()).toBe('2025-01-15T02:00:00.000Z');
    expect([b, a].sort()).toEqual([a, b]);
    expect(() => newBackupId(new Date(), 'XYZ')).toThrow();
  });

  it('derive a stable suffix from an instance id', () => {
    expect(hexSuffixOf('deploy-1-backup')).toMatch(/^[0-9a-f]{6}$/);
    expect(hexSuffixOf('deploy-1-backup')).toBe(hexSuffixOf('deploy-1-backup'));
  });
});

describe('judgeBackupFreshness', () => {
  const schedule = '0 0 2 * * *';
  it.each([
    ['fresh: today\'s 02:00 backup exists', '2025-03-20T02:00:05Z', '2025-03-20T09:00:00Z', 'fresh'],
    ['within the grace: yesterday\'s backup is enough at 03:00', '2025-03-19T02:00:05Z', '2025-03-20T03:00:00Z', 'fresh'],
    ['stale: today\'s backup is missing after the grace', '2025-03-19T02:00:05Z', '2025-03-20T05:00:00Z', 'stale'],
    ['stale: no verified backup at all', undefined, '2025-03-20T05:00:00Z', 'stale'],
  ])('%s', (_name, newest, now, verdict) => {
    expect(judgeBackupFreshness({ schedule, newestVerifiedAt: newest, now: new Date(now) }).verdict).toBe(verdict);
  });

  it('awaiting the first backup before the first scheduled time after the database was first seen (and its grace) has passed', () => {
    const firstSeen = '2025-03-20T04:00:00Z';
    expect(judgeBackupFreshness({ schedule, now: new Date('2025-03-20T05:00:00Z'), watchedSince: firstSeen })).toMatchObject({
      verdict: 'awaiting-first-backup',
      firstDueAt: '2025-03-21T02:00:00.000Z',
      reason: expect.stringContaining('due at 2025-03-21T02:00:00.000Z'),
    });
    // Due at 02:00, still running within the 2 h grace at 03:59; missing at 04:01.
    expect(judgeBackupFreshness({ schedule, now: new Date('2025-03-21T03:59:00Z'), watchedSince: firstSeen }).verdict).toBe('awaiting-first-backup');
    expect(judgeBackupFreshness({ schedule, now: new Date('2025-03-21T04:01:00Z'), watchedSince: firstSeen })).toMatchObject({ verdict: 'stale', expectedSince: '2025-03-21T02:00:00.000Z' });
  });

  it('a database first seen just before a scheduled time waits for that one', () => {
    expect(judgeBackupFreshness({ schedule, now: new Date('2025-03-20T01:59:00Z'), watchedSince: '2025-03-20T01:58:00Z' })).toMatchObject({ verdict: 'awaiting-first-backup', firstDueAt: '2025-03-20T02:00:00.000Z' });
  });

  it('fresh, not "awaiting the first backup", when a database first seen today already has a backup newer than the last due time', () => {
    const verdict = judgeBackupFreshness({ schedule, newestVerifiedAt: '2025-03-20T04:30:00Z', now: new Date('2025-03-20T05:00:00Z'), watchedSince: '2025-03-20T04:00:00Z' });
    expect(verdict.verdict).toBe('fresh');
  });
});

describe('judgeBackupAge (the sweep\'s backup signal)', () => {
  const schedule = '0 0 2 * * *';
  it.each([
    ['hours since the newest verified backup', { newestVerifiedAt: '2025-03-20T02:00:00Z', now: '2025-03-20T08:00:00Z' }, { ageHours: 6 }],
    ['Infinity when none exists and one was due', { now: '2025-03-21T05:00:00Z', watchedSince: '2025-03-19T00:00:00Z' }, { ageHours: Number.POSITIVE_INFINITY }],
    ['awaiting the first backup when none exists and none was due', { now: '2025-03-20T05:00:00Z', watchedSince: '2025-03-20T04:00:00Z' }, { awaitingFirstBackup: true, firstDueAt: '2025-03-21T02:00:00.000Z' }],
  ])('%s', (_rule, input, expected) => {
    expect(judgeBackupAge({ schedule, ...input, now: new Date(input.now) })).toEqual(expected);
  });
});

describe('judgeBackupWait', () => {
  const clock = (now: string, extra: { executionEndedAt?: string } = {}) => ({ startedAt: '2025-01-01T00:00:00Z', now: new Date(now), deadlineMs: 600_000, graceMs: 30_000, ...extra });
  it('a terminal record ends the wait whatever the execution says', () => {
    expect(judgeBackupWait({ recordState: 'Complete', recordTerminal: true, executionStatus: 'Running' }, clock('2025-01-01T00:01:00Z')).verdict).toBe('done');
  });
  it('an execution that ended without a record gets a grace, then fails naming the execution status', () => {
    const first = judgeBackupWait({ recordState: 'Running', recordTerminal: false, executionStatus: 'Failed', executionReason: 'OOMKilled' }, clock('2025-01-01T00:01:00Z'));
    expect(first).toEqual({ verdict: 'wait', executionEndedAt: '2025-01-01T00:01:00.000Z' });
    const later = judgeBackupWait({ recordState: 'Running', recordTerminal: false, executionStatus: 'Failed', executionReason: 'OOMKilled' }, clock('2025-01-01T00:01:31Z', { executionEndedAt: '2025-01-01T00:01:00.000Z' }));
    expect(later).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('ended Failed (OOMKilled) without the runner recording a result') });
  });
  it('past the deadline it fails', () => {
    expect(judgeBackupWait({ recordState: 'Running', recordTerminal: false, executionStatus: 'Running' }, clock('2025-01-01T00:10:00Z'))).toMatchObject({ verdict: 'fail', reason: expect.stringContaining('did not finish within 10 minutes') });
  });
  it('polls quickly first, then at the maximum', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => pollDelaySeconds(n, 5, 60))).toEqual([5, 10, 20, 40, 60, 60]);
  });
});

describe('scrubSecrets', () => {
  it.each([
    ['a known value anywhere', 'pg_dump: error: p@ss w0rd! failed', ['p@ss w0rd!'], 'pg_dump: error: [redacted] failed'],
    ['a URI password', 'connection to postgres://app:hunter22@db:5432/x failed', [], 'connection to postgres://app:[redacted]@db:5432/x failed'],
    ['a keyword password', "host=db password='a b c' user=x", [], 'host=db password=[redacted] user=x'],
    ['nothing to scrub', 'FATAL: role "x" does not exist', ['secretvalue'], 'FATAL: role "x" does not exist'],
  ])('%s', (_name, text, secrets, expected) => {
    expect(scrubSecrets(text, secrets)).toBe(expected);
  });
});
