/**
 * The jobs simulator through the real ContainerAppsAPIClient: executions run real processes, and a
 * migration image runs real SQL against a throwaway PostgreSQL.
 */
import { ContainerAppsAPIClient, type Job, type JobExecution } from '@azure/arm-appcontainers';
import https from 'node:https';
import { Client } from 'pg';
import { createJobsModule, type JobsModule } from '../../simulators/arm/jobs';
import { InMemoryImageCatalog } from '../../simulators/imageCatalog';
import { JOB_BEHAVIOUR_METADATA_KEY } from '../../simulators/jobs/jobBehaviour';
import { startSimulator, type RunningSimulator } from '../../simulators/server';
import type { TestPostgres } from '../support/postgres';
import { claimDatabase } from '../support/sharedServices';
import { fastLro } from './simHelpers';
import { eventually } from '../support/eventually';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000001';
const RG = 'rg-jobs';
const ENV_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.App/managedEnvironments/env`;
const MIGRATOR = 'simregistry.azurecr.io/shop/migrator';

let sim: RunningSimulator;
let jobs: JobsModule;
let client: ContainerAppsAPIClient;
let postgres: TestPostgres;
const catalog = new InMemoryImageCatalog();

function jobEnvelope(overrides: { replicaTimeout?: number; image?: string; command?: string[]; secrets?: Array<{ name: string; value: string }> } = {}): Job {
  return {
    location: 'East US',
    environmentId: ENV_ID,
    configuration: {
      triggerType: 'Manual',
      replicaTimeout: overrides.replicaTimeout ?? 60,
      replicaRetryLimit: 0,
      manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
      secrets: overrides.secrets,
    },
    template: { containers: [{ name: 'main', image: overrides.image ?? `${MIGRATOR}:1`, command: overrides.command }] },
  };
}

async function waitForTerminal(job: string, execution: string): Promise<JobExecution> {
  return eventually(`execution ${execution} to end`, async () => {
    const current = await client.jobExecution(RG, job, execution);
    return current.status && !['Running', 'Processing'].includes(current.status) ? current : undefined;
  }, 45_000, 100);
}

/** The admin logs route, over HTTPS trusting the simulator's CA. */
function logsOf(job: string, execution: string): Promise<{ status: string; exitCode: number | null; lines: Array<{ line: string; stream: string }> }> {
  return new Promise((resolve, reject) => {
    https
      .get(`${sim.url}/_sim/jobs/${job}/executions/${execution}/logs`, { agent: sim.httpsAgent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(JSON.parse(text) as { status: string; exitCode: number | null; lines: Array<{ line: string; stream: string }> }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  postgres = await claimDatabase();
  jobs = createJobsModule({ imageCatalog: catalog, lro: { retryAfterSeconds: 0 } });
  sim = await startSimulator({ modules: [jobs] });
  client = fastLro(new ContainerAppsAPIClient(sim.credential, SUBSCRIPTION, { endpoint: sim.url, tlsOptions: sim.tlsOptions }));
  catalog.record({ imageRef: `${MIGRATOR}:ok`, metadata: { [JOB_BEHAVIOUR_METADATA_KEY]: 'migrate-ok' } });
  catalog.record({ imageRef: `${MIGRATOR}:fail`, metadata: { [JOB_BEHAVIOUR_METADATA_KEY]: 'migrate-fail' } });
  catalog.record({ imageRef: `${MIGRATOR}:hang`, metadata: { [JOB_BEHAVIOUR_METADATA_KEY]: 'migrate-hang' } });
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await postgres?.stop();
});

describe('jobs through ContainerAppsAPIClient', () => {
  it('creates a job (201 + Azure-AsyncOperation, polled to Succeeded) and gets it', async () => {
    const created = await client.jobs.createOrUpdate(RG, 'create-me', jobEnvelope(), { updateIntervalInMs: 20 });
    expect(created.provisioningState).toBe('Succeeded');
    const fetched = await client.jobs.get(RG, 'create-me');
    expect(fetched.id).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.App/jobs/create-me`);
    expect(fetched.configuration?.replicaTimeout).toBe(60);
    expect(fetched.template?.containers?.[0]?.image).toBe(`${MIGRATOR}:1`);
  });

  it('rejects a job without replicaTimeout with a 400 naming the field', async () => {
    const envelope = jobEnvelope();
    delete (envelope.configuration as { replicaTimeout?: number }).replicaTimeout;
    await expect(client.jobs.createOrUpdate(RG, 'bad', envelope, { updateIntervalInMs: 20 })).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('properties.configuration.replicaTimeout'),
    });
  });

  it('starts an execution with a template override that runs the command: exit 0 is Succeeded, its output kept', async () => {
    await client.jobs.createOrUpdate(RG, 'runner', jobEnvelope(), { updateIntervalInMs: 20 });
    const started = await client.jobs.start(RG, 'runner', {
      updateIntervalInMs: 20,
      template: {
        containers: [{ name: 'main', image: 'simregistry.azurecr.io/tools:1', command: ['node', '-e', 'console.log("hello from " + process.env.GREETING)'], env: [{ name: 'GREETING', value: 'the job' }] }],
      },
    });
    expect(started.name).toMatch(/^runner-/);
    expect(started.id).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/${RG}/providers/Microsoft.App/jobs/runner/executions/${started.name}`);
    const done = await waitForTerminal('runner', started.name!);
    expect(done.status).toBe('Succeeded');
    expect(done.template?.containers?.[0]?.image).toBe('simregistry.azurecr.io/tools:1');
    const logs = await logsOf('runner', started.name!);
    expect(logs).toMatchObject({ status: 'Succeeded', exitCode: 0 });
    expect(logs.lines.map((l) => l.line)).toContain('hello from the job');
  });

  it('a non-zero exit is Failed with the exit code in detailedStatus and the stderr line in the logs', async () => {
    const started = await client.jobs.start(RG, 'runner', {
      updateIntervalInMs: 20,
      template: { containers: [{ name: 'main', image: 'simregistry.azurecr.io/tools:1', command: ['node', '-e', 'console.error("boom"); process.exit(3)'] }] },
    });
    const done = await waitForTerminal('runner', started.name!);
    expect(done.status).toBe('Failed');
    const raw = jobs.execution(RG, 'runner', started.name!)!;
    expect(raw.exitCode).toBe(3);
    expect(raw.replicas[0].containers[0]).toMatchObject({ code: 3, status: 'Failed' });
    expect(raw.logs).toEqual([expect.objectContaining({ stream: 'stderr', line: 'boom' })]);
  });

  it('stopExecution ends a running execution as Stopped', async () => {
    const started = await client.jobs.start(RG, 'runner', {
      updateIntervalInMs: 20,
      template: { containers: [{ name: 'main', image: 'simregistry.azurecr.io/tools:1', command: ['node', '-e', 'setInterval(() => {}, 1000)'] }] },
    });
    expect((await client.jobExecution(RG, 'runner', started.name!)).status).toBe('Running');
    await client.jobs.stopExecution(RG, 'runner', started.name!, { updateIntervalInMs: 20 });
    expect((await client.jobExecution(RG, 'runner', started.name!)).status).toBe('Stopped');
  });

  it('lists executions newest first', async () => {
    const names: string[] = [];
    for await (const execution of client.jobsExecutions.list(RG, 'runner')) names.push(execution.name!);
    expect(names.length).toBe(3);
    expect(names.every((name) => name.startsWith('runner-'))).toBe(true);
  });

  it('an unknown executable fails with 127 like a container runtime', async () => {
    const started = await client.jobs.start(RG, 'runner', {
      updateIntervalInMs: 20,
      template: { containers: [{ name: 'main', image: 'simregistry.azurecr.io/tools:1', command: ['definitely-not-a-binary-here'] }] },
    });
    const done = await waitForTerminal('runner', started.name!);
    expect(done.status).toBe('Failed');
    expect(jobs.execution(RG, 'runner', started.name!)!.exitCode).toBe(127);
  });
});

describe('migration images against PostgreSQL', () => {
  const secrets = (): Array<{ name: string; value: string }> => [{ name: 'database-url', value: postgres.connectionString }];

  async function runMigration(job: string, image: string, replicaTimeout = 60): Promise<{ execution: JobExecution; name: string }> {
    await client.jobs.createOrUpdate(RG, job, { ...jobEnvelope({ replicaTimeout, secrets: secrets() }) }, { updateIntervalInMs: 20 });
    const started = await client.jobs.start(RG, job, {
      updateIntervalInMs: 20,
      template: { containers: [{ name: 'migrate', image, env: [{ name: 'DATABASE_URL', secretRef: 'database-url' }, { name: 'MIGRATION_NAME', value: job }] }] },
    });
    return { execution: await waitForTerminal(job, started.name!), name: started.name! };
  }

  async function recordedMigrations(): Promise<string[]> {
    const db = new Client({ connectionString: postgres.connectionString });
    await db.connect();
    try {
      const exists = await db.query("SELECT to_regclass('harbormaster_sim_migrations') AS t");
      if (!exists.rows[0].t) return [];
      return (await db.query<{ name: string }>('SELECT name FROM harbormaster_sim_migrations ORDER BY id')).rows.map((r) => r.name);
    } finally {
      await db.end();
    }
  }

  it('migrate-ok applies real SQL and reports Succeeded', async () => {
    const { execution } = await runMigration('migrate-ok-job', `${MIGRATOR}:ok`);
    expect(execution.status).toBe('Succeeded');
    expect(await recordedMigrations()).toContain('migrate-ok-job');
  });

  it('migrate-fail reports Failed with exit code 1 and the postgres error line; nothing is applied', async () => {
    const { execution, name } = await runMigration('migrate-fail-job', `${MIGRATOR}:fail`);
    expect(execution.status).toBe('Failed');
    const run = jobs.execution(RG, 'migrate-fail-job', name)!;
    expect(run.exitCode).toBe(1);
    expect(run.logs.map((l) => l.line)).toContain('migration failed: relation "harbormaster_sim_table_that_does_not_exist" does not exist');
    expect(await recordedMigrations()).not.toContain('migrate-fail-job');
  });

  it('migrate-hang is killed at replicaTimeout and reports Failed (DeadlineExceeded)', async () => {
    const started = Date.now();
    const { execution } = await runMigration('migrate-hang-job', `${MIGRATOR}:hang`, 3);
    expect(execution.status).toBe('Failed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    const raw = await client.jobExecution(RG, 'migrate-hang-job', execution.name!);
    expect(raw.detailedStatus?.replicas?.[0]?.containers?.[0]?.additionalInformation).toBe('DeadlineExceeded');
  });
});
