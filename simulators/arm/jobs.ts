/**
 * Container Apps jobs through ARM (Microsoft.App/jobs, api-version 2026-07-01): get, list,
 * createOrUpdate (201 + Azure-AsyncOperation), delete (202 + Location), start (202 + Location,
 * result `{name, id}` of the execution), executions list/get, stopExecution (202 + Location).
 * Executions really run (simulators/jobs/jobExecutionRun.ts).
 *
 * Admin route (real Azure keeps job logs in Log Analytics):
 *   GET /_sim/jobs/{job}/executions/{execution}/logs[?resourceGroup=rg]
 *     → 200 { status, exitCode, lines: [{ time, stream, replica, container, line }] }
 */
import { randomBytes } from 'node:crypto';
import type { ImageCatalog } from '../imageCatalog';
import type { SimModule, SimRequest, SimResponse } from '../module';
import { ArmError, notFound } from './errors';
import { LroTracker, originOf, regionSegment, type LroTrackerOptions } from './lro';
import {
  checkSecretRefs,
  executionResource,
  jobResource,
  materialiseIdentity,
  parseContainers,
  parseJobEnvelope,
  secretNamesOf,
  secretsOf,
  type StoredJob,
} from './jobsResource';
import { JobExecutionRun, type ExecutionContainer } from '../jobs/jobExecutionRun';
import { jobBehaviourOf } from '../jobs/jobBehaviour';

export interface JobsModuleOptions {
  /** Where image behaviours come from (the registry records them on push). */
  imageCatalog?: ImageCatalog;
  /** LRO polling: Retry-After seconds etc. (tests use 0). */
  lro?: LroTrackerOptions;
  /**
   * Variables every execution process gets besides its container's env. Default: PATH, HOME, LANG
   * and NODE_EXTRA_CA_CERTS from this process (so a job can reach the simulators over TLS).
   */
  baseEnv?: Record<string, string>;
}

export interface JobsModule extends SimModule {
  /** The execution's run, for tests and other modules. */
  execution(resourceGroup: string, job: string, execution: string): JobExecutionRun | undefined;
}

interface StoredExecution {
  readonly name: string;
  readonly run: JobExecutionRun;
  readonly template: { containers: ExecutionContainer[]; initContainers: ExecutionContainer[] };
}

const JOB_PATH = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.App\/jobs(?:\/([^/]+)(?:\/(start|executions)(?:\/([^/]+)(?:\/(stop))?)?)?)?$/i;
const LOGS_PATH = /^\/_sim\/jobs\/([^/]+)\/executions\/([^/]+)\/logs$/;
const EVENT_STREAM_BASE = 'https://eastus.azurecontainerapps.dev';

export function defaultBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'NODE_EXTRA_CA_CERTS', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

interface JobRoute {
  subscriptionId: string;
  resourceGroup: string;
  job?: string;
  action?: 'start' | 'executions';
  execution?: string;
  stop: boolean;
}

function matchRoute(request: SimRequest): JobRoute | undefined {
  const match = JOB_PATH.exec(request.url.pathname);
  if (!match) return undefined;
  return {
    subscriptionId: match[1],
    resourceGroup: match[2],
    job: match[3],
    action: match[4]?.toLowerCase() as JobRoute['action'],
    execution: match[5],
    stop: match[6] !== undefined,
  };
}

export function operationOfJobsRequest(request: SimRequest): string | undefined {
  const route = matchRoute(request);
  if (!route) return undefined;
  const { method } = request;
  if (!route.job) return method === 'GET' ? 'Jobs_ListByResourceGroup' : undefined;
  if (!route.action) return ({ GET: 'Jobs_Get', PUT: 'Jobs_CreateOrUpdate', DELETE: 'Jobs_Delete' } as Record<string, string>)[method];
  if (route.action === 'start') return method === 'POST' ? 'Jobs_Start' : undefined;
  if (route.stop) return method === 'POST' ? 'Jobs_StopExecution' : undefined;
  if (route.execution) return method === 'GET' ? 'JobExecution' : undefined;
  return method === 'GET' ? 'JobsExecutions_List' : undefined;
}

