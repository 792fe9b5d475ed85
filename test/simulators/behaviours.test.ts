/**
 * Each image behaviour, run as a real revision process and reached through the ingress; revision states
 * reported over ARM follow the process (starting, running, crash loop); scale to zero cold-starts.
 */
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { appModel, armClient, getText, ingressAgent, metricsClient, RG, SUB, waitForRevision } from './simHelpers';
import { eventually } from '../support/eventually';

jest.setTimeout(120_000);

let sim: RunningAzureSimulator;
let agent: ReturnType<typeof ingressAgent>;
let domain: string;
const fast = { updateIntervalInMs: 100 };

beforeAll(async () => {
  sim = await startAzureSimulator({ lroRetryAfterSeconds: 0, gaugeIntervalMs: 200 });
  agent = ingressAgent(sim);
  const client = armClient(sim);
  await client.containerApps.createOrUpdate(RG, 'zoo', appModel('zoo:healthy', { suffix: 'healthy', mode: 'Multiple' }), fast);
  for (const suffix of ['degraded', 'unhealthy', 'flapping', 'slow', 'crash', 'hanging']) {
    const image = { degraded: 'zoo:degraded', unhealthy: 'zoo:unhealthy', flapping: 'zoo:flapping-1', slow: 'zoo:slow-start-2', crash: 'zoo:crash-loop', hanging: 'zoo:hanging' }[suffix] as string;
    await client.containerApps.createOrUpdate(RG, 'zoo', appModel(image, { suffix, mode: 'Multiple', traffic: [{ revisionName: 'zoo--healthy', weight: 100 }] }), fast);
  }
  domain = (await client.managedEnvironments.get(RG, 'env1')).defaultDomain as string;
});
afterAll(async () => {
  await agent?.close();
  await sim?.stop();
});

const health = async (suffix: string): Promise<{ status: number; json: unknown }> => {
  const res = await getText(agent, `https://zoo--${suffix}.${domain}/health`);
  return { status: res.status, json: res.body.startsWith('{') ? JSON.parse(res.body) : res.body };
};

test('healthy, degraded and unhealthy answer /health in the seeds\' formats', async () => {
  expect(await health('healthy')).toEqual({ status: 200, json: { status: 'ok' } });
  expect(await health('degraded')).toEqual({ status: 200, json: { status: 'degraded', checks: { db: 'pass', cache: 'fail' } } });
  expect(await health('unhealthy')).toEqual({ status: 503, json: { status: 'unhealthy', checks: { db: 'fail' } } });
});

test('flapping alternates between healthy and unhealthy', async () => {
  const seen = new Set<number>();
  await eventually('both answers', async () => {
    seen.add((await health('flapping')).status);
    return seen.has(200) && seen.has(503) ? true : undefined;
  }, 20_000, 250);
});

test('slow start: Processing until it listens, then Running', async () => {
  const client = armClient(sim);
  await client.containerApps.createOrUpdate(RG, 'zoo', appModel('zoo:slow-start-3', { suffix: 'slow2', mode: 'Multiple', traffic: [{ revisionName: 'zoo--healthy', weight: 100 }] }), fast);
  const starting = await client.containerAppsRevisions.getRevision(RG, 'zoo', 'zoo--slow2');
  expect(starting).toMatchObject({ runningState: 'Processing', provisioningState: 'Provisioning' });
  // The ingress holds the request until the replica listens.
  expect((await health('slow2')).status).toBe(200);
  await waitForRevision(client, 'zoo', 'zoo--slow2', (r) => r.runningState === 'Running' && r.provisioningState === 'Provisioned');
});

test('crash loop: restarts are counted and the revision reports Failed', async () => {
  const client = armClient(sim);
  const rev = await waitForRevision(client, 'zoo', 'zoo--crash', (r) => r.provisioningState === 'Failed', 60_000);
  expect(rev.runningState).toBe('Failed');
  expect(rev.healthState).toBe('Unhealthy');
  expect((await health('crash')).status).toBe(503);
  const replicas = (await client.containerAppsRevisionReplicas.listReplicas(RG, 'zoo', 'zoo--crash')).value;
  expect(replicas[0].containers?.[0].restartCount).toBeGreaterThanOrEqual(3);
  const appId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/zoo`;
  const [result] = await metricsClient(sim).queryResources([appId], ['RestartCount'], 'Microsoft.App/containerapps', {
    interval: 'PT1H', aggregation: 'Total', filter: "revisionName eq 'zoo--crash'",
  });
  const total = result.metrics[0].timeseries[0].data?.reduce((a, d) => a + (d.total ?? 0), 0);
  expect(total).toBeGreaterThanOrEqual(3);
});

test('hanging accepts the connection and never answers', async () => {
  await expect(getText(agent, `https://zoo--hanging.${domain}/health`, 1500)).rejects.toThrow();
});

