// `npm test` (after `pretest` built everything): the linter, the unit suites and the
// stack suites run side by side, since the stack suites mostly wait on processes and timers while
// the linter and the unit suites need the CPU. The stack suites' output streams as they run; the
// linter's and the unit suites' is printed when each is done. Exits non-zero if any part failed.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const jestBin = require.resolve('jest/bin/jest');
const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');

function run(name, args, { stream }) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout?.on('data', (c) => chunks.push(c));
    child.stderr?.on('data', (c) => chunks.push(c));
    child.once('close', (code, signal) => {
      if (!stream) process.stdout.write(`\n---- ${name} ----\n${Buffer.concat(chunks).toString()}`);
      resolve({ name, ok: code === 0, status: signal ?? code, seconds: (performance.now() - started) / 1000 });
    });
  });
}

// The stack suites in three shards, each a serial jest run with its own Azurite and PostgreSQL: a
// stack suite keeps a core busy about a third of its time (it waits on timers, child processes and
// the stack's answers), so three side by side fill the 2 cores where two left a third of them idle.
// HARBORMASTER_STACK_SHARDS overrides it (a machine with more cores takes more).
const STACK_SHARDS = Number(process.env.HARBORMASTER_STACK_SHARDS) || 3;
const results = await Promise.all([
  run('lint', [eslintBin, '.'], { stream: false }),
  run('unit tests', ['--enable-source-maps', jestBin, '--selectProjects', 'unit'], { stream: false }),
  ...Array.from({ length: STACK_SHARDS }, (_, i) =>
    run(`stack tests ${i + 1}/${STACK_SHARDS}`, ['--enable-source-maps', jestBin, '--selectProjects', 'stack', `--shard=${i + 1}/${STACK_SHARDS}`], { stream: true }),
  ),
]);
process.stdout.write('\n');
for (const r of results) process.stdout.write(`${r.ok ? 'ok    ' : 'FAILED'} ${r.name} (${r.seconds.toFixed(1)} s)${r.ok ? '' : `, exit ${r.status}`}\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
