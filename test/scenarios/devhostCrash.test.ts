/**
 * devhost killed in the middle of a deployment and started again: the deployment completes and
 * no step is redone. devhost runs as a child process (SIGKILL is the point) against the same
 * Azurite task hub, the same simulated Azure and the same PostgreSQL each time. It is killed
 * three times: right after the pre-migration backup job was started and right after the
 * migration job was started (each before the activity's completion can be recorded, so the
 * restarted activity has to find the execution instead of starting another), and again while
 * the new revision is being health-checked.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Agent, request } from 'undici';
import { LOCAL_BACKUP_JOB, LOCAL_KEYS, type LocalStack } from '../../devhost/localStack/localStack';
import { freePort, killHard, startDevhostProcess, type DevhostProcess } from '../support/devhostProcess';
import { ENTRY, QUIET_TIMERS, eventually, startScenarioStack, succeededCalls } from './scenarioKit';

const BACKUP_JOB = LOCAL_BACKUP_JOB.name;


describe('devhost killed mid-pipeline and restarted', () => {
  let stack: LocalStack;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hm-crash-'));
    // The stack's simulator, PostgreSQL and settings; its in-process devhost steps aside for the child.
    stack = await startScenarioStack('scenarios.crash.json', { settings: { ...QUIET_TIMERS } });
    await stack.devhost.stop();
  }, 120_000);

  afterAll(async () => {
    for (const child of children) await killHard(child);
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function startChild(settingsFile: string, hubName: string, port: number): Promise<DevhostProcess> {
    const started = await startDevhostProcess({ entry: ENTRY, settingsFile, hubName, port, dataDir: path.join(dir, 'devhost'), caCertPath: stack.settings.NODE_EXTRA_CA_CERTS });
    children.push(started.child);
    return started;
  }

  const kill = killHard;

  /** Accepted starts of one job (the simulator logs every ARM call with its path). */
  function jobStarts(job: string, since: number): number {
    const path = new RegExp(`/jobs/${job}/start$`, 'i');
    return stack.simulator.requests.slice(since).filter((r) => r.operation === 'Jobs_Start' && path.test(r.path) && r.status >= 200 && r.status < 300).length;
  }

  async function deploymentOf(baseUrl: string, digest: string): Promise<any> {
    const response = await fetch(`${baseUrl}/api/deployments?app=crash-app`, { headers: { 'x-functions-key': LOCAL_KEYS.functionKey }, signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { deployments: any[] };
    return body.deployments.find((d) => d.image?.digest === digest);
  }

  async function appOf(baseUrl: string): Promise<any> {
    const response = await fetch(`${baseUrl}/api/apps/crash-app`, { headers: { 'x-functions-key': LOCAL_KEYS.functionKey }, signal: AbortSignal.timeout(10_000) });
    return response.json();
  }

  it('completes the deployment; the backup and the migration ran once and one revision was created', async () => {
    const hubName = `crash${Date.now().toString(36)}`;
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(stack.settings), { mode: 0o600 });
    const port = await freePort();
    const first = await startChild(settingsFile, hubName, port);

    // The registry's webhook points at the child (the same port after each restart).
    const admin = new Agent({ connect: { ca: stack.simulator.caCertPem } });
    const hook = await request(`${stack.simulator.url}/_sim/registry/webhooks`, {
      method: 'POST',
      dispatcher: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ registry: 'crashing', serviceUri: `${first.baseUrl}/api/webhooks/acr`, customHeaders: { Authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}` }, actions: ['push'] }),
    });
    await hook.body.dump();
    await admin.close();
    expect(hook.statusCode).toBe(201);

    const before = await appOf(first.baseUrl);

    const since = stack.simulator.requests.length;
    // Slow to start, so the health-wait lasts long enough to be interrupted.
    const { digest, image } = stack.push('crash-app', 'main-2', 'slow-start:4');

    // Kill 1: the moment ARM has accepted the backup job's start (the backup sub-orchestration).
    await eventually('the backup job started', async () => (jobStarts(BACKUP_JOB, since) > 0 ? true : undefined), 60_000, 5);
    await kill(first.child);

    // Kill 2: the moment ARM has accepted the migration job's start.
    const restarted = await startChild(settingsFile, hubName, port);
    await eventually('the migration job started', async () => (jobStarts('crash-migrate', since) > 0 ? true : undefined), 90_000, 5);
    await kill(restarted.child);

    const second = await startChild(settingsFile, hubName, port);
    // Kill 3: while the new revision is health-checked.
    await eventually('the second devhost health-checking', async () => ((await deploymentOf(second.baseUrl, digest))?.phase === 'health-waiting' ? true : undefined), 90_000);
    await kill(second.child);

    const third = await startChild(settingsFile, hubName, port);
    const deployment = await eventually('the deployment finished', async () => {
      const d = await deploymentOf(third.baseUrl, digest);
      return d && ['succeeded', 'rolled-back', 'failed'].includes(d.phase) ? d : undefined;
    }, 120_000);
    const after = await appOf(third.baseUrl);
    await kill(third.child);

    expect(deployment.phase).toBe('succeeded');
    // Each step finished once.
    for (const step of ['verify', 'backup', 'migration', 'deploy', 'health-wait', 'promote']) {
      expect(deployment.steps.filter((s: any) => s.step === step && s.outcome === 'succeeded')).toHaveLength(1);
    }
    // Each job was started once: one backup, one migration, applied once in the database.
    expect(jobStarts(BACKUP_JOB, since)).toBe(1);
    expect(jobStarts('crash-migrate', since)).toBe(1);
    expect(succeededCalls(stack, 'Jobs_Start', since)).toBe(2);
    const db = new Client({ connectionString: stack.postgres!.connectionString });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM harbormaster_sim_migrations WHERE image = $1', [image]);
      expect(Number(rows[0].n)).toBe(1);
    } finally {
      await db.end();
    }
    // One new revision, serving everything.
    expect((after.revisions as any[]).map((r) => r.name).sort()).toEqual([...(before.revisions as any[]).map((r) => r.name), deployment.newRevision].sort());
    expect(after.traffic).toEqual([{ revisionName: deployment.newRevision, weight: 100 }]);
  }, 240_000);
});
