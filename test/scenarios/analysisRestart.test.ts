/**
 * devhost killed in the middle of a bake and started again: the analysis resumes where it was.
 * Measurements taken before the kill are replayed from the orchestration's history, not taken
 * again: the record keeps their times, the bake has exactly its five measurements, and Monitor
 * was asked exactly five times (four metric queries each). devhost runs as a child process
 * (SIGKILL is the point) against the same task hub and simulated Azure.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { LOCAL_KEYS, type LocalStack } from '../../devhost/localStack/localStack';
import { freePort, killHard, startDevhostProcess, type DevhostProcess } from '../support/devhostProcess';
import { ENTRY, QUIET_TIMERS, eventually, startScenarioStack } from './scenarioKit';

/** MetricsReader asks for Requests, ResponseTime, RestartCount and WorkingSetBytes: four batch calls per measurement. */
const QUERIES_PER_MEASUREMENT = 4;


describe('devhost killed during a bake and restarted', () => {
  let stack: LocalStack;
  let dir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hm-analysis-crash-'));
    // Users only for the app whose bake reads their traffic; the smoke test sends its own requests.
    stack = await startScenarioStack('scenarios.analysisRestart.json', { settings: { ...QUIET_TIMERS }, withPostgres: false, userTraffic: { requestsPerSecond: 10, apps: ['restart-app'] } });
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

  async function deploymentOf(baseUrl: string, digest: string, app = 'restart-app'): Promise<any> {
    const response = await fetch(`${baseUrl}/api/deployments?app=${app}`, { headers: { 'x-functions-key': LOCAL_KEYS.functionKey }, signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { deployments: any[] };
    return body.deployments.find((d) => d.image?.digest === digest);
  }

  /** A controller on a fresh task hub, with the registry's webhook pointing at it. */
  async function startController(): Promise<{ first: { child: ChildProcess; baseUrl: string }; settingsFile: string; hubName: string; port: number }> {
    const hubName = `anacrash${Date.now().toString(36)}`;
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(stack.settings), { mode: 0o600 });
    const port = await freePort();
    const first = await startChild(settingsFile, hubName, port);
    const admin = new Agent({ connect: { ca: stack.simulator.caCertPem } });
    const hook = await request(`${stack.simulator.url}/_sim/registry/webhooks`, {
      method: 'POST',
      dispatcher: admin,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ registry: 'restarting', serviceUri: `${first.baseUrl}/api/webhooks/acr`, customHeaders: { Authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}` }, actions: ['push'] }),
    });
    await hook.body.dump();
    await admin.close();
    expect(hook.statusCode).toBe(201);
    return { first, settingsFile, hubName, port };
  }

  it('resumes the analysis without taking the finished measurements again', async () => {
    const { first, settingsFile, hubName, port } = await startController();

    const since = stack.simulator.requests.length;
    const { digest } = stack.push('restart-app', 'main-2');
    // Kill the moment the second measurement of the bake is recorded (the third is a timer away).
    const before = await eventually('two bake measurements', async () => {
      const run = ((await deploymentOf(first.baseUrl, digest))?.analysis as any[] | undefined)?.find((r) => r.at === 'bake');
      return run && run.measurements.length >= 2 ? run : undefined;
    }, 120_000, 50);
    await kill(first.child);

    const second = await startChild(settingsFile, hubName, port);
    const deployment = await eventually('the deployment finished', async () => {
      const d = await deploymentOf(second.baseUrl, digest);
      return d && ['succeeded', 'rolled-back', 'failed'].includes(d.phase) ? d : undefined;
    }, 120_000);
    await kill(second.child);

    expect(deployment.phase).toBe('succeeded');
    const bake = (deployment.analysis as any[]).find((r) => r.at === 'bake');
    expect(bake.verdict).toBe('successful');
    expect(bake.measurements).toHaveLength(5);
    // The measurements taken before the kill are the same ones, not new ones.
    expect(bake.measurements.slice(0, before.measurements.length)).toEqual(before.measurements);
    const times = bake.measurements.map((m: any) => Date.parse(m.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Monitor was asked once per measurement until the bake ended.
    const bakeEnded = Date.parse(deployment.steps.find((s: any) => s.step === 'bake').endedAt);
    const queries = stack.simulator.requests.slice(since).filter((r) => r.operation === 'MetricsBatch_Batch' && r.at <= bakeEnded);
    expect(queries).toHaveLength(5 * QUERIES_PER_MEASUREMENT);
  }, 300_000);

  it('killed while a pre-traffic smoke-test job runs: the restarted controller watches the same execution to its end, never starts a second', async () => {
    const { first, settingsFile, hubName, port } = await startController();
    const since = stack.simulator.requests.length;
    const startsOfSmoke = (): number => stack.simulator.requests.slice(since).filter((r) => r.operation === 'Jobs_Start' && /restart-hook-smoke/.test(r.path) && r.status < 300).length;
    const { digest } = stack.push('restart-hook-app', 'main-2');
    await eventually('the smoke test running', async () => {
      const running = (await deploymentOf(first.baseUrl, digest, 'restart-hook-app'))?.steps?.some((s: any) => s.step === 'pre-traffic' && s.outcome === 'running');
      return running && startsOfSmoke() === 1 ? true : undefined;
    }, 120_000, 50);
    await kill(first.child);

    const second = await startChild(settingsFile, hubName, port);
    const deployment = await eventually('the deployment finished', async () => {
      const d = await deploymentOf(second.baseUrl, digest, 'restart-hook-app');
      return d && ['succeeded', 'rolled-back', 'failed'].includes(d.phase) ? d : undefined;
    }, 120_000);
    await kill(second.child);

    expect(deployment.phase).toBe('succeeded');
    const smoke = deployment.steps.find((s: any) => s.step === 'pre-traffic');
    expect(smoke.detail).toMatch(/^pre-traffic hook smoke: execution restart-hook-smoke-\w+ Succeeded \(exit 0\)/);
    expect(startsOfSmoke()).toBe(1);
    const execution = /execution (\S+) Succeeded/.exec(smoke.detail)![1];
    expect(stack.simulator.jobs.execution('restart-rg', 'restart-hook-smoke', execution)?.logs.map((l) => l.line).join('\n')).toMatch(/301 of 301 requests answered 2xx/);
  }, 300_000);
});
