/**
 * Optimistic concurrency on container apps, at the wire: the ARM simulator answers with ETags and
 * enforces If-Match as ARM does, and the product's gateway writes under the ETag of the read it
 * computed from, so an operator's change that lands between its GET and its PATCH survives.
 */
import type { ContainerApp } from '@azure/arm-appcontainers';
import { RestError } from '@azure/core-rest-pipeline';
import { ArmContainerAppsGateway } from '../../src/adapters/containerApps/armContainerAppsGateway';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { appModel, armClient, RG, SUB } from './simHelpers';
import { eventually } from '../support/eventually';

jest.setTimeout(120_000);

let sim: RunningAzureSimulator;
beforeAll(async () => {
  sim = await startAzureSimulator({ lroRetryAfterSeconds: 0 });
});
afterAll(async () => {
  await sim?.stop();
});
afterEach(() => sim.faults.clear());

const poll = { updateIntervalInMs: 50 };

async function getWithEtag(name: string): Promise<{ app: ContainerApp; etag: string | undefined }> {
  let etag: string | undefined;
  const app = await armClient(sim).containerApps.get(RG, name, { onResponse: (raw) => (etag = raw.headers.get('etag') ?? undefined) });
  return { app, etag };
}

function gateway(): ArmContainerAppsGateway {
  return new ArmContainerAppsGateway(sim.credential, {
    sdk: { endpoint: sim.url, tlsOptions: { ca: [sim.tlsOptions.ca] }, retryOptions: { maxRetries: 1, retryDelayInMs: 50, maxRetryDelayInMs: 100 } },
    pollIntervalMs: 50,
  });
}

/**
 * Holds the gateway's next PATCH of `name` in the simulator for a moment, and while it waits lands
 * `operatorChange` (another writer's PATCH) and waits for it to finish.
 */
async function raceOperatorChange(name: string, gatewayCall: () => Promise<unknown>, operatorChange: ContainerApp): Promise<void> {
  const rule = sim.faults.add({ match: { operation: 'ContainerApps_Update', pathRegex: `/containerApps/${name}$` }, response: { delayMs: 1_500 }, times: 1 });
  const call = gatewayCall();
  await eventually('the gateway PATCH to be held', () => Promise.resolve(rule.hits > 0 ? true : undefined), 20_000, 20);
  await armClient(sim).containerApps.update(RG, name, operatorChange, poll);
  await call;
}

describe('ARM simulator: ETag and If-Match on container apps', () => {
  test('GET answers with an ETag; a write with a stale If-Match is refused with 412 and changes nothing', async () => {
    const client = armClient(sim);
    await client.containerApps.createOrUpdate(RG, 'etagged', appModel('shop/api:1.0', { suffix: 'v1', mode: 'Multiple' }), poll);
    const first = await getWithEtag('etagged');
    expect(first.etag).toMatch(/^".+"$/);

    await client.containerApps.update(RG, 'etagged', { location: 'East US', configuration: { maxInactiveRevisions: 3 } }, { ...poll, requestOptions: { headers: { 'If-Match': first.etag! } } });
    const second = await getWithEtag('etagged');
    expect(second.etag).not.toBe(first.etag);
    expect(second.app.configuration?.maxInactiveRevisions).toBe(3);

    const stale = await client.containerApps
      .update(RG, 'etagged', { location: 'East US', configuration: { maxInactiveRevisions: 9 } }, { ...poll, requestOptions: { headers: { 'If-Match': first.etag! } } })
      .then(() => undefined, (e: unknown) => e);
    expect(stale).toBeInstanceOf(RestError);
    expect(stale).toMatchObject({ statusCode: 412, code: 'PreconditionFailed' });
    expect((await getWithEtag('etagged')).app.configuration?.maxInactiveRevisions).toBe(3);

    // `*` matches any existing app; If-None-Match: * refuses to overwrite one.
    await client.containerApps.update(RG, 'etagged', { location: 'East US', configuration: { maxInactiveRevisions: 4 } }, { ...poll, requestOptions: { headers: { 'If-Match': '*' } } });
    const overwrite = await client.containerApps
      .createOrUpdate(RG, 'etagged', appModel('shop/api:1.0', { suffix: 'v1', mode: 'Multiple' }), { ...poll, requestOptions: { headers: { 'If-None-Match': '*' } } })
      .then(() => undefined, (e: unknown) => e);
    expect(overwrite).toMatchObject({ statusCode: 412 });
    const missing = await client.containerApps
      .update(RG, 'nonexistent', { location: 'East US', configuration: { maxInactiveRevisions: 4 } }, { ...poll, requestOptions: { headers: { 'If-Match': '*' } } })
      .then(() => undefined, (e: unknown) => e);
    expect(missing).toMatchObject({ statusCode: 412 });
  });
});

describe('ArmContainerAppsGateway writes under the ETag', () => {
  const ref = (name: string) => ({ subscriptionId: SUB, resourceGroup: RG, name });

  test('setTraffic: an operator change made between its read and its write is kept', async () => {
    const model = appModel('shop/api:1.0', { suffix: 'v1', mode: 'Multiple' });
    model.configuration = { ...model.configuration, maxInactiveRevisions: 5 };
    await armClient(sim).containerApps.createOrUpdate(RG, 'traffic-race', model, poll);

    await raceOperatorChange('traffic-race', () => gateway().setTraffic(ref('traffic-race'), [{ revisionName: 'traffic-race--v1', weight: 100 }]), {
      location: 'East US',
      configuration: { maxInactiveRevisions: 7 },
    });

    const after = (await getWithEtag('traffic-race')).app;
    expect(after.configuration?.maxInactiveRevisions).toBe(7);
    expect(after.configuration?.ingress?.traffic).toEqual([{ revisionName: 'traffic-race--v1', weight: 100 }]);
  });

  test('beginCreateRevision: an environment variable an operator set meanwhile is in the new revision', async () => {
    const model = appModel('shop/api:1.0', { suffix: 'v1', mode: 'Multiple' });
    model.template!.containers![0].env = [{ name: 'FEATURE', value: 'old' }];
    await armClient(sim).containerApps.createOrUpdate(RG, 'revision-race', model, poll);

    await raceOperatorChange('revision-race', () => gateway().beginCreateRevision(ref('revision-race'), { image: 'shop/api:2.0', revisionSuffix: 'v2' }), {
      location: 'East US',
      template: { ...model.template, revisionSuffix: 'ops', containers: [{ name: 'main', image: 'shop/api:1.0', env: [{ name: 'FEATURE', value: 'new' }] }] },
    });

    const created = await armClient(sim).containerAppsRevisions.getRevision(RG, 'revision-race', 'revision-race--v2');
    expect(created.template?.containers?.[0]).toMatchObject({ image: 'shop/api:2.0', env: [{ name: 'FEATURE', value: 'new' }] });
  });
});
