/**
 * Real pieces for backup tests: PostgreSQL (with a password-authenticated role, so PGPASSWORD is
 * really exercised), Azurite, and the HTTPS simulator with Key Vault and Jobs. PostgreSQL and
 * Azurite are the test run's shared ones (test/support/sharedServices.ts): the suite's databases
 * carry a prefix of its own (`kit.db(name)`), its role a name of its own, its storage an account of its own.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import type { RunningAzurite } from '../../devhost/azurite';
import { createJobsModule, type JobsModule } from '../../simulators/arm/jobs';
import { createKeyVaultModule, type KeyVaultModule } from '../../simulators/keyvault/keyVaultModule';
import { startSimulator, type RunningSimulator } from '../../simulators/server';
import { BackupBlobStore } from '../../src/adapters/backupStore/backupBlobStore';
import { BackupRecordStore } from '../../src/adapters/backupStore/backupRecordStore';
import { TableProvider } from '../../src/adapters/storage/tables';
import { BACKUP_RUNNER_NODE_FLAGS, BACKUP_RUNNER_SCRIPT } from '../../src/backup/backupJobContainer';
import { RunnerEnv } from '../../src/domain/backup';
import type { TestPostgres } from '../support/postgres';
import { claimDatabase, claimStorage } from '../support/sharedServices';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const RUNNER = path.join(REPO_ROOT, BACKUP_RUNNER_SCRIPT);
export const CONTAINER = 'backups-test';

export interface BackupKit {
  pg: TestPostgres;
  azurite: RunningAzurite;
  sim: RunningSimulator;
  keyVault: KeyVaultModule;
  jobs: JobsModule;
  blobs: BackupBlobStore;
  records: BackupRecordStore;
  tables: TableProvider;
  /** A role with a password (scram), CREATEDB, and the connection string using it (to `kit.db(db)`). */
  role: { name: string; password: string; connectionString: (db: string) => string };
  /** The PostgreSQL name of this suite's database `name`. */
  db(name: string): string;
  /** The superuser's connection string to this suite's database `name`. */
  adminConnectionString(name: string): string;
  stop(): Promise<void>;
}

export async function startBackupKit(): Promise<BackupKit> {
  const [pg, azurite] = await Promise.all([claimDatabase(), claimStorage()]);
  const keyVault = createKeyVaultModule();
  const jobs = createJobsModule({ lro: { retryAfterSeconds: 0 } });
  const sim = await startSimulator({ modules: [keyVault, jobs] });
  const suffix = randomBytes(3).toString('hex');
  const db = (name: string): string => `${name}_${suffix}`;
  const roleName = `hm_backup_${suffix}`;
  const role = { name: roleName, password: 'S3cret-pa55word-xyzzy', connectionString: (name: string) => `postgres://${roleName}:S3cret-pa55word-xyzzy@127.0.0.1:${pg.port}/${db(name)}` };
  await requirePassword(pg, role.name, role.password);
  const tables = new TableProvider({ connectionString: azurite.connectionString });
  return {
    pg,
    azurite,
    sim,
    keyVault,
    jobs,
    tables,
    blobs: new BackupBlobStore({ connectionString: azurite.connectionString }, CONTAINER),
    records: new BackupRecordStore(tables),
    role,
    db,
    adminConnectionString: (name) => `postgres://${pg.user}@${pg.host}:${pg.port}/${db(name)}`,
    async stop() {
      await sim.stop().catch(() => undefined);
      await azurite.stop().catch(() => undefined);
      const created = await sql(pg.connectionString, `SELECT datname FROM pg_database WHERE datname LIKE '%\\_${suffix}'`).catch(() => []);
      for (const row of created) await sql(pg.connectionString, `DROP DATABASE IF EXISTS ${String(row.datname)} WITH (FORCE)`).catch(() => undefined);
      await sql(pg.connectionString, `DROP OWNED BY ${roleName}`).catch(() => undefined);
      await pg.stop().catch(() => undefined);
      await sql(`postgres://${pg.user}@${pg.host}:${pg.port}/postgres`, `DROP ROLE IF EXISTS ${roleName}`).catch(() => undefined);
    },
  };
}

