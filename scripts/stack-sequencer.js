// jest's test sequencer with shards balanced by time (jest.config.js `testSequencer`). jest's own
// `--shard` cuts the suites, sorted by a hash of their paths, into equal counts, and the stack
// suites last from 2 s to 150 s: split that way, the two shards `npm test` then ran ended 534 s and 827 s.
// Here each suite goes, longest first, to the shard with the least time so far (the durations of
// the last full run, scripts/stack-suite-seconds.json, refreshed by scripts/suite-seconds.mjs; a
// suite not yet listed counts as the median). Deterministic: every shard computes the same split.
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;
const seconds = require('./stack-suite-seconds.json');

const ROOT = path.resolve(__dirname, '..');

function suiteKey(testPath) {
  return path.relative(path.join(ROOT, 'dist'), testPath).split(path.sep).join('/').replace(/\.test\.js$/, '');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 1 : sorted[Math.floor(sorted.length / 2)];
}

/** Splits `tests` into `count` shards of about equal time (longest processing time first). */
function balancedShards(tests, count) {
  const fallback = median(Object.values(seconds));
  const weighted = tests
    .map((test) => ({ test, weight: seconds[suiteKey(test.path)] ?? fallback }))
    .sort((a, b) => b.weight - a.weight || (a.test.path < b.test.path ? -1 : 1));
  const shards = Array.from({ length: count }, () => ({ tests: [], total: 0 }));
  for (const { test, weight } of weighted) {
    const lightest = shards.reduce((min, shard) => (shard.total < min.total ? shard : min));
    lightest.tests.push(test);
    lightest.total += weight;
  }
  return shards;
}

class BalancedSequencer extends Sequencer {
  shard(tests, { shardIndex, shardCount }) {
    return balancedShards(tests, shardCount)[shardIndex - 1].tests;
  }
}

module.exports = BalancedSequencer;
module.exports.balancedShards = balancedShards;
module.exports.suiteKey = suiteKey;
