/**
 * What a simulated job container runs locally. There are no container images here, so:
 *
 * 0. Every simulated image ships a `smoke-test` program: a command whose program is `smoke-test`
 *    (or ends in `/smoke-test`) runs the bundled `simulators/jobs/smokeTestRunner` against the
 *    revision named in HARBORMASTER_REVISION_FQDN, whatever the image's migration behaviour.
 * 1. If the image's behaviour (from the image catalog, recorded at push) is a migration behaviour
 *    (`migrate-ok`, `migrate-fail`, `migrate-hang`), the container runs the bundled
 *    `simulators/jobs/migrationRunner` with that behaviour, whatever its command says: the image
 *    decides what runs, as a real migration image's entrypoint would.
 * 2. Otherwise, if the container has a `command`, `command[0]` is run with `command[1..]` + `args`,
 *    from the repository root. `node` means this Node binary; any other name must be an absolute
 *    path or be found on PATH (e.g. `/bin/sh`, `psql`).
 * 3. Otherwise there is nothing to run: the replica fails with exit code 127 and a log line, as a
 *    container whose entrypoint cannot be found would.
 */
import { accessSync, constants } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isMigrationBehaviour } from './migrationRunner';

export type ResolvedCommand =
  | { readonly kind: 'run'; readonly file: string; readonly args: readonly string[]; readonly cwd: string; readonly why: string }
  | { readonly kind: 'notRunnable'; readonly exitCode: 127; readonly message: string };

export interface ContainerToRun {
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
}

/** The repository root: this file is `<root>/dist/simulators/jobs/commandResolution.js` when compiled. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export const MIGRATION_RUNNER_PATH = join(__dirname, 'migrationRunner.js');
export const SMOKE_TEST_RUNNER_PATH = join(__dirname, 'smokeTestRunner.js');
export const SMOKE_TEST_PROGRAM = 'smoke-test';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findExecutable(name: string, pathVariable: string): string | undefined {
  if (name === 'node') return process.execPath;
  if (isAbsolute(name)) return isExecutable(name) ? name : undefined;
  if (name.includes('/')) {
    const local = resolve(REPO_ROOT, name);
    return isExecutable(local) ? local : undefined;
  }
  for (const dir of pathVariable.split(':').filter(Boolean)) {
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function resolveJobCommand(
  container: ContainerToRun,
  behaviour: string | undefined,
  pathVariable: string = process.env.PATH ?? '',
): ResolvedCommand {
  const program = container.command?.[0];
  if (program === SMOKE_TEST_PROGRAM || program?.endsWith(`/${SMOKE_TEST_PROGRAM}`)) {
    return {
      kind: 'run',
      file: process.execPath,
      args: [SMOKE_TEST_RUNNER_PATH, ...(container.command ?? []).slice(1), ...(container.args ?? [])],
      cwd: REPO_ROOT,
      why: 'the image\'s smoke-test program',
    };
  }
  if (isMigrationBehaviour(behaviour)) {
    return {
      kind: 'run',
      file: process.execPath,
      args: [MIGRATION_RUNNER_PATH, behaviour],
      cwd: REPO_ROOT,
      why: `image behaviour ${behaviour}`,
    };
  }
  const command = container.command ?? [];
  const [first, ...rest] = command;
  if (!first) {
    return {
      kind: 'notRunnable',
      exitCode: 127,
      message:
        `image ${container.image} has no entrypoint the simulator can run: give the container a command, ` +
        `or push the image with a migrate-* behaviour`,
    };
  }
  const file = findExecutable(first, pathVariable);
  if (!file) {
    return { kind: 'notRunnable', exitCode: 127, message: `exec: "${first}": executable file not found in $PATH` };
  }
  return { kind: 'run', file, args: [...rest, ...(container.args ?? [])], cwd: REPO_ROOT, why: 'container command' };
}
