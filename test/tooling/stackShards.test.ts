/**
 * `npm test` runs the stack suites as three shards side by side, split by the sequencer in
 * scripts/stack-sequencer.js by recorded suite time: every suite runs exactly once, and the
 * shards' times differ by at most the longest suite (what longest-first assignment guarantees).
 */
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const sequencer = require(path.resolve(__dirname, '../../../scripts/stack-sequencer.js')) as {
  balancedShards(tests: Array<{ path: string }>, count: number): Array<{ tests: Array<{ path: string }>; total: number }>;
  suiteKey(testPath: string): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const seconds = require(path.resolve(__dirname, '../../../scripts/stack-suite-seconds.json')) as Record<string, number>;

const dist = path.resolve(__dirname, '../..');
const suites = Object.keys(seconds).map((key) => ({ path: path.join(dist, `${key}.test.js`) }));

describe('stack shards balanced by suite time', () => {
  it('names suites by their path under dist, as the durations file does', () => {
    expect(sequencer.suiteKey(path.join(dist, 'test/scenarios/releaseGroups.test.js'))).toBe('test/scenarios/releaseGroups');
  });

  it.each([2, 3])('%i shards: every suite exactly once, times within the longest suite of each other', (count) => {
    const shards = sequencer.balancedShards(suites, count);
    const placed = shards.flatMap((s) => s.tests.map((t) => t.path)).sort();
    expect(placed).toEqual(suites.map((s) => s.path).sort());
    const totals = shards.map((s) => s.total);
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(Math.max(...Object.values(seconds)));
  });

  it('is the same split whatever order jest lists the suites in', () => {
    const once = sequencer.balancedShards(suites, 2).map((s) => s.tests.map((t) => t.path));
    const reversed = sequencer.balancedShards([...suites].reverse(), 2).map((s) => s.tests.map((t) => t.path));
    expect(reversed).toEqual(once);
  });

  it('counts a suite missing from the durations file as the median, so a new suite still lands in one shard', () => {
    const shards = sequencer.balancedShards([...suites, { path: path.join(dist, 'test/scenarios/brandNew.test.js') }], 2);
    expect(shards.flatMap((s) => s.tests).filter((t) => t.path.endsWith('brandNew.test.js'))).toHaveLength(1);
  });
});
