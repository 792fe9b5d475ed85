/**
 * The health sweep end to end on the local stack: the Azure simulator (ARM through the real
 * @azure/arm-appcontainers client, revisions as real processes behind the HTTPS ingress, Monitor
 * metrics through the real MetricsClient), Azurite for history and state, and a local webhook
 * receiver for the notifications. The clock is the test's, so reminders and windows need no waiting.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { ArmContainerAppsGateway } from '../../src/adapters/containerApps/armContainerAppsGateway';
import { createHealthEndpointProbe } from '../../src/adapters/health/healthEndpointProbe';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import { ArmMetricsFacts } from '../../src/adapters/metrics/armMetricsFacts';
import { MonitorMetricsReader } from '../../src/adapters/metrics/monitorMetricsReader';
import { NotificationDispatcher } from '../../src/adapters/notify/notificationDispatcher';
import { AppStateStore } from '../../src/adapters/storage/appStateStore';
import { HealthHistoryStore } from '../../src/adapters/storage/healthHistoryStore';
import { BackupIndex } from '../../src/adapters/backupStore/backupIndex';
import { BackupRecordStore } from '../../src/adapters/backupStore/backupRecordStore';
import { TableProvider } from '../../src/adapters/storage/tables';
import { createBackupAgeReader } from '../../src/activities/sweep/backupAges';
import { createHealthSweep, type HealthSweep, type SweepReport } from '../../src/activities/sweep/healthSweep';
import type { SweepHistoryRecord } from '../../src/activities/sweep/sweepRecords';
import { parseAppsConfig, type AppsConfigInput } from '../../src/config';
import { createHealthSweepHandlers, type HealthSweepHandlers } from '../../src/functions/healthSweep';
import type { RunningAzurite } from '../../devhost/azurite';
import { claimStorage } from '../support/sharedServices';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { appModel, armClient, getText, RG, SUB, waitForRevision } from '../simulators/simHelpers';
import { eventually } from '../support/eventually';

jest.setTimeout(180_000);

interface Received {
  event: string;
  app: string;
  severity: string;
  channel: string;
  resolved?: boolean;
}

let sim: RunningAzureSimulator;
let azurite: RunningAzurite;
let receiver: http.Server;
let received: Received[] = [];
let agent: ReturnType<typeof createHttpAgent>;
/** The probes' own dispatcher, one connection per origin, as src/composition/services.ts wires them. */
let probeAgent: ReturnType<typeof createHttpAgent>;
let sweep: HealthSweep;
let handlers: HealthSweepHandlers;
let appState: AppStateStore;
/** Reads of one app's running deployment (a sweep of all apps reads them all at once instead). */
let perAppRunningReads = 0;
let tables: TableProvider;
let sweepDeps: Parameters<typeof createHealthSweep>[0];
/** The test's clock runs with real time (metrics are recorded in real time) plus the time it skipped. */
let skippedMs = 0;
const clock = (): Date => new Date(Date.now() + skippedMs);

function app(name: string, extra: Record<string, unknown> = {}): AppsConfigInput['apps'][number] {
  return {
    name,
    containerApp: { subscriptionId: SUB, resourceGroup: RG, name },
    image: { registry: 'acr.azurecr.io', repository: name, tagPolicy: { kind: 'exact', tag: 'stable' } },
    notify: ['oncall', 'chat'],
    ...extra,
  } as AppsConfigInput['apps'][number];
}

function withMemory(model: ReturnType<typeof appModel>, memory: string): ReturnType<typeof appModel> {
  const containers = model.template?.containers?.map((c) => ({ ...c, resources: { cpu: 0.25, memory } }));
  return { ...model, template: { ...model.template, containers } };
}

