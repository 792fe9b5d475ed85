/**
 * `npm start`: runs the compiled app under devhost, from the repository root.
 *
 *   node dist/devhost/cli.js [--port <n>] [--entry <file>]
 *
 * - entry: `--entry`, else package.json `main`;
 * - settings: `Values` of local.settings.json, else local.settings.example.json; environment variables win;
 * - port: `--port`, else the `DEVHOST_PORT` setting, else 7071 (0 picks a free one);
 * - storage: Azurite with data in `.azurite/`, unless `AzureWebJobsStorage` names a real account;
 * - state (timer schedule status) in `.devhost/`.
 * If the app throws while loading (e.g. invalid configuration), prints the message and exits 1.
 * SIGINT/SIGTERM stop timers, finish requests in flight (with a deadline), stop extensions and Azurite.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createExtensions } from './createExtensions';
import { DEFAULT_PORT, PORT_SETTING, startDevhost, type RunningDevhost } from './host';
import { FUNCTION_KEY_SETTING, MASTER_KEY_SETTING } from './hostKeys';
import { SIGN_IN_SETTING } from './signInStandIn';
import { readLocalSettings } from './localSettings';
import { startLocalDemo, printLocalStack } from './localStack/localDemo';

/** Host settings taken from the environment even when the settings file does not list them. */
const HOST_SETTINGS = [PORT_SETTING, FUNCTION_KEY_SETTING, MASTER_KEY_SETTING, SIGN_IN_SETTING, 'AzureWebJobsStorage', 'WEBSITE_TIME_ZONE'];
const STOP_DEADLINE_MS = 30_000;

interface CliArguments {
  port?: number;
  entry?: string;
  /** Run only devhost, against whatever Azure the settings name (no local simulators). */
  noLocalAzure?: boolean;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): CliArguments {
  const result: CliArguments = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a TCP port number (0 picks a free one)');
      result.port = port;
    } else if (flag === '--entry') {
      result.entry = value();
    } else if (flag === '--no-local-azure') {
      result.noLocalAzure = true;
    } else {
      throw new UsageError(`unknown argument ${argv[i]} (usage: devhost [--port <n>] [--entry <file>] [--no-local-azure])`);
    }
  }
  return result;
}

function entryFromPackageJson(directory: string): string {
  const file = path.join(directory, 'package.json');
  const main = (JSON.parse(readFileSync(file, 'utf8')) as { main?: unknown }).main;
  if (typeof main !== 'string' || main === '') throw new Error('package.json has no "main" naming the app entry');
  return main;
}

function printReady(host: RunningDevhost, settingsSource: string | undefined): void {
  const lines = [
    `devhost ready on ${host.baseUrl.replace('127.0.0.1', 'localhost')} (${host.functions.size} functions; settings from ${settingsSource ? path.basename(settingsSource) : 'the environment only'})`,
    ...host.describe().map((line) => `  ${line}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  const directory = process.cwd();
  const args = parseArguments(process.argv.slice(2));
  const { source, values } = readLocalSettings(directory);
  for (const name of HOST_SETTINGS) {
    if (process.env[name] !== undefined) values[name] = process.env[name];
  }
  const entry = path.resolve(directory, args.entry ?? entryFromPackageJson(directory));
  if (!existsSync(entry)) throw new Error(`the app entry ${path.relative(directory, entry)} does not exist; run the build first`);
  const hostJsonPath = path.join(directory, 'host.json');

  const port = args.port ?? (values[PORT_SETTING] ? Number(values[PORT_SETTING]) : DEFAULT_PORT);
  let host: RunningDevhost;
  if (values.HARBORMASTER_CREDENTIAL === 'local-dev' && !args.noLocalAzure) {
    // The local stack: simulated Azure seeded from the apps configuration, PostgreSQL, devhost.
    const stack = await startLocalDemo(directory, entry, port, values);
    host = stack.devhost;
    printReady(host, source);
    printLocalStack(stack);
    const devhostStop = host.stop.bind(host);
    host = Object.assign(Object.create(Object.getPrototypeOf(host) as object) as RunningDevhost, host, { stop: () => stack.stop().then(() => undefined, () => devhostStop()) });
  } else {
    host = await startDevhost({
      entry,
      port,
      settings: values,
      extensions: createExtensions(values),
      hostJsonPath: existsSync(hostJsonPath) ? hostJsonPath : undefined,
      azuriteLocation: path.join(directory, '.azurite'),
      dataDir: path.join(directory, '.devhost'),
    });
    printReady(host, source);
  }

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`devhost: ${signal} again, exiting without waiting\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`devhost: ${signal} received, stopping\n`);
    const deadline = setTimeout(() => {
      process.stderr.write(`devhost: did not stop within ${STOP_DEADLINE_MS} ms, exiting\n`);
      process.exit(1);
    }, STOP_DEADLINE_MS);
    deadline.unref();
    host.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`devhost: stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  // The message only: a configuration error names the field, and a stack would bury it.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`devhost: ${message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
