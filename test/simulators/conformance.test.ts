/**
 * Conformance with the official Microsoft.App examples (test/fixtures/samples/arm, see its SOURCES.md): the same
 * request, sent through the real @azure/arm-appcontainers client, gets the example's status code, LRO headers
 * and response shape (every property path of the example exists in the answer with the same JSON type).
 * Revision names differ from the examples on purpose: Azure names revisions `<app>--<suffix>`; the older
 * examples use one dash.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContainerApp } from '@azure/arm-appcontainers';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators';
import { eventually } from '../support/eventually';

jest.setTimeout(120_000);

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'samples', 'arm');
type Json = Record<string, unknown>;
interface Example { parameters: Json; responses: Record<string, { headers?: Record<string, string>; body?: Json }> }
const example = (name: string): Example => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Example;

interface Captured { status: number; headers: Record<string, string>; body: unknown }

/** JSON paths (arrays as `[]`) with their JSON type. */
function shape(value: unknown, prefix = '$', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    out.set(prefix, 'array');
    for (const item of value) shape(item, `${prefix}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    out.set(prefix, 'object');
    for (const [k, v] of Object.entries(value)) shape(v, `${prefix}.${k}`, out);
  } else {
    out.set(prefix, value === null ? 'null' : typeof value);
  }
  return out;
}

/** Example paths the answer lacks or types differently (ignoring paths under `exempt` prefixes). */
function shapeDifferences(expected: unknown, actual: unknown, exempt: string[] = []): string[] {
  const want = shape(expected);
  const got = shape(actual);
  return [...want]
    .filter(([p]) => !exempt.some((e) => p === e || p.startsWith(`${e}.`) || p.startsWith(`${e}[`)))
    .filter(([p, t]) => got.get(p) !== t)
    .map(([p, t]) => `${p}: example ${t}, simulator ${got.get(p) ?? 'missing'}`);
}

/** The REST envelope as the SDK model (the SDK flattens `properties`). */
function toModel(body: Json): ContainerApp {
  const { properties, ...rest } = body;
  const props = { ...(properties as Json) };
  for (const k of ['provisioningState', 'runningStatus', 'latestRevisionName', 'latestReadyRevisionName', 'latestRevisionFqdn', 'eventStreamEndpoint', 'outboundIpAddresses', 'customDomainVerificationId']) delete props[k];
  const identity = rest.identity as Json | undefined;
  const cleanIdentity = identity ? { type: identity.type, ...(identity.userAssignedIdentities ? { userAssignedIdentities: Object.fromEntries(Object.keys(identity.userAssignedIdentities as Json).map((k) => [k, {}])) } : {}) } : undefined;
  return { location: rest.location as string, ...(rest.tags ? { tags: rest.tags as Record<string, string> } : {}), ...(cleanIdentity ? { identity: cleanIdentity as ContainerApp['identity'] } : {}), ...props } as ContainerApp;
}

let sim: RunningAzureSimulator;
beforeAll(async () => {
  sim = await startAzureSimulator({ lroRetryAfterSeconds: 0 });
});
afterAll(async () => {
  await sim?.stop();
});

function client(subscriptionId: string): ContainerAppsAPIClient {
  return new ContainerAppsAPIClient(sim.credential, subscriptionId, { endpoint: sim.url, tlsOptions: sim.tlsOptions });
}
function capture(into: Captured[]): { onResponse: (r: { status: number; headers: { toJSON(): Record<string, string> }; parsedBody?: unknown; bodyAsText?: string | null }) => void; updateIntervalInMs: number } {
  return {
    updateIntervalInMs: 50,
    onResponse: (r) => into.push({ status: r.status, headers: r.headers.toJSON(), body: r.parsedBody ?? (r.bodyAsText ? (JSON.parse(r.bodyAsText) as unknown) : undefined) }),
  };
}
const lower = (h: Record<string, string>): string[] => Object.keys(h).map((k) => k.toLowerCase());

/** Seeds an app from an example response body (so a GET of it has the example's inputs) and waits until it is ready. */
async function seed(sub: string, rg: string, name: string, body: Json): Promise<void> {
  const c = client(sub);
  const model = toModel(body);
  const scale = (model.template?.scale ?? {}) as { minReplicas?: number };
  model.template = { ...model.template, scale: { ...model.template?.scale, minReplicas: Math.min(scale.minReplicas ?? 1, 1) || 1 } };
  await c.containerApps.createOrUpdate(rg, name, model, { updateIntervalInMs: 50 });
  await eventually('latest revision ready', async () => ((await c.containerApps.get(rg, name)).latestReadyRevisionName ? true : undefined));
}

test('ContainerApps_CreateOrUpdate: 201 + Azure-AsyncOperation, polled to Succeeded; shape of the 200/201 examples', async () => {
  const ex = example('ContainerApps_CreateOrUpdate.json');
  const p = ex.parameters;
  const captured: Captured[] = [];
  const result = await client(p.subscriptionId as string).containerApps.createOrUpdate(p.resourceGroupName as string, p.containerAppName as string, toModel(p.containerAppEnvelope as Json), capture(captured));
  expect(captured[0].status).toBe(201);
  expect(lower(captured[0].headers)).toEqual(expect.arrayContaining(['azure-asyncoperation', 'retry-after']));
  // The SDK reports only the initial response to onResponse; the simulator's log shows it polled the status resource.
  const statusUrl = new URL(captured[0].headers['azure-asyncoperation'] ?? captured[0].headers['Azure-AsyncOperation']);
  expect(sim.requests.filter((r) => r.path === statusUrl.pathname && r.status === 200).length).toBeGreaterThanOrEqual(2);
  expect(result.provisioningState).toBe('Succeeded');
  // Not simulated: Azure rewrites a `custom` scale rule of type http into an `http` rule.
  const rewritten = ['$.properties.template.scale.rules[].http'];
  expect(shapeDifferences(ex.responses['201'].body, captured[0].body, rewritten)).toEqual([]);
  await eventually('ready', async () => ((await client(p.subscriptionId as string).containerApps.get(p.resourceGroupName as string, p.containerAppName as string)).latestReadyRevisionName ? true : undefined));
  const final: Captured[] = [];
  await client(p.subscriptionId as string).containerApps.get(p.resourceGroupName as string, p.containerAppName as string, capture(final));
  expect(shapeDifferences(ex.responses['200'].body, final[0].body, rewritten)).toEqual([]);
});

test('ContainerApps_Get: 200 with the example shape; 404 ARM error for a missing app', async () => {
  const ex = example('ContainerApps_Get.json');
  const p = ex.parameters;
  const sub = p.subscriptionId as string;
  await seed(sub, 'rg-get', p.containerAppName as string, ex.responses['200'].body as Json);
  const captured: Captured[] = [];
  await client(sub).containerApps.get('rg-get', p.containerAppName as string, capture(captured));
  expect(captured[0].status).toBe(200);
  expect(shapeDifferences(ex.responses['200'].body, captured[0].body)).toEqual([]);
  await expect(client(sub).containerApps.get('rg-get', 'missing-app')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
});

test('ContainerApps_Update (PATCH): 202 + Azure-AsyncOperation, final shape of the 200 example', async () => {
  const ex = example('ContainerApps_Patch.json');
  const p = ex.parameters;
  const sub = p.subscriptionId as string;
  await seed(sub, p.resourceGroupName as string, p.containerAppName as string, example('ContainerApps_Get.json').responses['200'].body as Json);
  const captured: Captured[] = [];
  const result = await client(sub).containerApps.update(p.resourceGroupName as string, p.containerAppName as string, toModel(p.containerAppEnvelope as Json), capture(captured));
  expect(captured[0].status).toBe(202);
  expect(lower(captured[0].headers)).toEqual(expect.arrayContaining(Object.keys(ex.responses['202'].headers ?? {}).map((h) => h.toLowerCase())));
  expect(result.provisioningState).toBe('Succeeded');
  await eventually('ready', async () => ((await client(sub).containerApps.get(p.resourceGroupName as string, p.containerAppName as string)).latestReadyRevisionName ? true : undefined));
  const final: Captured[] = [];
  await client(sub).containerApps.get(p.resourceGroupName as string, p.containerAppName as string, capture(final));
  // Not simulated: Azure rewrites a `custom` scale rule of type http (what the example PATCH sends) into an `http` rule.
  expect(shapeDifferences(ex.responses['200'].body, final[0].body, ['$.properties.template.scale.rules[].http'])).toEqual([]);
});

test('ContainerApps_ListByResourceGroup, revisions list/get/activate/deactivate/restart, replicas list', async () => {
  const list = example('ContainerApps_ListByResourceGroup.json');
  const lp = list.parameters;
  const sub = lp.subscriptionId as string;
  const items = (list.responses['200'].body as { value: Json[] }).value;
  for (const item of items) await seed(sub, 'rg-list', item.name as string, item);
  const listed: Captured[] = [];
  const names: string[] = [];
  for await (const app of client(sub).containerApps.listByResourceGroup('rg-list', capture(listed))) names.push(app.name as string);
  expect(names.sort()).toEqual(items.map((i) => i.name as string).sort());
  expect(shapeDifferences(list.responses['200'].body, listed[0].body)).toEqual([]);

  const appName = items[0].name as string;
  const revisions: Captured[] = [];
  const revNames: string[] = [];
  for await (const r of client(sub).containerAppsRevisions.listRevisions('rg-list', appName, capture(revisions))) revNames.push(r.name as string);
  expect(revNames).toHaveLength(1);
  expect(shapeDifferences(example('Revisions_List.json').responses['200'].body, revisions[0].body)).toEqual([]);

  const got: Captured[] = [];
  await client(sub).containerAppsRevisions.getRevision('rg-list', appName, revNames[0], capture(got));
  expect(shapeDifferences(example('Revisions_Get.json').responses['200'].body, got[0].body)).toEqual([]);

  const replicas: Captured[] = [];
  const replicaCollection = await client(sub).containerAppsRevisionReplicas.listReplicas('rg-list', appName, revNames[0], capture(replicas));
  expect(replicaCollection.value).toHaveLength(1);
  // The upstream example's `type` says Microsoft.Web (a known quirk); only shapes are compared.
  expect(shapeDifferences(example('Replicas_List.json').responses['200'].body, replicas[0].body)).toEqual([]);

  for (const [fixture, call] of [
    ['Revisions_Restart.json', () => client(sub).containerAppsRevisions.restartRevision('rg-list', appName, revNames[0], capture(actions))],
    ['Revisions_Activate.json', () => client(sub).containerAppsRevisions.activateRevision('rg-list', appName, revNames[0], capture(actions))],
  ] as const) {
    actions.length = 0;
    await call();
    expect(actions[0].status).toBe(Number(Object.keys(example(fixture).responses)[0]));
    expect(actions[0].body).toBeUndefined();
  }
});
const actions: Captured[] = [];

test('Revisions_Deactivate: 200 empty for a revision without traffic', async () => {
  const sub = '34adfa4f-cedf-4dc0-ba29-b6d1a69ab345';
  const c = client(sub);
  const env = `/subscriptions/${sub}/resourceGroups/rg-d/providers/Microsoft.App/managedEnvironments/env`;
  const base = { location: 'East US', managedEnvironmentId: env, configuration: { activeRevisionsMode: 'Multiple', ingress: { external: true, targetPort: 80, traffic: [{ revisionName: 'twice--a', weight: 100 }] } } };
  await c.containerApps.createOrUpdate('rg-d', 'twice', { ...base, configuration: { activeRevisionsMode: 'Multiple' }, template: { revisionSuffix: 'a', containers: [{ name: 'c', image: 'x:1' }] } }, { updateIntervalInMs: 50 });
  await c.containerApps.createOrUpdate('rg-d', 'twice', { ...base, template: { revisionSuffix: 'b', containers: [{ name: 'c', image: 'x:2' }] } }, { updateIntervalInMs: 50 });
  const captured: Captured[] = [];
  await c.containerAppsRevisions.deactivateRevision('rg-d', 'twice', 'twice--b', capture(captured));
  expect(captured[0].status).toBe(Number(Object.keys(example('Revisions_Deactivate.json').responses)[0]));
  expect(captured[0].body).toBeUndefined();
});

test('ManagedEnvironments_Get: the example shape for what the simulator models (default domain, state)', async () => {
  const ex = example('ManagedEnvironments_Get.json');
  const p = ex.parameters;
  const captured: Captured[] = [];
  const env = await client(p.subscriptionId as string).managedEnvironments.get(p.resourceGroupName as string, p.environmentName as string, capture(captured));
  expect(env.defaultDomain).toMatch(new RegExp(`^${p.environmentName as string}-[0-9a-f]{8}\\.northcentralus\\.azurecontainerapps\\.io$|\\.eastus\\.`));
  // Not simulated: environment features set by environment PUTs the simulator does not serve (it has only the Consumption profile).
  const notSimulated = ['workloadProfiles[].maximumCount', 'workloadProfiles[].minimumCount', 'customDomainConfiguration', 'daprConfiguration', 'kedaConfiguration', 'vnetConfiguration', 'ingressConfiguration', 'appLogsConfiguration']
    .map((k) => `$.properties.${k}`);
  expect(shapeDifferences(ex.responses['200'].body, captured[0].body, notSimulated)).toEqual([]);
});