beforeAll(async () => {
  [sim, azurite] = await Promise.all([startAzureSimulator({ lroRetryAfterSeconds: 0, gaugeIntervalMs: 200 }), claimStorage()]);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const n = JSON.parse(body) as Omit<Received, 'channel'>;
      received.push({ event: n.event, app: n.app, severity: n.severity, channel: (req.url ?? '').slice(1), ...(n.resolved ? { resolved: true } : {}) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const client = armClient(sim);
  await Promise.all([
    client.containerApps.createOrUpdate(RG, 'good', appModel('good/api:1-healthy-checks', { suffix: 'v1' })),
    client.containerApps.createOrUpdate(RG, 'sick', appModel('sick/api:1-unhealthy', { suffix: 'v1' })),
    client.containerApps.createOrUpdate(RG, 'hang', appModel('hang/api:1-hanging', { suffix: 'v1' })),
    client.containerApps.createOrUpdate(RG, 'fat', withMemory(appModel('fat/api:1-healthy', { suffix: 'v1' }), '0.01Gi')),
  ]);
  await waitForRevision(client, 'good', 'good--v1', (r) => r.runningState === 'Running');
  await waitForRevision(client, 'fat', 'fat--v1', (r) => r.runningState === 'Running');
  await waitForRevision(client, 'sick', 'sick--v1', (r) => r.runningState === 'Running');

  const config = parseAppsConfig({
    apps: [
      app('good'),
      app('sick', { selfHeal: { enabled: true, afterUnhealthySweeps: 2, windowMinutes: 60 } }),
      app('hang', { health: { timeoutSeconds: 1 } }),
      app('fat'),
    ],
    notifications: [
      { name: 'oncall', kind: 'webhook', urlSecret: 'oncall-url', minSeverity: 'critical' },
      { name: 'chat', kind: 'webhook', urlSecret: 'chat-url', minSeverity: 'info' },
    ],
  });
  const sdk = { endpoint: sim.url, retryOptions: { maxRetries: 0, retryDelayInMs: 10, maxRetryDelayInMs: 10 }, tlsOptions: { ca: [sim.caCertPem] } };
  agent = createHttpAgent({ connectTo: sim.ingress.connectToRule(), caCertPath: sim.caCertPath });
  probeAgent = createHttpAgent({ connectTo: sim.ingress.connectToRule(), caCertPath: sim.caCertPath, singleConnectionPerOrigin: true });
  tables = new TableProvider({ connectionString: azurite.connectionString });
  appState = new AppStateStore(tables);
  const secrets: Record<string, string> = { 'oncall-url': `${hookBase}/oncall`, 'chat-url': `${hookBase}/chat` };
  const dispatcher = new NotificationDispatcher(config.notifications, (name) => Promise.resolve(secrets[name]), agent);
  sweepDeps = {
    apps: config.apps,
    channels: config.notifications,
    containerApps: new ArmContainerAppsGateway(sim.credential, { sdk }),
    metrics: new MonitorMetricsReader(sim.credential, { endpoint: sim.url, tlsOptions: { ca: sim.caCertPem }, retryOptions: sdk.retryOptions }),
    metricsFacts: new ArmMetricsFacts(sim.credential, { sdk }),
    probe: createHealthEndpointProbe(probeAgent),
    runningDeployment: async (name) => {
      perAppRunningReads++;
      return (await appState.get(name)).running;
    },
    runningDeployments: () => appState.listRunning(),
    history: new HealthHistoryStore(tables),
    notify: (channels, n) => dispatcher.send(channels, n),
    clock,
    options: { concurrency: 4, alertReminderMinutes: 1, metricsTimeoutMs: 1_500 },
  };
  sweep = createHealthSweep(sweepDeps);
  handlers = createHealthSweepHandlers(sweep, clock);

  // Traffic for the metrics: the unhealthy app answers 503, which Monitor counts as 5xx.
  const env = await client.managedEnvironments.get(RG, 'env1');
  for (let i = 0; i < 4; i++) await getText(agent, `https://sick.${env.defaultDomain}/health`);
  // The tiny app's working set (a real process) is sampled against its 0.01Gi limit: wait until a
  // sample is above 85 % of it (a process just started may not be there yet).
  const tinyLimitBytes = 0.01 * 1024 ** 3;
  await eventually('a memory sample above 85 % of the limit', async () =>
    sim.metrics.query('WorkingSetBytes', `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/fat`, 0, Date.now() + 1).some((sample) => sample.value > 0.85 * tinyLimitBytes) ? true : undefined,
  );
});

afterAll(async () => {
  await agent?.close();
  await probeAgent?.close();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await Promise.all([sim?.stop(), azurite?.stop()]);
});

function outcome(report: SweepReport, name: string) {
  const found = report.apps.find((a) => a.app === name);
  if (!found) throw new Error(`no outcome for ${name}`);
  return found;
}

async function history(name: string): Promise<{ current: Record<string, unknown>; history: SweepHistoryRecord[] }> {
  const response = await handlers.getAppHealth(new HttpRequest({ method: 'GET', url: `http://localhost/api/apps/${name}/health`, params: { app: name } }), new InvocationContext());
  expect(response.status).toBe(200);
  return response.jsonBody as { current: Record<string, unknown>; history: SweepHistoryRecord[] };
}

const signal = (record: SweepHistoryRecord, name: string) => record.signals.find((s) => s.name === name);
const events = (): string[] => received.map((r) => `${r.app} ${r.event} ${r.severity} -> ${r.channel}`).sort();

test('first sweep: a verdict per app with the reason of every signal, and alerts routed by severity', async () => {
  const report = await sweep.sweepAll();
  expect(report.apps.filter((a) => a.error)).toEqual([]);

  const good = (await history('good')).history[0];
  expect(good.verdict).toBe('healthy');
  expect(signal(good, 'platform')).toMatchObject({ status: 'ok', reason: expect.stringMatching(/^good--v1: running/) });
  expect(signal(good, 'endpoint')).toMatchObject({ status: 'ok', reason: expect.stringMatching(/status "healthy"/) });
  expect(signal(good, 'restarts')).toMatchObject({ status: 'ok' });
  expect(signal(good, 'memory')).toMatchObject({ status: 'ok', reason: expect.stringMatching(/of the limit/) });

  const sick = (await history('sick')).history[0];
  expect(sick.verdict).toBe('unhealthy');
  // The platform sees a running process; the app itself says it is down, and Monitor counts its 503s.
  expect(signal(sick, 'platform')).toMatchObject({ status: 'ok' });
  expect(signal(sick, 'endpoint')).toMatchObject({ status: 'warning', reason: expect.stringMatching(/HTTP 503/) });
  expect(signal(sick, '5xx-rate')).toMatchObject({ status: 'critical', reason: expect.stringMatching(/100 % of requests answered 5xx/) });

  const hang = (await history('hang')).history[0];
  expect(signal(hang, 'endpoint')).toMatchObject({ status: 'warning', reason: expect.stringMatching(/timed out/) });
  expect(signal(hang, 'health-failures')).toMatchObject({ status: 'ok', reason: expect.stringMatching(/^1 failed health check in a row/) });

  const fat = (await history('fat')).history[0];
  expect(fat.verdict).toBe('degraded');
  expect(signal(fat, 'memory')).toMatchObject({ status: 'warning', reason: expect.stringMatching(/memory working set at .* of the limit \(above 85 %\)/) });

  expect(outcome(report, 'sick').notified).toBe('worse');
  expect(outcome(report, 'good').notified).toBeUndefined();
  // Critical to both channels; a warning only to the channel that takes warnings.
  const expected = ['sick health.worse critical -> chat', 'sick health.worse critical -> oncall', 'fat health.worse warning -> chat'];
  await eventually('notifications', async () => (expected.every((e) => events().includes(e)) ? true : undefined));
  expect(events()).not.toContain('fat health.worse warning -> oncall');
});

test('no alert per sweep; self-healing restarts once per window; the failure run turns critical; reminders come on their interval', async () => {
  received = [];
  const second = await sweep.sweepAll();
  expect(outcome(second, 'sick').notified).toBeUndefined();
  expect(outcome(second, 'fat').notified).toBeUndefined();
  // Two unhealthy sweeps in a row: the active revision is restarted, recorded and alerted.
  expect(outcome(second, 'sick').selfHeal).toMatchObject({ revision: 'sick--v1', outcome: 'restarted' });
  expect(sim.requests.filter((r) => r.method === 'POST' && /\/sick\/revisions\/sick--v1\/restart$/i.test(r.path))).toHaveLength(1);
  await eventually('self-heal alert', async () => (received.some((r) => r.event === 'health.self-heal') ? true : undefined));

  skippedMs += 10_000;
  const third = await sweep.sweepAll();
  const fourth = await sweep.sweepAll();
  // Within the window: no second restart even after K more unhealthy sweeps.
  expect(outcome(third, 'sick').selfHeal).toBeUndefined();
  expect(outcome(fourth, 'sick').selfHeal).toBeUndefined();
  expect(sim.requests.filter((r) => r.method === 'POST' && /\/restart$/i.test(r.path))).toHaveLength(1);
  const hang = (await history('hang')).history[0];
  expect(signal(hang, 'health-failures')).toMatchObject({ status: 'critical', reason: expect.stringMatching(/^4 failed health checks in a row \(alarm at 3\)/) });
  expect(received.filter((r) => r.event === 'health.reminder')).toEqual([]);

  skippedMs += 61_000;
  const fifth = await sweep.sweepAll();
  expect(outcome(fifth, 'sick').notified).toBe('reminder');
  expect(outcome(fifth, 'fat').notified).toBe('reminder');
  expect(outcome(fifth, 'good').notified).toBeUndefined();
});

test('a silence mutes alerts but not checks; recovery sends resolved to the channels that heard it', async () => {
  const post = await handlers.addSilence(
    new HttpRequest({ method: 'POST', url: 'http://localhost/api/apps/fat/silences', params: { app: 'fat' }, body: { string: JSON.stringify({ minutes: 30, reason: 'resizing' }) } }),
    new InvocationContext(),
  );
  expect(post.status).toBe(201);
  const bad = await handlers.addSilence(new HttpRequest({ method: 'POST', url: 'http://localhost/api/apps/fat/silences', params: { app: 'fat' }, body: { string: '{"minutes":-5}' } }), new InvocationContext());
  expect(bad).toMatchObject({ status: 400, jsonBody: { field: 'minutes' } });

  received = [];
  skippedMs += 61_000;
  const muted = await sweep.sweepAll();
  expect(outcome(muted, 'fat').notified).toBeUndefined();
  expect(outcome(muted, 'sick').notified).toBe('reminder');
  const fat = await history('fat');
  expect(fat.history[0]).toMatchObject({ verdict: 'degraded', silenced: true });
  expect(fat.current).toMatchObject({ verdict: 'degraded', silenced: true });

  // Fix the app (a revision with a sane memory limit) and end the silence.
  const client = armClient(sim);
  await client.containerApps.createOrUpdate(RG, 'fat', withMemory(appModel('fat/api:2-healthy', { suffix: 'v2' }), '1Gi'));
  await waitForRevision(client, 'fat', 'fat--v2', (r) => r.runningState === 'Running' && r.trafficWeight === 100);
  const cleared = await handlers.clearSilences(new HttpRequest({ method: 'DELETE', url: 'http://localhost/api/apps/fat/silences', params: { app: 'fat' } }), new InvocationContext());
  expect(cleared).toMatchObject({ status: 200, jsonBody: { removed: [expect.objectContaining({ reason: 'resizing' })] } });

  // Hysteresis: the first two healthy sweeps do not end the spell; the third does.
  received = [];
  for (let i = 0; i < 2; i++) {
    const healthyAgain = await sweep.sweepAll();
    expect(outcome(healthyAgain, 'fat').verdict).toBe('healthy');
    expect(outcome(healthyAgain, 'fat').notified).toBeUndefined();
  }
  const recovered = await sweep.sweepAll();
  expect(outcome(recovered, 'fat')).toMatchObject({ verdict: 'healthy', notified: 'resolved' });
  await eventually('resolved', async () => (received.some((r) => r.app === 'fat') ? true : undefined));
  // The spell was a warning: PagerDuty-like `oncall` (critical only) never heard of it and is not told it ended.
  expect(received.filter((r) => r.app === 'fat')).toEqual([{ event: 'health.resolved', app: 'fat', severity: 'warning', channel: 'chat', resolved: true }]);
});

test('a running deployment\'s revision raises no alarm; metrics errors are unknown, not alarms', async () => {
  const digest = `sha256:${'d'.repeat(64)}`;
  sim.imageCatalog.record({ imageRef: `good/api@${digest}`, behaviour: { kind: 'unhealthy' } });
  await appState.transact('good', (s) => ({ state: { ...s, running: { app: 'good', deploymentId: 'dep-1', digest, registry: 'acr.azurecr.io', repository: 'good', source: 'manual', deliveryId: 'd1', receivedAt: clock().toISOString() } }, result: undefined }));
  const client = armClient(sim);
  await client.containerApps.createOrUpdate(RG, 'good', appModel(`good/api@${digest}`, { suffix: 'v2' }));
  await waitForRevision(client, 'good', 'good--v2', (r) => r.runningState === 'Running' && r.trafficWeight === 100);

  received = [];
  sim.faults.add({ match: { operation: 'MetricsBatch_Batch' }, response: 500, times: 4 });
  const readsBefore = perAppRunningReads;
  const during = await sweep.sweepAll();
  // A sweep of every app learns which deployments run in one read, not one per app.
  expect(perAppRunningReads).toBe(readsBefore);
  const good = (await history('good')).history[0];
  expect(good).toMatchObject({ verdict: 'healthy', deploymentRunning: true });
  expect(outcome(during, 'good').notified).toBeUndefined();
  expect(signal(good, 'metrics')).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/could not read metrics: the metrics API answered HTTP 500/) });
  const sick = (await history('sick')).history[0];
  expect(signal(sick, 'metrics')).toMatchObject({ status: 'unknown' });
  expect(received.filter((r) => r.app === 'good')).toEqual([]);

  // A Monitor that does not answer in time is unknown too, and does not hold the sweep.
  sim.faults.add({ match: { operation: 'MetricsBatch_Batch' }, response: { delayMs: 5_000 }, times: 4 });
  const started = Date.now();
  await sweep.sweepAll();
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(signal((await history('fat')).history[0], 'metrics')).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/timed out after 1500 ms/) });
  sim.faults.clear();
});