export function createJobsModule(options: JobsModuleOptions = {}): JobsModule {
  const jobs = new Map<string, StoredJob>();
  const executions = new Map<string, Map<string, StoredExecution>>();
  const lro = new LroTracker(options.lro);
  const baseEnv = options.baseEnv ?? defaultBaseEnv();
  const behaviourOf = (image: string): string | undefined => jobBehaviourOf(options.imageCatalog, image);
  const keyOf = (subscriptionId: string, resourceGroup: string, job: string): string =>
    `${subscriptionId}/${resourceGroup}/${job}`.toLowerCase();

  function requireJob(route: JobRoute): StoredJob {
    const job = jobs.get(keyOf(route.subscriptionId, route.resourceGroup, route.job ?? ''));
    if (!job) throw notFound('Microsoft.App/jobs', route.job ?? '');
    return job;
  }

  function putJob(request: SimRequest, route: JobRoute): SimResponse {
    const envelope = parseJobEnvelope(request.json);
    const key = keyOf(route.subscriptionId, route.resourceGroup, route.job!);
    const existing = jobs.get(key);
    const now = new Date().toISOString();
    const job: StoredJob = {
      subscriptionId: route.subscriptionId,
      resourceGroup: route.resourceGroup,
      name: existing?.name ?? route.job!,
      id: existing?.id ?? `/subscriptions/${route.subscriptionId}/resourceGroups/${route.resourceGroup}/providers/Microsoft.App/jobs/${route.job!}`,
      location: envelope.location,
      tags: envelope.tags,
      identity: materialiseIdentity(envelope.identity, existing?.identity),
      properties: envelope.properties,
      provisioningState: 'InProgress',
      createdAt: existing?.createdAt ?? now,
      lastModifiedAt: now,
    };
    jobs.set(key, job);
    const operation = lro.begin({
      origin: originOf(request),
      subscriptionId: route.subscriptionId,
      region: regionSegment(job.location),
      work: Promise.resolve().then(() => {
        job.provisioningState = 'Succeeded';
      }),
    });
    // Azure-AsyncOperation is what the SDK polls; the spec example's 201 also carries Location.
    return { status: existing ? 200 : 201, headers: operation.allHeaders(), body: jobResource(job, EVENT_STREAM_BASE) };
  }

  function deleteJob(request: SimRequest, route: JobRoute): SimResponse {
    const key = keyOf(route.subscriptionId, route.resourceGroup, route.job!);
    const job = jobs.get(key);
    if (!job) return { status: 204 };
    jobs.delete(key);
    const runs = [...(executions.get(key)?.values() ?? [])];
    executions.delete(key);
    const operation = lro.begin({
      origin: originOf(request),
      subscriptionId: route.subscriptionId,
      region: regionSegment(job.location),
      work: Promise.all(runs.map((e) => e.run.stop())).then(() => undefined),
    });
    return { status: 202, headers: operation.locationHeaders() };
  }

  function startJob(request: SimRequest, route: JobRoute): SimResponse {
    const job = requireJob(route);
    const jobTemplate = job.properties.template as Record<string, unknown>;
    const override = request.json as Record<string, unknown> | undefined;
    // A start template replaces the job's containers for this execution (it is not merged).
    const containers = override?.containers !== undefined
      ? parseContainers(override.containers, 'containers', true)
      : parseContainers(jobTemplate.containers, 'properties.template.containers', true);
    const initContainers = override?.initContainers !== undefined
      ? parseContainers(override.initContainers, 'initContainers', false)
      : parseContainers(jobTemplate.initContainers, 'properties.template.initContainers', false);
    const secretNames = secretNamesOf(job.properties);
    checkSecretRefs(containers, secretNames, 'containers');
    checkSecretRefs(initContainers, secretNames, 'initContainers');
    const configuration = job.properties.configuration as Record<string, unknown>;
    const name = `${job.name}-${randomBytes(4).toString('hex').slice(0, 7)}`.toLowerCase();
    const run = new JobExecutionRun({
      jobName: job.name,
      executionName: name,
      containers,
      initContainers,
      secrets: secretsOf(job.properties),
      replicaTimeoutSeconds: Number(configuration.replicaTimeout),
      replicaRetryLimit: Number(configuration.replicaRetryLimit ?? 0),
      jobBehaviourOf: behaviourOf,
      baseEnv,
    });
    const key = keyOf(route.subscriptionId, route.resourceGroup, route.job!);
    const forJob = executions.get(key) ?? new Map<string, StoredExecution>();
    forJob.set(name.toLowerCase(), { name, run, template: { containers, initContainers } });
    executions.set(key, forJob);
    const operation = lro.begin({
      origin: originOf(request),
      subscriptionId: route.subscriptionId,
      region: regionSegment(job.location),
      work: Promise.resolve({ name, id: `${job.id}/executions/${name}` }),
    });
    return { status: 202, headers: operation.locationHeaders() };
  }

  function findExecution(route: JobRoute): { job: StoredJob; execution: StoredExecution } {
    const job = requireJob(route);
    const execution = executions.get(keyOf(route.subscriptionId, route.resourceGroup, route.job!))?.get((route.execution ?? '').toLowerCase());
    if (!execution) throw notFound('Microsoft.App/jobs/executions', route.execution ?? '');
    return { job, execution };
  }

  function stopExecution(request: SimRequest, route: JobRoute): SimResponse {
    const { job, execution } = findExecution(route);
    const operation = lro.begin({
      origin: originOf(request),
      subscriptionId: route.subscriptionId,
      region: regionSegment(job.location),
      // The SDK accepts only 200/201/202 on the final poll of stopExecution, so finish with 200 and an empty object.
      work: execution.run.stop().then(() => ({})),
    });
    return { status: 202, headers: operation.locationHeaders() };
  }

  function listExecutions(route: JobRoute): SimResponse {
    const job = requireJob(route);
    const all = [...(executions.get(keyOf(route.subscriptionId, route.resourceGroup, route.job!))?.values() ?? [])];
    // Newest first, as the portal and API list them.
    const value = all.reverse().map((e) => executionResource(job, e.name, e.run, e.template));
    return { status: 200, body: { value, nextLink: null } };
  }

  function logs(request: SimRequest): SimResponse | undefined {
    const match = LOGS_PATH.exec(request.url.pathname);
    if (!match || request.method !== 'GET') return undefined;
    const resourceGroup = request.url.searchParams.get('resourceGroup');
    for (const [key, forJob] of executions) {
      const [, rg, jobName] = key.split('/');
      if (jobName !== match[1].toLowerCase() || (resourceGroup && rg !== resourceGroup.toLowerCase())) continue;
      const execution = forJob.get(match[2].toLowerCase());
      if (!execution) continue;
      return { status: 200, body: { status: execution.run.status, exitCode: execution.run.exitCode ?? null, lines: execution.run.logs } };
    }
    return { status: 404, body: { error: { code: 'NotFound', message: `No execution ${match[2]} of job ${match[1]}.` } } };
  }

  function route(request: SimRequest): SimResponse | undefined {
    const matched = matchRoute(request);
    if (!matched) return undefined;
    if (!request.url.searchParams.get('api-version')) {
      throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    }
    const { method } = request;
    if (!matched.job) {
      if (method !== 'GET') return undefined;
      const value = [...jobs.values()]
        .filter((j) => j.subscriptionId.toLowerCase() === matched.subscriptionId.toLowerCase() && j.resourceGroup.toLowerCase() === matched.resourceGroup.toLowerCase())
        .map((j) => jobResource(j, EVENT_STREAM_BASE));
      return { status: 200, body: { value } };
    }
    if (!matched.action) {
      if (method === 'GET') return { status: 200, body: jobResource(requireJob(matched), EVENT_STREAM_BASE) };
      if (method === 'PUT') return putJob(request, matched);
      if (method === 'DELETE') return deleteJob(request, matched);
      return undefined;
    }
    if (matched.action === 'start') return method === 'POST' ? startJob(request, matched) : undefined;
    if (matched.stop) return method === 'POST' ? stopExecution(request, matched) : undefined;
    if (matched.execution) {
      if (method !== 'GET') return undefined;
      const { job, execution } = findExecution(matched);
      return { status: 200, body: executionResource(job, execution.name, execution.run, execution.template) };
    }
    return method === 'GET' ? listExecutions(matched) : undefined;
  }

  return {
    name: 'jobs',
    handle(request) {
      try {
        return Promise.resolve(lro.handle(request) ?? logs(request) ?? route(request));
      } catch (error) {
        if (error instanceof ArmError) return Promise.resolve(error.toResponse());
        throw error;
      }
    },
    operationOf: operationOfJobsRequest,
    execution(resourceGroup, job, execution) {
      for (const [key, forJob] of executions) {
        const [, rg, name] = key.split('/');
        if (rg === resourceGroup.toLowerCase() && name === job.toLowerCase()) return forJob.get(execution.toLowerCase())?.run;
      }
      return undefined;
    },
    async close() {
      const runs = [...executions.values()].flatMap((forJob) => [...forJob.values()].map((e) => e.run));
      await Promise.all(runs.map((run) => run.stop()));
    },
  };
}
