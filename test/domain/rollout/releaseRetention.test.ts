/** Which releases the daily prune may delete, and which are in use (their deployments are kept too). */
import { releasesInUse, releasesToPrune, type Release, type ReleaseVerdict } from '../../../src/domain/rollout';

const OLD = '2025-01-01T00:00:00.000Z';
const CUTOFF = new Date('2026-01-01T00:00:00Z');

function release(revisionName: string, verdict: ReleaseVerdict, createdAt: string, updatedAt = createdAt): Release {
  return { app: 'shop', revisionName, verdict, createdAt, updatedAt, deploymentId: `d-${revisionName}` };
}

describe('releasesInUse', () => {
  it('is the newest verified or baseline release and the newest safe one before it', () => {
    const ledger = [
      release('r1', 'baseline', '2025-01-01T00:00:00.000Z'),
      release('r2', 'retired', '2025-02-01T00:00:00.000Z'),
      release('r3', 'superseded', '2025-03-01T00:00:00.000Z'),
      release('r4', 'failed', '2025-04-01T00:00:00.000Z'),
      release('r5', 'verified', '2025-05-01T00:00:00.000Z'),
      release('r6', 'rolled-back', '2025-06-01T00:00:00.000Z'),
    ];
    expect(releasesInUse(ledger).map((r) => r.revisionName)).toEqual(['r5', 'r3']);
  });

  it('is only the baseline of an app nothing was deployed to, and nothing of an empty ledger', () => {
    expect(releasesInUse([release('r1', 'baseline', OLD)]).map((r) => r.revisionName)).toEqual(['r1']);
    expect(releasesInUse([])).toEqual([]);
  });
});

describe('releasesToPrune', () => {
  const ledger = [
    release('old-superseded', 'superseded', '2025-01-01T00:00:00.000Z'),
    release('old-retired', 'retired', '2025-01-02T00:00:00.000Z'),
    release('old-failed', 'failed', '2025-01-03T00:00:00.000Z'),
    release('old-rolled-back', 'rolled-back', '2025-01-04T00:00:00.000Z'),
    release('previous', 'retired', '2025-01-05T00:00:00.000Z'),
    release('current', 'verified', '2025-01-06T00:00:00.000Z'),
    release('touched-lately', 'superseded', '2025-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'),
    release('pending', 'pending', '2025-01-07T00:00:00.000Z'),
  ];

  it.each([
    ['superseded and unchanged since the cut-off', 'old-superseded', true],
    ['retired and unchanged since the cut-off', 'old-retired', true],
    ['failed: what stops a known-bad digest coming back', 'old-failed', false],
    ['rolled back: the same', 'old-rolled-back', false],
    ['the previous release: where a rollback would go', 'previous', false],
    ['the current release', 'current', false],
    ['changed after the cut-off', 'touched-lately', false],
    ['pending: its deployment has not finished', 'pending', false],
  ])('%s: pruned %s', (_rule, name, pruned) => {
    expect(releasesToPrune(ledger, CUTOFF).some((r) => r.revisionName === name)).toBe(pruned);
  });
});