test('the health API: bounded history, unknown apps and bad input named', async () => {
  const good = await history('good');
  expect(good.history.length).toBeGreaterThanOrEqual(7);
  expect(good.history[0].at >= good.history[1].at).toBe(true);
  const limited = await handlers.getAppHealth(new HttpRequest({ method: 'GET', url: 'http://localhost/api/apps/good/health?limit=2', params: { app: 'good' } }), new InvocationContext());
  expect((limited.jsonBody as { history: unknown[] }).history).toHaveLength(2);
  const badLimit = await handlers.getAppHealth(new HttpRequest({ method: 'GET', url: 'http://localhost/api/apps/good/health?limit=0', params: { app: 'good' } }), new InvocationContext());
  expect(badLimit).toMatchObject({ status: 400, jsonBody: { field: 'limit' } });
  const tooMany = await handlers.getAppHealth(new HttpRequest({ method: 'GET', url: 'http://localhost/api/apps/good/health?limit=501', params: { app: 'good' } }), new InvocationContext());
  expect(tooMany).toMatchObject({ status: 400, jsonBody: { field: 'limit', detail: 'limit must be an integer from 1 to 500' } });

  // Paged: following the continuation tokens reaches every entry of the unpaged answer, in order.
  const paged: SweepHistoryRecord[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '3', ...(token ? { continuationToken: token } : {}) });
    const page = await handlers.getAppHealth(new HttpRequest({ method: 'GET', url: `http://localhost/api/apps/good/health?${query.toString()}`, params: { app: 'good' } }), new InvocationContext());
    const body = page.jsonBody as { history: SweepHistoryRecord[]; continuationToken?: string };
    expect(page.status).toBe(200);
    expect(body.history.length).toBeLessThanOrEqual(3);
    paged.push(...body.history);
    token = body.continuationToken;
  } while (token);
  expect(paged).toEqual(good.history);
  const badToken = await handlers.getAppHealth(new HttpRequest({ method: 'GET', url: 'http://localhost/api/apps/good/health?continuationToken=not-a-token', params: { app: 'good' } }), new InvocationContext());
  expect(badToken).toMatchObject({ status: 400, headers: { 'content-type': 'application/problem+json' }, jsonBody: { field: 'continuationToken' } });
  const unknown = await handlers.getAppHealth(new HttpRequest({ method: 'GET', url: 'http://localhost/api/apps/nope/health', params: { app: 'nope' } }), new InvocationContext());
  expect(unknown).toMatchObject({ status: 404, jsonBody: { field: 'app' } });
  expect(await sweep.getSummary('nope')).toBeUndefined();
});

