/**
 * What a "migration image" does when a simulated Container Apps job runs it: real SQL against the
 * PostgreSQL database named by `DATABASE_URL`, like a migrate container would.
 *
 *   node dist/simulators/jobs/migrationRunner.js <migrate-ok|migrate-fail|migrate-hang>
 *
 * Environment:
 *   DATABASE_URL     required; a libpq connection string (postgres://user:pass@host:port/db).
 *   MIGRATION_NAME   optional; the row recorded in `harbormaster_sim_migrations` (default: the image).
 *   MIGRATION_SQL    optional; extra SQL applied in the same transaction by migrate-ok.
 *   HARBORMASTER_SIM_IMAGE  set by the jobs simulator: the image this execution runs.
 *
 * migrate-ok    creates `harbormaster_sim_migrations` if needed, applies MIGRATION_SQL, records a row; exit 0.
 * migrate-fail  runs a statement against a table that does not exist; the transaction rolls back,
 *               the error is printed as `migration failed: <postgres message>`; exit 1.
 * migrate-hang  connects and sleeps in the server (pg_sleep) until the job's replica timeout kills us.
 */
import { Client } from 'pg';

export const MIGRATION_BEHAVIOURS = ['migrate-ok', 'migrate-fail', 'migrate-hang'] as const;
export type MigrationBehaviour = (typeof MIGRATION_BEHAVIOURS)[number];

export function isMigrationBehaviour(value: string | undefined): value is MigrationBehaviour {
  return (MIGRATION_BEHAVIOURS as readonly string[]).includes(value ?? '');
}

const TRACKING_TABLE_SQL = `CREATE TABLE IF NOT EXISTS harbormaster_sim_migrations (
  id serial PRIMARY KEY,
  name text NOT NULL,
  image text,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function migrate(behaviour: MigrationBehaviour, env: NodeJS.ProcessEnv): Promise<number> {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('migration failed: DATABASE_URL is not set');
    return 2;
  }
  const image = env.HARBORMASTER_SIM_IMAGE ?? 'unknown-image';
  const name = env.MIGRATION_NAME ?? image;
  // Connection timeout so an unreachable database fails the job rather than hanging it.
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  console.log(`applying migration ${name}`);
  const started = Date.now();
  try {
    await client.query('BEGIN');
    await client.query(TRACKING_TABLE_SQL);
    if (behaviour === 'migrate-hang') {
      // The server notices our socket closing (when the timeout kills us) within a second.
      await client.query("SET client_connection_check_interval = '1s'");
      await client.query('SELECT pg_sleep(86400)');
    }
    if (behaviour === 'migrate-fail') {
      await client.query('ALTER TABLE harbormaster_sim_table_that_does_not_exist ADD COLUMN added integer');
    }
    if (env.MIGRATION_SQL) await client.query(env.MIGRATION_SQL);
    await client.query('INSERT INTO harbormaster_sim_migrations (name, image) VALUES ($1, $2)', [name, image]);
    await client.query('COMMIT');
    console.log(`applied migration ${name} in ${Date.now() - started} ms`);
    return 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    console.error(`migration failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const behaviour = process.argv[2];
  if (!isMigrationBehaviour(behaviour)) {
    console.error(`usage: migrationRunner <${MIGRATION_BEHAVIOURS.join('|')}>; got '${behaviour ?? ''}'`);
    process.exitCode = 2;
    return;
  }
  try {
    process.exitCode = await migrate(behaviour, process.env);
  } catch (error) {
    console.error(`migration failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
