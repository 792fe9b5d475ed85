/**
 * Azurite (the npm storage emulator) as a child process, for devhost and for any test suite
 * that needs Blob, Queue or Table storage.
 *
 * Azurite listens on ports the OS picks (port 0) and reports them on stdout, so several
 * instances run side by side. The connection string names the endpoints explicitly, with the
 * emulator's well-known account: `UseDevelopmentStorage=true` would imply the fixed ports
 * 10000-10002, which this instance does not use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The emulator's documented, public development account (not a secret). */
export const DEVSTORE_ACCOUNT_NAME = 'devstoreaccount1';
export const DEVSTORE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface StartAzuriteOptions {
  /** Data folder; a fresh temp folder (removed on stop) when omitted. */
  location?: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Give up starting after this long; default 30 s. */
  startTimeoutMs?: number;
  /** Keep everything in memory (no data folder; `location` must then be left out). */
  inMemory?: boolean;
  /**
   * More storage accounts beside the development one, with the same well-known key: each is a
   * separate namespace of containers, queues and tables (tests give each suite its own).
   */
  accounts?: readonly string[];
}

export interface RunningAzurite {
  readonly connectionString: string;
  /** The connection string of one of the `accounts` it was started with (or the development one). */
  connectionStringFor(account: string): string;
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  readonly location: string;
  stop(): Promise<void>;
}

const SERVICES = ['Blob', 'Queue', 'Table'] as const;
type Service = (typeof SERVICES)[number];
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;

function azuriteScript(): string {
  return path.join(path.dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
}

export function azuriteConnectionString(endpoints: Record<Service, string>, account: string = DEVSTORE_ACCOUNT_NAME): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${account}`,
    `AccountKey=${DEVSTORE_ACCOUNT_KEY}`,
    `BlobEndpoint=${endpoints.Blob}`,
    `QueueEndpoint=${endpoints.Queue}`,
    `TableEndpoint=${endpoints.Table}`,
  ].join(';') + ';';
}

/**
 * True when the `AzureWebJobsStorage` setting does not name a real account, so devhost must
 * provide one: unset, or the emulator shorthand `UseDevelopmentStorage=true`.
 */
export function needsLocalStorage(azureWebJobsStorage: string | undefined): boolean {
  return !azureWebJobsStorage || /UseDevelopmentStorage\s*=\s*true/i.test(azureWebJobsStorage);
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 10_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
}

/** Answers at all (any HTTP status) = ready. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  if (options.inMemory && options.location !== undefined) throw new Error('Azurite cannot keep its data in memory and in a folder at once');
  const accounts = options.accounts ?? [];
  for (const account of accounts) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) throw new Error(`"${account}" is not a storage account name (3 to 24 lower-case letters and digits)`);
  }
  const ownsLocation = options.location === undefined && !options.inMemory;
  const location = options.inMemory ? '' : (options.location ?? (await mkdtemp(path.join(os.tmpdir(), 'azurite-'))));
  if (location) await mkdir(location, { recursive: true });
  const host = options.host ?? '127.0.0.1';
  const args = [azuriteScript(), ...(location ? ['--location', location] : ['--inMemoryPersistence']), '--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'];
  for (const service of SERVICES) {
    const lower = service.toLowerCase();
    args.push(`--${lower}Host`, host, `--${lower}Port`, '0');
  }
  const env = { ...process.env };
  delete env.AZURITE_ACCOUNTS;
  if (accounts.length > 0) env.AZURITE_ACCOUNTS = [DEVSTORE_ACCOUNT_NAME, ...accounts].map((a) => `${a}:${DEVSTORE_ACCOUNT_KEY}`).join(';');
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const cleanUp = async (): Promise<void> => {
    await stopChild(child);
    if (ownsLocation) await rm(location, { recursive: true, force: true });
  };

  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2_000);
  });

  const endpoints: Partial<Record<Service, string>> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Azurite did not start within ${options.startTimeoutMs ?? 30_000} ms`)),
        options.startTimeoutMs ?? 30_000,
      );
      let buffered = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const match = LISTENING.exec(line);
          if (match) endpoints[match[1] as Service] = `${match[2].replace(/\/$/, '')}/${DEVSTORE_ACCOUNT_NAME}`;
        }
        if (SERVICES.every((s) => endpoints[s])) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Azurite exited during start-up (${signal ?? `code ${code}`}): ${stderrTail.trim()}`));
      });
    });
    const ready = endpoints as Record<Service, string>;
    if (!(await answers(ready.Blob))) throw new Error('Azurite reported it was listening but does not answer');
    child.removeAllListeners('exit');
    child.stdout?.removeAllListeners('data');
    child.stdout?.resume();
    let stopping: Promise<void> | undefined;
    const known = new Set([DEVSTORE_ACCOUNT_NAME, ...accounts]);
    const forAccount = (account: string): Record<Service, string> => {
      if (!known.has(account)) throw new Error(`Azurite was not started with the account "${account}"`);
      const swap = (endpoint: string) => endpoint.replace(new RegExp(`/${DEVSTORE_ACCOUNT_NAME}$`), `/${account}`);
      return { Blob: swap(ready.Blob), Queue: swap(ready.Queue), Table: swap(ready.Table) };
    };
    return {
      connectionString: azuriteConnectionString(ready),
      connectionStringFor: (account) => azuriteConnectionString(forAccount(account), account),
      blobEndpoint: ready.Blob,
      queueEndpoint: ready.Queue,
      tableEndpoint: ready.Table,
      location,
      stop: () => (stopping ??= cleanUp()),
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