test('the sweepApp activity sweeps one app now, judged, recorded and alerted like a scheduled sweep', async () => {
  // `good` still serves the unhealthy revision its running deployment dep-1 rolled out (test above).
  const before = { good: (await history('good')).history.length, sick: (await history('sick')).history.length };
  const since = sim.requests.length;
  received = [];

  // Called by dep-1's own orchestration after it promoted: its `running` entry is not a rollout in progress.
  const after = await handlers.sweepApp({ app: 'good', afterDeploymentId: 'dep-1' }, new InvocationContext());
  // The endpoint answers 503 (and Monitor may already count those answers as 5xx): not healthy either way.
  expect(after).toMatchObject({ app: 'good', notified: 'worse' });
  expect(['degraded', 'unhealthy']).toContain(after.verdict);
  const good = await history('good');
  expect(good.history).toHaveLength(before.good + 1);
  expect(good.history[0]).toMatchObject({ verdict: after.verdict, deploymentRunning: false });
  expect(signal(good.history[0], 'endpoint')).toMatchObject({ status: 'warning', reason: expect.stringMatching(/HTTP 503/) });
  expect(good.current).toMatchObject({ verdict: after.verdict });
  await eventually('the alert of the one-app sweep', async () => (received.some((r) => r.app === 'good' && r.event === 'health.worse') ? true : undefined));

  // Only that app was read and recorded.
  const armPaths = sim.requests.slice(since).map((r) => r.path).filter((p) => /\/containerApps\//i.test(p));
  expect(armPaths.length).toBeGreaterThan(0);
  expect(armPaths.every((p) => /\/containerApps\/good(\/|$)/i.test(p))).toBe(true);
  expect((await history('sick')).history).toHaveLength(before.sick);

  // Another deployment still running: its revisions are the pipeline's to judge.
  const during = await handlers.sweepApp({ app: 'good', afterDeploymentId: 'dep-0' }, new InvocationContext());
  expect(during.error).toBeUndefined();
  const judgedByPipeline = (await history('good')).history[0];
  expect(judgedByPipeline).toMatchObject({ deploymentRunning: true });
  expect(signal(judgedByPipeline, 'endpoint')).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/^deployment running, judged by the pipeline/) });

  expect(await handlers.sweepApp({ app: 'nope' }, new InvocationContext())).toEqual({ app: 'nope', error: 'no app named "nope"' });
  await expect(handlers.sweepApp({ afterDeploymentId: 'x' }, new InvocationContext())).rejects.toThrow(/sweepApp needs \{ app: string/);
});

