 
/**
 * Conformance of the jobs simulator with the official examples in fixtures/arm/Job_*.json: for the same
 * request, the same status code, the LRO headers the example shows, and every property path of the
 * example's response body present with the same JSON type; then the real SDK deserializes the answer.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { createJobsModule } from '../../simulators/arm/jobs';
import { startSimulator, type RunningSimulator } from '../../simulators/server';
import { fastLro } from './simHelpers';
import { eventually } from '../support/eventually';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'samples', 'arm');

interface Example {
  parameters: Record<string, any>;
  responses: Record<string, { body?: unknown; headers?: Record<string, string> }>;
}

function example(name: string): Example {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Example;
}

/** Property paths with JSON types; array elements merge under `[]`. */
function shape(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (prefix) out.set(prefix, type);
  if (Array.isArray(value)) value.forEach((item) => shape(item, `${prefix}[]`, out));
  else if (type === 'object') for (const [key, child] of Object.entries(value as object)) shape(child, prefix ? `${prefix}.${key}` : key, out);
  return out;
}

/**
 * Paths of the example's response missing from ours or typed differently. `ignore` lists paths the
 * example's response has although its own request never sent them (so no service could echo them).
 */
function shapeDifferences(expected: unknown, actual: unknown, ignore: RegExp[] = []): string[] {
  const ours = shape(actual);
  const problems: string[] = [];
  for (const [p, type] of shape(expected)) {
    if (ignore.some((re) => re.test(p))) continue;
    if (!ours.has(p)) problems.push(`missing ${p}`);
    else if (ours.get(p) !== type) problems.push(`${p}: ${ours.get(p)} instead of ${type}`);
  }
  return problems;
}

let sim: RunningSimulator;
let client: ContainerAppsAPIClient;

function call(method: string, url: string, body?: unknown): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url.startsWith('https:') ? url : `${sim.url}${url}`, {
      method,
      agent: sim.httpsAgent,
      headers: { authorization: 'Bearer conformance', 'content-type': 'application/json' },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

function jobPath(p: Record<string, any>, suffix = ''): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.App/jobs/${p.jobName}${suffix}?api-version=${p['api-version']}`;
}

async function pollLocation(location: string): Promise<{ status: number; json: any }> {
  return eventually('the operation to finish', async () => {
    const response = await call('GET', location);
    return response.status === 202 ? undefined : response;
  }, 30_000, 20);
}

const create = example('Job_CreateorUpdate.json');
const params = create.parameters;
let executionName = '';

beforeAll(async () => {
  sim = await startSimulator({ modules: [createJobsModule({ lro: { retryAfterSeconds: 0 } })] });
  client = fastLro(new ContainerAppsAPIClient(sim.credential, params.subscriptionId, { endpoint: sim.url, tlsOptions: sim.tlsOptions }));
});

afterAll(async () => {
  await sim?.stop();
});

// The examples' responses list volumes their requests do not define.
const EXAMPLE_ONLY = [/^properties\.template\.volumes/];

describe('Jobs conformance with the official examples', () => {
  it('Jobs_CreateOrUpdate: 201, Azure-AsyncOperation and Location, body shape of the example', async () => {
    const response = await call('PUT', jobPath(params), params.JobEnvelope);
    expect(response.status).toBe(201);
    expect(response.headers['azure-asyncoperation']).toMatch(/^https:\/\/.+\/providers\/Microsoft\.App\/locations\/eastus\/containerappOperationStatuses\/[0-9a-f-]{36}\?api-version=2026-07-01/);
    expect(response.headers.location).toBeDefined();
    expect(shapeDifferences(create.responses['201'].body, response.json, EXAMPLE_ONLY)).toEqual([]);
    // The SDK model flattens `properties` into the job.
    const { properties, ...envelope } = params.JobEnvelope;
    const again = await client.jobs.createOrUpdate(params.resourceGroupName, params.jobName, { ...envelope, ...properties }, { updateIntervalInMs: 20 });
    expect(again.provisioningState).toBe('Succeeded');
    expect(again.identity?.principalId).toBeDefined();
  });

  it('Jobs_Get: 200 with the example shape', async () => {
    const get = example('Job_Get.json');
    const response = await call('GET', jobPath(get.parameters));
    expect(response.status).toBe(200);
    expect(shapeDifferences(get.responses['200'].body, response.json, EXAMPLE_ONLY)).toEqual([]);
    const job = await client.jobs.get(get.parameters.resourceGroupName, get.parameters.jobName);
    expect(job.template?.containers?.[0]?.resources?.cpu).toBeDefined();
  });

  it('Jobs_Start: 202 with Location, then the {name, id} of the execution', async () => {
    const start = example('Job_Start.json');
    const response = await call('POST', jobPath(start.parameters, '/start'), start.parameters.template);
    expect(response.status).toBe(202);
    expect(response.headers.location).toMatch(/containerappOperationResults\/[0-9a-f-]{36}\?api-version=2026-07-01$/);
    const result = await pollLocation(String(response.headers.location));
    expect(result.status).toBe(200);
    expect(shapeDifferences(start.responses['200'].body, result.json)).toEqual([]);
    executionName = result.json.name;
    expect(result.json.id).toBe(`${jobPath(start.parameters).split('?')[0]}/executions/${executionName}`);
    const viaSdk = await client.jobs.start(start.parameters.resourceGroupName, start.parameters.jobName, { template: start.parameters.template, updateIntervalInMs: 20 });
    expect(viaSdk.name).toMatch(/^testcontainerappsjob0-/);
  });

  it('Jobs_StopExecution: 202 with Location, then 200', async () => {
    const stop = example('Job_Stop_Execution.json');
    const p = { ...stop.parameters, 'api-version': '2026-07-01' };
    const response = await call('POST', jobPath(p, `/executions/${executionName}/stop`));
    expect(response.status).toBe(202);
    expect(response.headers.location).toBeDefined();
    expect((await pollLocation(String(response.headers.location))).status).toBe(200);
  });

  it('JobsExecutions_List and JobExecution: 200 with the example shapes', async () => {
    const list = example('Job_Executions_Get.json');
    const listed = await call('GET', jobPath(list.parameters, '/executions'));
    expect(listed.status).toBe(200);
    const stopped = { ...listed.json, value: listed.json.value.filter((e: { name: string }) => e.name === executionName) };
    expect(shapeDifferences(list.responses['200'].body, stopped)).toEqual([]);
    const one = example('Job_Execution_Get.json');
    const got = await call('GET', jobPath(one.parameters, `/executions/${executionName}`));
    expect(got.status).toBe(200);
    expect(shapeDifferences(one.responses['200'].body, got.json)).toEqual([]);
    expect(got.json.properties.status).toBe('Stopped');
    const viaSdk = await client.jobExecution(one.parameters.resourceGroupName, one.parameters.jobName, executionName);
    expect(viaSdk.detailedStatus?.replicas?.[0]?.containers?.[0]?.status).toBe('Stopped');
    const names: string[] = [];
    for await (const e of client.jobsExecutions.list(list.parameters.resourceGroupName, list.parameters.jobName)) names.push(e.name!);
    expect(names).toContain(executionName);
  });

  it('answers an unknown job with 404 ResourceNotFound in ARM error shape', async () => {
    const response = await call('GET', jobPath({ ...params, jobName: 'missing' }));
    expect(response.status).toBe(404);
    expect(response.json.error.code).toBe('ResourceNotFound');
  });
});