test('scale to zero: no process until a request arrives, then a cold start', async () => {
  const client = armClient(sim);
  await client.containerApps.createOrUpdate(RG, 'lazy', appModel('lazy:1', { suffix: 'one', minReplicas: 0 }), fast);
  const idle = await client.containerAppsRevisions.getRevision(RG, 'lazy', 'lazy--one');
  expect(idle).toMatchObject({ active: true, replicas: 0, runningState: 'Running' });
  const res = await getText(agent, `https://lazy.${domain}/`);
  expect(res.status).toBe(200);
  expect(res.headers['x-revision']).toBe('lazy--one');
  expect((await client.containerAppsRevisions.getRevision(RG, 'lazy', 'lazy--one')).replicas).toBe(1);
});

test('restart counts a restart and the revision comes back', async () => {
  const client = armClient(sim);
  await client.containerAppsRevisions.restartRevision(RG, 'zoo', 'zoo--healthy');
  const rev = await waitForRevision(client, 'zoo', 'zoo--healthy', (r) => r.runningState === 'Running');
  expect(rev.active).toBe(true);
  const replicas = (await client.containerAppsRevisionReplicas.listReplicas(RG, 'zoo', 'zoo--healthy')).value;
  expect(replicas[0].containers?.[0].restartCount).toBe(1);
  expect((await health('healthy')).status).toBe(200);
});

test('CPU and memory percentages come from each replica process over the revision\'s own limits, by pod as in Azure; replicas by revision', async () => {
  const client = armClient(sim);
  const model = appModel('gauge:healthy', { suffix: 'small' });
  model.template!.containers![0].resources = { cpu: 0.25, memory: '0.5Gi' };
  await client.containerApps.createOrUpdate(RG, 'gauge', model, fast);
  await waitForRevision(client, 'gauge', 'gauge--small', (r) => r.runningState === 'Running');
  const appId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/gauge`;
  const pod = (await client.containerAppsRevisionReplicas.listReplicas(RG, 'gauge', 'gauge--small')).value[0].name as string;
  const latest = async (metric: string, filter: string, aggregation: string) => {
    const [result] = await metricsClient(sim).queryResources([appId], [metric], 'Microsoft.App/containerapps', { interval: 'PT1H', aggregation, filter });
    return result.metrics[0].timeseries;
  };

  const memory = await eventually('a memory sample of the running replica', async () => {
    const series = await latest('MemoryPercentage', "podName eq '*'", 'Average');
    return series.length === 1 && (series[0].data?.[0]?.average ?? 0) > 0 ? series[0] : undefined;
  });
  expect(memory.metadatavalues).toEqual([{ name: 'podName', value: pod }]);
  const replica = sim.runtime.status(`${appId}/revisions/gauge--small`.toLowerCase()).replicas[0];
  const expected = (replica.rssBytes / (0.5 * 1024 ** 3)) * 100;
  expect(memory.data![0].average).toBeGreaterThan(expected * 0.75);
  expect(memory.data![0].average).toBeLessThan(expected * 1.25);

  const cpu = await latest('CpuPercentage', "podName eq '*'", 'Average');
  expect(cpu.map((s) => s.metadatavalues)).toEqual([[{ name: 'podName', value: pod }]]);
  expect(cpu[0].data![0].average).toBeGreaterThanOrEqual(0);
  expect(cpu[0].data![0].average).toBeLessThan(100);

  const replicas = await latest('Replicas', "revisionName eq '*'", 'Maximum');
  expect(replicas.map((s) => [s.metadatavalues, s.data?.[0]?.maximum])).toEqual([[[{ name: 'revisionName', value: 'gauge--small' }], 1]]);
});

test('no-traffic: the app\'s users are routed around the revision, which still answers on its own host name', async () => {
  const client = armClient(sim);
  await client.containerApps.createOrUpdate(RG, 'hush', appModel('hush:healthy', { suffix: 'base', mode: 'Multiple' }), fast);
  await client.containerApps.createOrUpdate(
    RG,
    'hush',
    appModel('hush:no-traffic', { suffix: 'quiet', mode: 'Multiple', traffic: [{ revisionName: 'hush--base', weight: 50 }, { revisionName: 'hush--quiet', weight: 50 }] }),
    fast,
  );
  const servedBy = new Set<unknown>();
  for (let i = 0; i < 20; i++) servedBy.add((await getText(agent, `https://hush.${domain}/`)).headers['x-revision']);
  // Half the split is the quiet revision's, yet every user request reached the other one.
  expect([...servedBy]).toEqual(['hush--base']);
  expect((await getText(agent, `https://hush--quiet.${domain}/health`)).status).toBe(200);
  expect(JSON.parse((await getText(agent, `https://hush--quiet.${domain}/stats`)).body)).toMatchObject({ revision: 'hush--quiet', requests: 0 });
});
