/**
 * Container Apps through the real @azure/arm-appcontainers client, with revisions answering from real
 * processes through the ingress (reached with product code's connect-to seam) and metrics read back
 * with the real MetricsClient.
 */
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { appModel, armClient, getText, ingressAgent, metricsClient, RG, SUB, waitForRevision } from './simHelpers';
import { eventually } from '../support/eventually';

jest.setTimeout(120_000);

let sim: RunningAzureSimulator;
beforeAll(async () => {
  sim = await startAzureSimulator({ lroRetryAfterSeconds: 0, gaugeIntervalMs: 200 });
});
afterAll(async () => {
  await sim?.stop();
});

test('Multiple mode: a new revision starts at 0 %, answers on its FQDN, takes traffic, and the old one is deactivated', async () => {
  const client = armClient(sim);
  const agent = ingressAgent(sim);
  try {
    const created = await client.containerApps.createOrUpdate(RG, 'shop', appModel('shop/api:1.0', { suffix: 'v1', mode: 'Multiple' }));
    expect(created.provisioningState).toBe('Succeeded');
    expect(created.latestRevisionName).toBe('shop--v1');
    const env = await client.managedEnvironments.get(RG, 'env1');
    const domain = env.defaultDomain as string;
    expect(created.configuration?.ingress?.fqdn).toBe(`shop.${domain}`);

    // Pin traffic to v1 by name, then deploy v2.
    await client.containerApps.update(RG, 'shop', { location: 'East US', configuration: { activeRevisionsMode: 'Multiple', ingress: { traffic: [{ revisionName: 'shop--v1', weight: 100 }] } } });
    const updated = await client.containerApps.update(RG, 'shop', { location: 'East US', template: { revisionSuffix: 'v2', containers: [{ name: 'main', image: 'shop/api:2.0-healthy-checks' }], scale: { minReplicas: 1, maxReplicas: 3 } } });
    expect(updated.latestRevisionName).toBe('shop--v2');

    const v2 = await waitForRevision(client, 'shop', 'shop--v2', (r) => r.runningState === 'Running');
    expect(v2).toMatchObject({ active: true, trafficWeight: 0, healthState: 'Healthy', provisioningState: 'Provisioned', replicas: 1, fqdn: `shop--v2.${domain}` });
    const v1 = await client.containerAppsRevisions.getRevision(RG, 'shop', 'shop--v1');
    expect(v1).toMatchObject({ active: true, trafficWeight: 100 });

    // The new revision answers on its own FQDN from a real process; the app FQDN still goes to v1.
    const health = await getText(agent, `https://shop--v2.${domain}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'healthy', checks: { db: 'pass', cache: 'pass' } });
    expect((await getText(agent, `https://shop.${domain}/`)).headers['x-revision']).toBe('shop--v1');

    // Traffic weights must add up to 100 and name existing revisions.
    await expect(client.containerApps.update(RG, 'shop', { location: 'East US', configuration: { ingress: { traffic: [{ revisionName: 'shop--v2', weight: 50 }] } } })).rejects.toMatchObject({ statusCode: 400 });
    await expect(client.containerApps.update(RG, 'shop', { location: 'East US', configuration: { ingress: { traffic: [{ revisionName: 'shop--nope', weight: 100 }] } } })).rejects.toMatchObject({ statusCode: 400 });

    // Move traffic, then deactivate the old revision.
    await client.containerApps.update(RG, 'shop', { location: 'East US', configuration: { ingress: { traffic: [{ revisionName: 'shop--v2', weight: 100, label: 'live' }, { revisionName: 'shop--v1', weight: 0 }] } } });
    expect((await getText(agent, `https://shop.${domain}/`)).headers['x-revision']).toBe('shop--v2');
    expect((await getText(agent, `https://shop---live.${domain}/`)).headers['x-revision']).toBe('shop--v2');
    await expect(client.containerAppsRevisions.deactivateRevision(RG, 'shop', 'shop--v2')).rejects.toMatchObject({ statusCode: 400 });
    await client.containerAppsRevisions.deactivateRevision(RG, 'shop', 'shop--v1');
    const old = await waitForRevision(client, 'shop', 'shop--v1', (r) => r.runningState === 'Stopped');
    expect(old).toMatchObject({ active: false, replicas: 0, trafficWeight: 0 });
    const gone = await getText(agent, `https://shop--v1.${domain}/health`);
    expect(gone.status).toBe(503);

    const revisions = [];
    for await (const r of client.containerAppsRevisions.listRevisions(RG, 'shop')) revisions.push(r.name);
    expect(revisions).toEqual(['shop--v1', 'shop--v2']);
    const replicas = (await client.containerAppsRevisionReplicas.listReplicas(RG, 'shop', 'shop--v2')).value;
    expect(replicas).toHaveLength(1);
    expect(replicas[0].containers?.[0]).toMatchObject({ ready: true, restartCount: 0, runningState: 'Running' });

    // Metrics: what the ingress really served, by revision and status category.
    const appResourceId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/shop`;
    const [result] = await metricsClient(sim).queryResources([appResourceId], ['Requests', 'Replicas', 'WorkingSetBytes'], 'Microsoft.App/containerapps', {
      startTime: new Date(Date.now() - 10 * 60_000),
      endTime: new Date(Date.now() + 60_000),
      interval: 'PT1H',
      aggregation: 'Total',
      filter: "revisionName eq '*' and statusCodeCategory eq '*'",
    });
    const requests = result.getMetricByName('Requests');
    const series = requests?.timeseries.map((t) => ({ dims: Object.fromEntries((t.metadatavalues ?? []).map((m) => [m.name, m.value])), total: t.data?.reduce((a, d) => a + (d.total ?? 0), 0) }));
    expect(series).toEqual(expect.arrayContaining([
      { dims: { revisionName: 'shop--v2', statusCodeCategory: '2xx' }, total: 3 },
      { dims: { revisionName: 'shop--v1', statusCodeCategory: '2xx' }, total: 1 },
      { dims: { revisionName: 'shop--v1', statusCodeCategory: '5xx' }, total: 1 },
    ]));
    expect(series).toHaveLength(3);
    const memory = await eventually('memory samples', async () => {
      const [r] = await metricsClient(sim).queryResources([appResourceId], ['WorkingSetBytes'], 'Microsoft.App/containerapps', { interval: 'PT1H', aggregation: 'Maximum' });
      // The SDK names metrics by localizedValue ("Memory Working Set Bytes"), so getMetricByName('WorkingSetBytes') finds nothing; match the id.
      const max = r.metrics.find((m) => m.id?.endsWith('/WorkingSetBytes'))?.timeseries[0]?.data?.find((d) => d.maximum)?.maximum;
      return max && max > 1_000_000 ? max : undefined;
    });
    expect(memory).toBeGreaterThan(1_000_000);
  } finally {
    await agent.close();
  }
});

test('Single mode: a new revision replaces the old one', async () => {
  const client = armClient(sim);
  await client.containerApps.createOrUpdate(RG, 'solo', appModel('solo/api:1', { suffix: 'one' }));
  const app = await client.containerApps.createOrUpdate(RG, 'solo', appModel('solo/api:2', { suffix: 'two' }));
  expect(app.latestRevisionName).toBe('solo--two');
  const one = await waitForRevision(client, 'solo', 'solo--one', (r) => r.runningState === 'Stopped');
  expect(one).toMatchObject({ active: false, trafficWeight: 0 });
  const two = await waitForRevision(client, 'solo', 'solo--two', (r) => r.runningState === 'Running');
  expect(two).toMatchObject({ active: true, trafficWeight: 100 });
  // Same template again: no new revision.
  const again = await client.containerApps.createOrUpdate(RG, 'solo', appModel('solo/api:2', { suffix: 'two' }));
  expect(again.latestRevisionName).toBe('solo--two');
  const names = [];
  for await (const r of client.containerAppsRevisions.listRevisions(RG, 'solo')) names.push(r.name);
  expect(names).toEqual(['solo--one', 'solo--two']);
  const listed = [];
  for await (const a of client.containerApps.listByResourceGroup(RG)) listed.push(a.name);
  expect(listed).toEqual(expect.arrayContaining(['shop', 'solo']));
});