/** The newest history record of an app of `of` (a sweep over apps other than the suite's main one). */
async function latest(of: HealthSweep, name: string): Promise<SweepHistoryRecord> {
  const [record] = (await of.listHistory(name, { maxPageSize: 1 }))?.records ?? [];
  if (!record) throw new Error(`no history of ${name}`);
  return record;
}

test('backups in the sweep: one read of the backup index per sweep; awaiting the first backup is information, a late one a warning', async () => {
  const config = parseAppsConfig({
    apps: [
      // The container apps of the tests above, under new names (so their states start afresh): fat is healthy again.
      app('shop-web', { containerApp: { subscriptionId: SUB, resourceGroup: RG, name: 'fat' }, database: 'shop-db', notify: [] }),
      app('shop-api', { containerApp: { subscriptionId: SUB, resourceGroup: RG, name: 'good' }, database: 'shop-db', notify: [] }),
      app('ledger-web', { containerApp: { subscriptionId: SUB, resourceGroup: RG, name: 'sick' }, database: 'ledger-db', notify: [] }),
    ],
    databases: [
      { name: 'shop-db', connectionStringSecret: 'shop-db', serverMajorVersion: 15, schedule: '0 0 2 * * *' },
      { name: 'ledger-db', connectionStringSecret: 'ledger-db', serverMajorVersion: 15, schedule: '0 0 2 * * *' },
    ],
  });
  const index = new BackupIndex(tables);
  const reader = createBackupAgeReader({ index, databases: config.databases, now: clock });
  let reads = 0;
  const withBackups = createHealthSweep({ ...sweepDeps, apps: config.apps, channels: [], readBackupAges: () => (reads++, reader()) });

  // First run: nothing backed up, nothing due yet (the databases are first watched now).
  const first = await withBackups.sweepAll();
  expect(reads).toBe(1);
  expect(first.apps.filter((a) => a.error)).toEqual([]);
  const shop = await latest(withBackups, 'shop-web');
  expect(shop.verdict).toBe('healthy');
  expect(signal(shop, 'backup-age')).toMatchObject({ status: 'ok', reason: expect.stringMatching(/^awaiting-first-backup: no backup yet; the first scheduled one is due at \d{4}-\d\d-\d\dT02:00:00.000Z/) });
  expect(await index.getWatchedSince('shop-db')).toBeDefined();

  // ledger-db's newest verified backup is 30 h old: above the 26 h default, a warning.
  const records = new BackupRecordStore(tables);
  const createdAt = new Date(clock().getTime() - 30 * 3_600_000).toISOString();
  await records.transition('ledger-db', '20250101T000000Z-0000aa', 'Complete', { backupId: '20250101T000000Z-0000aa', database: 'ledger-db', trigger: 'schedule', createdAt });
  await withBackups.sweepAll();
  expect(reads).toBe(2);
  const ledger = await latest(withBackups, 'ledger-web');
  expect(signal(ledger, 'backup-age')).toMatchObject({ status: 'warning', reason: expect.stringMatching(/newest verified backup is 30\.\d h old \(above 26 h\)/) });
  expect(signal(await latest(withBackups, 'shop-api'), 'backup-age')).toMatchObject({ status: 'ok', reason: expect.stringMatching(/^awaiting-first-backup/) });
  // The same late backup alone makes an otherwise healthy app degraded.
  const alone = createHealthSweep({ ...sweepDeps, apps: [{ ...config.apps[0], database: 'ledger-db' }], channels: [], readBackupAges: reader });
  expect((await alone.sweepAll()).apps[0]).toMatchObject({ app: 'shop-web', verdict: 'degraded' });

  // The backup index unreadable: unknown, never an alarm, and the sweep goes on.
  const broken = createHealthSweep({ ...sweepDeps, apps: config.apps, channels: [], readBackupAges: () => Promise.reject(new Error('table service down')) });
  const report = await broken.sweepAll();
  expect(report.apps.filter((a) => a.error)).toEqual([]);
  expect(signal(await latest(broken, 'shop-web'), 'backup-age')).toMatchObject({ status: 'unknown', reason: 'could not read backups: table service down' });
});