/** Creates the role and puts a scram-sha-256 rule for it ahead of the cluster's trust rules. */
async function requirePassword(pg: TestPostgres, role: string, password: string): Promise<void> {
  const client = new Client({ connectionString: pg.connectionString });
  await client.connect();
  try {
    await client.query(`CREATE ROLE ${role} LOGIN CREATEDB PASSWORD '${password}'`);
    const hbaFile = (await client.query<{ hba_file: string }>('SHOW hba_file')).rows[0].hba_file;
    const current = readFileSync(hbaFile, 'utf8');
    writeFileSync(hbaFile, `host all ${role} 127.0.0.1/32 scram-sha-256\n${current}`);
    await client.query('SELECT pg_reload_conf()');
  } finally {
    await client.end();
  }
}

export async function sql(connectionString: string, text: string): Promise<Array<Record<string, unknown>>> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

/** Creates this suite's database `name` (`kit.db(name)` in PostgreSQL), owned by the role; seeds it unless `seedSql` is empty. */
export async function createDatabase(kit: BackupKit, name: string, seedSql = ''): Promise<void> {
  await sql(kit.pg.connectionString, `CREATE DATABASE ${kit.db(name)} OWNER ${kit.role.name}`);
  if (seedSql) await sql(kit.role.connectionString(name), seedSql);
}

export const SEED_SQL = `
  CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now());
  CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2), note text);
  CREATE SCHEMA audit;
  CREATE TABLE audit.events (id bigserial PRIMARY KEY, payload jsonb);
  INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 250) g;
  INSERT INTO orders (customer_id, total, note) SELECT 1 + g % 250, g * 1.5, md5(g::text) FROM generate_series(1, 2000) g;
  INSERT INTO audit.events (payload) SELECT jsonb_build_object('n', g, 'tag', 'é✓') FROM generate_series(1, 300) g;
`;

/** The runner's environment, as the backup job would give it (job settings + per-execution override). */
export function runnerEnv(kit: BackupKit, fields: { database: string; backupId: string; secret: string; trigger?: string; deploymentId?: string; mode?: string; drillId?: string; pgBinDir?: string }): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AzureWebJobsStorage: kit.azurite.connectionString,
    HARBORMASTER_BACKUP_CONTAINER: CONTAINER,
    HARBORMASTER_KEY_VAULT_URL: kit.sim.url,
    HARBORMASTER_CREDENTIAL: 'local-dev',
    HARBORMASTER_CA_CERT_PATH: kit.sim.caCertPath,
    [RunnerEnv.database]: fields.database,
    [RunnerEnv.backupId]: fields.backupId,
    [RunnerEnv.connectionSecret]: fields.secret,
    [RunnerEnv.trigger]: fields.trigger ?? 'manual',
  };
  if (fields.deploymentId) env[RunnerEnv.deploymentId] = fields.deploymentId;
  if (fields.mode) env[RunnerEnv.mode] = fields.mode;
  if (fields.drillId) env[RunnerEnv.drillId] = fields.drillId;
  if (fields.pgBinDir) env.HARBORMASTER_PG_BIN_DIR = fields.pgBinDir;
  return env;
}

export function runRunner(env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // With the job's Node flags, as the image's ENTRYPOINT runs it.
    const child = spawn(process.execPath, [...BACKUP_RUNNER_NODE_FLAGS, RUNNER], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A pg_dump that really dumps, then is SIGKILLed after `bytes` bytes of output: the runner's
 * child dies mid-stream, deterministically. Returns the bin dir to put in HARBORMASTER_PG_BIN_DIR.
 */
export function killedMidStreamBinDir(bytes: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hm-pgbin-'));
  const dump = path.join(dir, 'pg_dump');
  writeFileSync(
    dump,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then exec pg_dump --version; fi\n` +
      `pg_dump "$@" | head -c ${bytes}\nkill -9 $$\n`,
  );
  chmodSync(dump, 0o755);
  writeFileSync(path.join(dir, 'pg_restore'), '#!/bin/sh\nexec pg_restore "$@"\n');
  chmodSync(path.join(dir, 'pg_restore'), 0o755);
  return dir;
}

export async function tableContents(connectionString: string): Promise<Record<string, unknown[]>> {
  return {
    customers: await sql(connectionString, 'SELECT id, name, created FROM customers ORDER BY id'),
    orders: await sql(connectionString, 'SELECT id, customer_id, total, note FROM orders ORDER BY id'),
    events: await sql(connectionString, 'SELECT id, payload FROM audit.events ORDER BY id'),
  };
}
