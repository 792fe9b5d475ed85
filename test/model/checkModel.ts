/**
 * `npm run check:model -- --seed N --runs K [--max-commands M] [--shrink-runs S] [--path P]
 *  [--replay-path R] [--quiescence-seconds Q] [--controller-log FILE] [--verbose]`
 *
 * Drives the real orchestrations on devhost and the simulators with generated event sequences
 * and checks Harbormaster's invariants (test/model/invariants.ts). Prints progress, a failing
 * seed with its shrunk sequence, and as its last line one JSON object:
 * `{"seed":…,"runs":…,"events":…,"violations":[…],…}`. Exits 1 when anything was violated.
 */
import { runModelCheck, type ModelCheckOptions } from './modelChecker';

const USAGE = 'usage: npm run check:model -- [--seed N] [--runs K] [--max-commands M] [--shrink-runs S] [--path P --replay-path R] [--quiescence-seconds Q] [--controller-log FILE] [--verbose]';

export function parseCheckModelArgs(argv: readonly string[]): Omit<ModelCheckOptions, 'print'> {
  const values: Record<string, string> = {};
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--verbose') {
      verbose = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'\n${USAGE}`);
    const [name, inline] = arg.slice(2).split('=', 2);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
    if (!['seed', 'runs', 'max-commands', 'shrink-runs', 'path', 'replay-path', 'quiescence-seconds', 'controller-log'].includes(name)) throw new Error(`unknown option --${name}\n${USAGE}`);
    values[name] = value;
  }
  const int = (name: string, fallback: number, min: number): number => {
    if (values[name] === undefined) return fallback;
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}\n${USAGE}`);
    return n;
  };
  return {
    seed: int('seed', Math.floor(Math.random() * 0x7fffffff), -0x80000000),
    runs: int('runs', 5, 1),
    maxCommands: int('max-commands', 8, 1),
    shrinkRuns: int('shrink-runs', 10, 0),
    path: values.path,
    replayPath: values['replay-path'],
    quiescenceMs: int('quiescence-seconds', 240, 10) * 1000,
    controllerLog: values['controller-log'],
    verbose,
  };
}

async function main(): Promise<void> {
  const options = parseCheckModelArgs(process.argv.slice(2));
  process.stdout.write(`check:model seed ${options.seed}, ${options.runs} runs of up to ${options.maxCommands} events\n`);
  // Interrupted (Ctrl-C, a CI timeout): the last line is still the summary of the runs done so far.
  let progress: object = { seed: options.seed, runs: 0, events: 0, violations: [] };
  const interrupted = (signal: string) => () => {
    process.stdout.write(`${JSON.stringify({ ...progress, interrupted: signal })}\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted('SIGINT'));
  process.once('SIGTERM', interrupted('SIGTERM'));
  const summary = await runModelCheck({ ...options, print: (line) => process.stdout.write(`${line}\n`), onProgress: (p) => (progress = p) });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = summary.violations.length > 0 || summary.errors.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.stdout.write(`${JSON.stringify({ seed: null, runs: 0, events: 0, violations: [], errors: [String(error)] })}\n`);
    process.exit(2);
  });
}
