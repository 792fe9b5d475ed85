// Refreshes scripts/stack-suite-seconds.json, the stack suites' durations the sharding sequencer
// balances by, from the output of a full run: `npm test 2>&1 | node scripts/suite-seconds.mjs`.
// Suites jest printed without a time (under 5 s) get 5 s.
import { readFileSync, writeFileSync } from 'node:fs';

const output = readFileSync(0, 'utf8');
const seconds = {};
for (const match of output.matchAll(/^(?:PASS|FAIL) stack dist\/(test\/\S+)\.test\.js(?: \(([\d.]+) s\))?/gm)) {
  seconds[match[1]] = Math.round(Number(match[2] ?? 5));
}
const sorted = Object.fromEntries(Object.entries(seconds).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(new URL('./stack-suite-seconds.json', import.meta.url), `${JSON.stringify(sorted, null, 1)}\n`);
process.stdout.write(`${Object.keys(sorted).length} stack suites, ${Object.values(sorted).reduce((a, b) => a + b, 0)} s in all\n`);
