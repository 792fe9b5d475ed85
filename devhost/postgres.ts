/**
 * A throwaway PostgreSQL cluster (tests and the local demo): `initdb` into a temp directory, `pg_ctl start` on a free
 * port bound to 127.0.0.1, trust auth for the `postgres` superuser, and `stop()` removes everything.
 *
 * `initdb` refuses to run as root, and CI and sessions run as root, so when we are root the server
 * binaries run as `nobody` (through `runuser`) in a directory that user owns.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, no password). */
  readonly connectionString: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** Stops the server (fast shutdown) and deletes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

const UNPRIVILEGED_USER = 'nobody';
const COMMAND_TIMEOUT_MS = 60_000;

/** Finds the server binaries: PATH first, then Debian's versioned directory. */
function serverBinary(name: 'initdb' | 'pg_ctl'): string {
  const pathDirs = (process.env.PATH ?? '').split(':').filter(Boolean);
  for (const dir of pathDirs) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  for (const version of ['17', '16', '15', '14']) {
    const candidate = `/usr/lib/postgresql/${version}/bin/${name}`;
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`PostgreSQL server binary '${name}' not found on PATH or under /usr/lib/postgresql`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function uidGidOf(user: string): Promise<{ uid: number; gid: number }> {
  const uid = Number((await execFileAsync('id', ['-u', user])).stdout.trim());
  const gid = Number((await execFileAsync('id', ['-g', user])).stdout.trim());
  return { uid, gid };
}

/** Runs a server binary, as `nobody` when we are root. */
async function runServerCommand(asNobody: boolean, binary: string, args: string[]): Promise<void> {
  const [file, argv] = asNobody ? ['runuser', ['-u', UNPRIVILEGED_USER, '--', binary, ...args]] : [binary, args];
  try {
    await execFileAsync(file, argv, { timeout: COMMAND_TIMEOUT_MS, cwd: tmpdir() });
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new Error(`${binary} ${args[0] ?? ''} failed: ${err.stderr?.trim() || err.message}`);
  }
}

export async function startPostgres(): Promise<TestPostgres> {
  const asNobody = typeof process.getuid === 'function' && process.getuid() === 0;
  const root = mkdtempSync(join(tmpdir(), 'hm-pg-'));
  if (asNobody) {
    const { uid, gid } = await uidGidOf(UNPRIVILEGED_USER);
    chownSync(root, uid, gid);
  }
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const initdb = serverBinary('initdb');
  const pgCtl = serverBinary('pg_ctl');
  const host = '127.0.0.1';
  const user = 'postgres';
  const database = 'postgres';
  let started = false;
  const stop = async (): Promise<void> => {
    if (started) {
      started = false;
      await runServerCommand(asNobody, pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '30']).catch(() => undefined);
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await runServerCommand(asNobody, initdb, ['-D', dataDir, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8']);
    const port = await freePort();
    // Socket directory inside our temp dir: the default (/var/run/postgresql) is not writable by nobody.
    const serverOptions = `-p ${port} -k ${root} -c listen_addresses=${host} -c fsync=off`;
    await runServerCommand(asNobody, pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions]);
    started = true;
    return {
      connectionString: `postgres://${user}@${host}:${port}/${database}`,
      host,
      port,
      user,
      database,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
