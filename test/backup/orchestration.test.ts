/**
 * The three triggers end to end: the real backup registrations in a host with the Durable
 * engine, the backup job in the Jobs simulator running the real runner as a process, PostgreSQL,
 * Key Vault (simulated) and Azurite. Also: joining a running backup, a job that never finishes,
 * and a runner killed before it could record anything.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { Client } from 'pg';
import { createDurableExtension } from '../../devhost/durable';
import { durableClientBindingData } from '../../devhost/durable/clientBinding';
import { backupJobContainer } from '../../src/backup/backupJobContainer';
import { backupBlobName, RunnerEnv } from '../../src/domain/backup';
import { ControllableClock } from '../../devhost/clock';
import { startDevhost, type RunningDevhost } from '../../devhost/host';
import { CONTAINER, createDatabase, REPO_ROOT, SEED_SQL, sql, startBackupKit, type BackupKit } from './backupTestKit';
import { fastLro } from '../simulators/simHelpers';
import { hashApiKey } from '../../src/domain/access';
import { eventually as pollUntil } from '../support/eventually';

const SUB = '00000000-0000-0000-0000-00000000b0c0';
const RG = 'rg-backup';
const JOB = 'hm-backup';
const ENTRY = path.join(REPO_ROOT, 'dist', 'test', 'backup', 'backupApp.js');

let kit: BackupKit;
let alerts: { url: string; received: Array<Record<string, unknown>>; close(): Promise<void> };

/** A plain HTTP endpoint standing in for the webhook channel. */
async function startAlertReceiver(): Promise<typeof alerts> {
  const received: Array<Record<string, unknown>> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body || '{}') as Record<string, unknown>);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
let host: RunningDevhost;
/** Runs with real time; a test skips what is only a wait (a deadline) by moving it forward. */
const clock = new ControllableClock();
const FUNCTION_KEY = `fk-${randomUUID()}`;
let hubName: string;
const durableLog: string[] = [];

jest.setTimeout(150_000);

function durableClient(): df.DurableClient {
  const context = new InvocationContext({ options: { extraInputs: [df.input.durableClient()] } });
  context.extraInputs.set(df.input.durableClient(), durableClientBindingData(host.baseUrl, hubName));
  return df.getClient(context);
}

async function api(method: string, route: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${host.baseUrl}/api/${route}`, { method, headers: { 'x-functions-key': FUNCTION_KEY }, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The shared `eventually`, naming the durable log's tail when time runs out. */
async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  return pollUntil(what, check, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}; durable log tail:\n${durableLog.slice(-15).join('\n')}`);
  });
}

async function orchestrationOutput(instanceId: string): Promise<Record<string, unknown>> {
  return eventually(`orchestration ${instanceId}`, async () => {
    const status = await durableClient().getStatus(instanceId);
    if (status.runtimeStatus === df.OrchestrationRuntimeStatus.Completed) return status.output as Record<string, unknown>;
    if (status.runtimeStatus === df.OrchestrationRuntimeStatus.Failed) throw new Error(`orchestration failed: ${JSON.stringify(status.output)}`);
    return undefined;
  });
}

/** The runner process of a backup (found by its per-execution environment), for the kill test. */
function runnerPid(backupId: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('runnerCli.js')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`${RunnerEnv.backupId}=${backupId}`)) return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

/** Holds an ACCESS EXCLUSIVE lock on a table: pg_dump waits for it, so the backup "never finishes". */
async function lockTable(): Promise<Client> {
  const client = new Client({ connectionString: kit.adminConnectionString('shop') });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
  return client;
}

