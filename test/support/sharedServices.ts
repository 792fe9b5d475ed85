/**
 * One Azurite and one PostgreSQL for the whole test run, started by the jest global set-up of the
 * `stack` project (jest.config.js) and stopped by its teardown. Each suite takes its own share:
 *
 * - `claimStorage()`: a storage account of its own in the shared Azurite (its containers, queues,
 *   tables and task hubs are invisible to every other suite);
 * - `claimDatabase()`: a database of its own in the shared PostgreSQL (dropped by `stop()`).
 *
 * A suite run outside that project (no shared services in the environment) gets private ones
 * started on demand, stopped by their `stop()`, so every suite also runs alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { azuriteConnectionString, startAzurite, type RunningAzurite } from '../../devhost/azurite';
import { startPostgres, type TestPostgres } from '../../devhost/postgres';

/** What the global set-up publishes to every suite (process environment, JSON). */
interface SharedServicesDescriptor {
  azurite: { blob: string; queue: string; table: string; accounts: string[] };
  postgres: { host: string; port: number; user: string };
  /** Suites claim accounts by creating a folder here (atomic across worker processes). */
  claimsDir: string;
}

const ENV_NAME = 'HARBORMASTER_TEST_SHARED_SERVICES';
const ACCOUNT_COUNT = 160;

interface Started {
  azurite: RunningAzurite;
  postgres: TestPostgres;
  claimsDir: string;
}

const holder = globalThis as typeof globalThis & { __harbormasterSharedServices?: Started };

/** jest globalSetup of the stack project. */
export async function startSharedServices(): Promise<void> {
  const accounts = Array.from({ length: ACCOUNT_COUNT }, (_, i) => `suite${String(i + 1).padStart(3, '0')}`);
  const [azurite, postgres] = await Promise.all([startAzurite({ inMemory: true, accounts }), startPostgres()]);
  const claimsDir = mkdtempSync(path.join(tmpdir(), 'hm-test-claims-'));
  holder.__harbormasterSharedServices = { azurite, postgres, claimsDir };
  const descriptor: SharedServicesDescriptor = {
    azurite: { blob: azurite.blobEndpoint, queue: azurite.queueEndpoint, table: azurite.tableEndpoint, accounts },
    postgres: { host: postgres.host, port: postgres.port, user: postgres.user },
    claimsDir,
  };
  process.env[ENV_NAME] = JSON.stringify(descriptor);
}

/** jest globalTeardown of the stack project. */
export async function stopSharedServices(): Promise<void> {
  const started = holder.__harbormasterSharedServices;
  holder.__harbormasterSharedServices = undefined;
  delete process.env[ENV_NAME];
  if (!started) return;
  await Promise.all([started.azurite.stop().catch(() => undefined), started.postgres.stop().catch(() => undefined)]);
  rmSync(started.claimsDir, { recursive: true, force: true });
}

function descriptor(): SharedServicesDescriptor | undefined {
  const text = process.env[ENV_NAME];
  return text ? (JSON.parse(text) as SharedServicesDescriptor) : undefined;
}

/** Storage of this suite's own: an account in the shared Azurite, or a private Azurite. */
export async function claimStorage(): Promise<RunningAzurite> {
  const shared = descriptor();
  if (!shared) return startAzurite({ inMemory: true });
  for (const account of shared.azurite.accounts) {
    try {
      mkdirSync(path.join(shared.claimsDir, account));
    } catch {
      continue;
    }
    const swap = (endpoint: string) => endpoint.replace(/\/devstoreaccount1$/, `/${account}`);
    const endpoints = { Blob: swap(shared.azurite.blob), Queue: swap(shared.azurite.queue), Table: swap(shared.azurite.table) };
    const connectionString = azuriteConnectionString(endpoints, account);
    return {
      connectionString,
      connectionStringFor: (name) => {
        if (name !== account) throw new Error(`This suite's storage is the account "${account}", not "${name}"`);
        return connectionString;
      },
      blobEndpoint: endpoints.Blob,
      queueEndpoint: endpoints.Queue,
      tableEndpoint: endpoints.Table,
      location: '',
      // The account is this suite's alone; the run's teardown stops Azurite.
      stop: () => Promise.resolve(),
    };
  }
  throw new Error(`All ${shared.azurite.accounts.length} storage accounts of the shared Azurite are taken`);
}

/**
 * A database of this suite's own (superuser `postgres`, trust auth), in the shared PostgreSQL or in
 * a private cluster. `stop()` drops it (or stops the private cluster).
 */
export async function claimDatabase(): Promise<TestPostgres> {
  const shared = descriptor();
  if (!shared) return startPostgres();
  const { host, port, user } = shared.postgres;
  const database = `suite_${randomBytes(5).toString('hex')}`;
  const admin = `postgres://${user}@${host}:${port}/postgres`;
  await runSql(admin, `CREATE DATABASE ${database}`);
  let dropped = false;
  return {
    connectionString: `postgres://${user}@${host}:${port}/${database}`,
    host,
    port,
    user,
    database,
    async stop() {
      if (dropped) return;
      dropped = true;
      await runSql(admin, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    },
  };
}

async function runSql(connectionString: string, text: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