beforeAll(async () => {
  kit = await startBackupKit();
  await createDatabase(kit, 'shop', SEED_SQL);
  kit.keyVault.setSecret('shop-db', kit.role.connectionString('shop'));

  // The backup job as the local stack defines it: the runner's command, its settings, the storage key as a job secret.
  const arm = fastLro(new ContainerAppsAPIClient(kit.sim.credential, SUB, { endpoint: kit.sim.url, tlsOptions: kit.sim.tlsOptions }));
  await arm.jobs.createOrUpdate(
    RG,
    JOB,
    {
      location: 'East US',
      environmentId: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/managedEnvironments/env`,
      configuration: {
        triggerType: 'Manual',
        replicaTimeout: 300,
        replicaRetryLimit: 0,
        manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
        secrets: [{ name: 'storage', value: kit.azurite.connectionString }],
      },
      template: {
        containers: [backupJobContainer({ storageSecretName: 'storage', blobContainer: CONTAINER, keyVaultUrl: kit.sim.url, caCertPath: kit.sim.caCertPath })],
      },
    },
    { updateIntervalInMs: 20 },
  );

  const configPath = path.join(tmpdir(), `hm-backup-apps-${randomUUID()}.json`);
  // An app using the database, with a webhook channel: backup and drill alerts go to its channels.
  alerts = await startAlertReceiver();
  kit.keyVault.setSecret('ops-hook-url', alerts.url);
  writeFileSync(
    configPath,
    JSON.stringify({
      apps: [
        {
          name: 'shop-app',
          containerApp: { subscriptionId: SUB, resourceGroup: RG, name: 'shop-app' },
          image: { registry: 'simregistry.azurecr.io', repository: 'shop', tagPolicy: { kind: 'semver', range: '^1.0.0' } },
          database: 'shop',
          notify: ['ops-hook'],
        },
      ],
      databases: [{ name: 'shop', connectionStringSecret: 'shop-db', serverMajorVersion: 15 }],
      notifications: [{ name: 'ops-hook', kind: 'webhook', urlSecret: 'ops-hook-url' }],
    }),
  );
  const settings = {
    AzureWebJobsStorage: kit.azurite.connectionString,
    HARBORMASTER_CONFIG_PATH: configPath,
    HARBORMASTER_KEY_VAULT_URL: kit.sim.url,
    HARBORMASTER_CREDENTIAL: 'local-dev',
    HARBORMASTER_CA_CERT_PATH: kit.sim.caCertPath,
    HARBORMASTER_ARM_ENDPOINT: kit.sim.url,
    HARBORMASTER_POLL_INTERVAL_MS: '50',
    HARBORMASTER_BACKUP_CONTAINER: CONTAINER,
    HARBORMASTER_BACKUP_JOB_NAME: JOB,
    HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP: RG,
    HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID: SUB,
    DEVHOST_FUNCTION_KEY: FUNCTION_KEY,
    HARBORMASTER_API_KEYS: `backup-test:operate:${hashApiKey(FUNCTION_KEY)}`,
  };
  hubName = `B${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  host = await startDevhost({
    entry: ENTRY,
    port: 0,
    settings,
    clock,
    storage: { connectionString: kit.azurite.connectionString },
    extensions: [createDurableExtension({ hubName, log: (m) => durableLog.push(m) })],
    hostJsonPath: path.join(REPO_ROOT, 'host.json'),
    dataDir: mkdtempSync(path.join(tmpdir(), 'hm-devhost-')),
    log: () => undefined,
  });
}, 180_000);

afterAll(async () => {
  await host?.stop();
  await alerts?.close();
  await kit?.stop();
});

describe('backup orchestration end to end', () => {
  it('manual: POST /api/backups/{database} answers 202 with an id and status URL; the job runs the runner; the backup completes', async () => {
    const started = await api('POST', 'backups/shop');
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ database: 'shop', joined: false, statusUrl: expect.stringContaining(`/api/backups/${String(started.body.backupId)}`) });
    const backupId = String(started.body.backupId);
    const done = await eventually('manual backup', async () => {
      const got = await api('GET', `backups/${backupId}`);
      return got.body.state === 'Complete' || got.body.state === 'Failed' ? got.body : undefined;
    });
    expect(done).toMatchObject({ state: 'Complete', trigger: 'manual', executionName: expect.stringMatching(/^hm-backup-/) });
    expect(await kit.blobs.exists(backupBlobName('shop', backupId))).toBe(true);
    const list = await api('GET', 'backups?database=shop');
    expect(list.body.backups).toEqual(expect.arrayContaining([expect.objectContaining({ backupId, state: 'Complete', trigger: 'manual', sizeBytes: expect.any(Number), ageSeconds: expect.any(Number) })]));
    // The orchestration sees the record, releases the claim and completes with the runner's verdict.
    expect(await orchestrationOutput(`backup-${backupId}`)).toMatchObject({ backupId, state: 'Complete' });
    expect(await kit.records.getClaim('shop')).toBeUndefined();
  });

  it('unknown database: 404 for POST, 400 naming the query parameter and the allowed values for the list', async () => {
    expect(await api('POST', 'backups/nope')).toMatchObject({ status: 404, body: { field: 'database' } });
    expect(await api('GET', 'backups?database=nope')).toMatchObject({ status: 400, body: { field: 'database', detail: 'database must be one of: shop' } });
    expect(await api('GET', 'backups?db=shop')).toMatchObject({ status: 400, body: { field: 'db', detail: expect.stringContaining('accepted: database') } });
    expect((await api('GET', 'backups/20990101T000000Z-000000')).status).toBe(404);
  });

  it('schedule: the database\'s timer starts a backup with trigger "schedule"', async () => {
    const timer = host.functions.get('backupSchedule-shop');
    expect(timer?.trigger.type).toBe('timerTrigger');
    expect(timer?.trigger.schedule).toBe('0 0 2 * * *');
    await host.fire('backupSchedule-shop');
    const record = await eventually('scheduled backup', async () => {
      const all = await kit.records.list('shop');
      return all.find((r) => r.trigger === 'schedule' && (r.state === 'Complete' || r.state === 'Failed'));
    });
    expect(record.state).toBe('Complete');
  });

  it('pre-migration: a sub-orchestration returns { backupId, state } and the backup carries the deployment id', async () => {
    const instanceId = `premig-${randomUUID()}`;
    await durableClient().startNew('preMigrationParent', { instanceId, input: { database: 'shop', trigger: 'pre-migration', deploymentId: 'dep-7' } });
    const output = await orchestrationOutput(instanceId);
    expect(output).toMatchObject({ state: 'Complete', backupId: expect.any(String) });
    const record = await kit.records.get('shop', String(output.backupId));
    expect(record).toMatchObject({ trigger: 'pre-migration', deploymentId: 'dep-7', state: 'Complete' });
    const blob = await kit.blobs.getMetadataAndTags(backupBlobName('shop', String(output.backupId)));
    expect(blob?.tags).toMatchObject({ trigger: 'pre-migration', deploymentId: 'dep-7' });
  });

  it('one at a time: a second request joins the running backup; a job that never finishes fails at the deadline and leaves nothing', async () => {
    const lock = await lockTable();
    try {
      const instanceId = `deadline-${randomUUID()}`;
      await durableClient().startNew('preMigrationParent', {
        instanceId,
        input: { database: 'shop', trigger: 'pre-migration', deploymentId: 'dep-8', timing: { deadlineMinutes: 0.2, minPollSeconds: 1, maxPollSeconds: 2, graceSeconds: 60 } },
      });
      const claim = await eventually('the claim', () => kit.records.getClaim('shop'));
      const joined = await api('POST', 'backups/shop');
      expect(joined).toMatchObject({ status: 202, body: { backupId: claim.backupId, joined: true } });
      // Another deployment's pre-migration request joins too: the running backup becomes its restore point.
      const second = `deadline-joiner-${randomUUID()}`;
      await durableClient().startNew('preMigrationParent', {
        instanceId: second,
        input: { database: 'shop', trigger: 'pre-migration', deploymentId: 'dep-8b', timing: { deadlineMinutes: 0.2, minPollSeconds: 1, maxPollSeconds: 2, graceSeconds: 60 } },
      });
      // Both wait for a record that never comes: once the joiner is in, skip to past their 12 s deadline.
      await eventually('the joiner to cover its migration', async () => ((await kit.records.get('shop', claim.backupId))?.coversMigration ? true : undefined));
      clock.advanceBy(15_000);
      expect(await orchestrationOutput(second)).toMatchObject({ backupId: claim.backupId, joined: true, state: 'Failed' });
      expect(await kit.records.get('shop', claim.backupId)).toMatchObject({ coversMigration: true });

      const output = await orchestrationOutput(instanceId);
      expect(output).toMatchObject({ state: 'Failed', backupId: claim.backupId, reason: expect.stringContaining('did not finish within') });
      expect(await kit.records.get('shop', claim.backupId)).toMatchObject({ state: 'Failed' });
      // The orchestration stopped the execution: the runner is gone while the lock is still held.
      await eventually('the runner to be stopped', async () => (runnerPid(claim.backupId) === undefined ? true : undefined), 30_000);
      const execution = (await kit.records.get('shop', claim.backupId))?.executionName;
      expect(kit.jobs.execution(RG, JOB, execution!)?.status).toBe('Stopped');
      await lock.query('ROLLBACK');
      expect(await kit.records.get('shop', claim.backupId)).toMatchObject({ state: 'Failed', reason: expect.stringContaining('did not finish within') });
      expect(await kit.blobs.exists(backupBlobName('shop', claim.backupId))).toBe(false);
      expect(await kit.records.getClaim('shop')).toBeUndefined();
      const alert = await eventually('the failure alert', async () => alerts.received.find((a) => JSON.stringify(a).includes(claim.backupId)));
      expect(JSON.stringify(alert)).toContain('backup.failed');
    } finally {
      await lock.end().catch(() => undefined);
    }
  });

  it('a runner killed before recording a result: the execution fails, the backup is Failed with that reason', async () => {
    const lock = await lockTable();
    try {
      const instanceId = `killed-${randomUUID()}`;
      await durableClient().startNew('preMigrationParent', {
        instanceId,
        input: { database: 'shop', trigger: 'pre-migration', deploymentId: 'dep-9', timing: { minPollSeconds: 1, maxPollSeconds: 2, graceSeconds: 1 } },
      });
      const claim = await eventually('the claim', () => kit.records.getClaim('shop'));
      const pid = await eventually('the runner process', async () => runnerPid(claim.backupId));
      await eventually('the runner to be dumping', async () => ((await kit.records.get('shop', claim.backupId))?.state === 'Running' ? true : undefined));
      process.kill(pid, 'SIGKILL');
      const output = await orchestrationOutput(instanceId);
      expect(output).toMatchObject({ state: 'Failed', reason: expect.stringContaining('without the runner recording a result') });
      expect(await kit.blobs.exists(backupBlobName('shop', claim.backupId))).toBe(false);
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end().catch(() => undefined);
    }
  });

  it('drill: the timer restores the newest verified backup into a scratch database, row counts match, the scratch database is dropped', async () => {
    await host.fire('backupDrill-shop');
    const drill = await eventually('the drill', async () => (await kit.records.listDrills('shop')).find((d) => d.state !== 'Running'));
    expect(drill).toMatchObject({ state: 'Passed', tablesCompared: 3, mismatches: [] });
    // The runner drops the scratch database right after recording the verdict.
    const scratch = await eventually('the scratch database dropped', async () => {
      const rows = await sql(kit.pg.connectionString, "SELECT datname FROM pg_database WHERE datname LIKE 'hm_drill_%'");
      return rows.length === 0 ? rows : undefined;
    });
    expect(scratch).toEqual([]);
  });

  it('a failed drill (restored row counts differ from the recorded ones) is Failed and alerts', async () => {
    const newest = (await kit.records.list('shop')).filter((r) => r.state === 'Complete').sort((a, b) => b.backupId.localeCompare(a.backupId))[0];
    await kit.records.update('shop', newest.backupId, { tableRowCounts: { ...newest.tableRowCounts, 'public.orders': 1999 } });
    const before = new Set((await kit.records.listDrills('shop')).map((d) => d.drillId));
    await host.fire('backupDrill-shop');
    const drill = await eventually('the failing drill', async () => (await kit.records.listDrills('shop')).find((d) => !before.has(d.drillId) && d.state !== 'Running'));
    expect(drill).toMatchObject({ state: 'Failed', backupId: newest.backupId, mismatches: [{ table: 'public.orders', expected: 1999, restored: 2000 }] });
    const alert = await eventually('the drill alert', async () => alerts.received.find((a) => JSON.stringify(a).includes('backup.drill-failed')));
    expect(JSON.stringify(alert)).toContain(drill.drillId);
  });
});
