/**
 * Microsoft.App/jobs resource shapes (api-version 2026-07-01, as fixtures/arm/Job_*.json) and the
 * validation of what clients send. Bad input answers 400 with an ARM error naming the field.
 */
import { randomUUID } from 'node:crypto';
import { ArmError } from './errors';
import type { ExecutionContainer, JobExecutionRun } from '../jobs/jobExecutionRun';

type Json = Record<string, unknown>;

export interface StoredJob {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly id: string;
  location: string;
  tags?: Json;
  identity?: Json;
  /** `properties` as sent (secrets keep their values here; responses strip them). */
  properties: Json;
  provisioningState: 'InProgress' | 'Succeeded' | 'Failed';
  readonly createdAt: string;
  lastModifiedAt: string;
}

function badRequest(field: string, message: string): ArmError {
  return new ArmError(400, 'InvalidRequestContent', `${field}: ${message}`, field);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalStringArray(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest(field, 'must be an array of strings');
  return value as string[];
}

/** Parses `containers[]` of a template (job or start override) into what an execution runs. */
export function parseContainers(value: unknown, field: string, required: boolean): ExecutionContainer[] {
  if (value === undefined || value === null) {
    if (required) throw badRequest(field, 'at least one container is required');
    return [];
  }
  if (!Array.isArray(value) || (required && value.length === 0)) throw badRequest(field, 'must be a non-empty array');
  return value.map((raw: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(raw)) throw badRequest(at, 'must be an object');
    if (typeof raw.name !== 'string' || raw.name === '') throw badRequest(`${at}.name`, 'is required');
    if (typeof raw.image !== 'string' || raw.image === '') throw badRequest(`${at}.image`, 'is required');
    const env = raw.env === undefined || raw.env === null ? [] : raw.env;
    if (!Array.isArray(env)) throw badRequest(`${at}.env`, 'must be an array');
    const parsedEnv = env.map((entry: unknown, j) => {
      if (!isObject(entry) || typeof entry.name !== 'string') throw badRequest(`${at}.env[${j}].name`, 'is required');
      if (entry.secretRef !== undefined && typeof entry.secretRef !== 'string') throw badRequest(`${at}.env[${j}].secretRef`, 'must be a string');
      if (entry.value !== undefined && typeof entry.value !== 'string') throw badRequest(`${at}.env[${j}].value`, 'must be a string');
      return { name: entry.name, value: entry.value as string | undefined, secretRef: entry.secretRef as string | undefined };
    });
    return {
      name: raw.name,
      image: raw.image,
      command: optionalStringArray(raw.command, `${at}.command`),
      args: optionalStringArray(raw.args, `${at}.args`),
      env: parsedEnv,
      resources: isObject(raw.resources) ? raw.resources : undefined,
    };
  });
}

/** Secret name → value from `configuration.secrets` (Key Vault references resolved by the caller). */
export function secretsOf(properties: Json): Map<string, string> {
  const secrets = new Map<string, string>();
  const configuration = isObject(properties.configuration) ? properties.configuration : {};
  for (const secret of Array.isArray(configuration.secrets) ? (configuration.secrets as unknown[]) : []) {
    if (isObject(secret) && typeof secret.name === 'string' && typeof secret.value === 'string') secrets.set(secret.name, secret.value);
  }
  return secrets;
}

/** Every secretRef must name a secret of the job, as Azure checks on PUT and start. */
export function checkSecretRefs(containers: readonly ExecutionContainer[], secretNames: ReadonlySet<string>, field: string): void {
  containers.forEach((container, i) =>
    (container.env ?? []).forEach((variable, j) => {
      if (variable.secretRef !== undefined && !secretNames.has(variable.secretRef)) {
        throw new ArmError(400, 'ContainerAppSecretRefNotFound', `${field}[${i}].env[${j}].secretRef: secret '${variable.secretRef}' is not defined in configuration.secrets`, `${field}[${i}].env[${j}].secretRef`);
      }
    }),
  );
}

export function secretNamesOf(properties: Json): Set<string> {
  const configuration = isObject(properties.configuration) ? properties.configuration : {};
  const names = new Set<string>();
  for (const secret of Array.isArray(configuration.secrets) ? (configuration.secrets as unknown[]) : []) {
    if (isObject(secret) && typeof secret.name === 'string') names.add(secret.name);
  }
  return names;
}

/** Validates a PUT body (JobEnvelope); returns its parts. */
export function parseJobEnvelope(body: unknown): { location: string; tags?: Json; identity?: Json; properties: Json } {
  if (!isObject(body)) throw badRequest('body', 'a JSON object is required');
  if (typeof body.location !== 'string' || body.location === '') throw badRequest('location', 'is required');
  const properties = body.properties;
  if (!isObject(properties)) throw badRequest('properties', 'is required');
  const configuration = properties.configuration;
  if (!isObject(configuration)) throw badRequest('properties.configuration', 'is required');
  if (!['Manual', 'Schedule', 'Event'].includes(String(configuration.triggerType))) {
    throw badRequest('properties.configuration.triggerType', "must be 'Manual', 'Schedule' or 'Event'");
  }
  if (typeof configuration.replicaTimeout !== 'number' || !(configuration.replicaTimeout > 0)) {
    throw badRequest('properties.configuration.replicaTimeout', 'must be a positive number of seconds');
  }
  if (configuration.replicaRetryLimit !== undefined && (typeof configuration.replicaRetryLimit !== 'number' || configuration.replicaRetryLimit < 0)) {
    throw badRequest('properties.configuration.replicaRetryLimit', 'must be a number >= 0');
  }
  if (configuration.secrets !== undefined) {
    if (!Array.isArray(configuration.secrets)) throw badRequest('properties.configuration.secrets', 'must be an array');
    (configuration.secrets as unknown[]).forEach((secret, i) => {
      if (!isObject(secret) || typeof secret.name !== 'string') throw badRequest(`properties.configuration.secrets[${i}].name`, 'is required');
    });
  }
  const template = properties.template;
  if (!isObject(template)) throw badRequest('properties.template', 'is required');
  const containers = parseContainers(template.containers, 'properties.template.containers', true);
  const initContainers = parseContainers(template.initContainers, 'properties.template.initContainers', false);
  const secretNames = secretNamesOf(properties);
  checkSecretRefs(containers, secretNames, 'properties.template.containers');
  checkSecretRefs(initContainers, secretNames, 'properties.template.initContainers');
  return {
    location: body.location,
    tags: isObject(body.tags) ? body.tags : undefined,
    identity: isObject(body.identity) ? body.identity : undefined,
    properties,
  };
}

/** What ARM returns for an identity: principal/tenant ids filled in for system and user identities. */
export function materialiseIdentity(identity: Json | undefined, previous: Json | undefined): Json | undefined {
  if (!identity) return undefined;
  const type = String(identity.type ?? 'None');
  const result: Json = { type };
  if (type.includes('SystemAssigned')) {
    result.principalId = typeof previous?.principalId === 'string' ? previous.principalId : randomUUID();
    result.tenantId = typeof previous?.tenantId === 'string' ? previous.tenantId : '72f988bf-86f1-41af-91ab-2d7cd011db47';
  }
  if (isObject(identity.userAssignedIdentities)) {
    const users: Json = {};
    for (const key of Object.keys(identity.userAssignedIdentities)) users[key] = { clientId: randomUUID(), principalId: randomUUID() };
    result.userAssignedIdentities = users;
  }
  return result;
}

function withoutSecretValues(properties: Json): Json {
  const configuration = isObject(properties.configuration) ? properties.configuration : undefined;
  if (!configuration || !Array.isArray(configuration.secrets)) return properties;
  const secrets = (configuration.secrets as Json[]).map((secret) => {
    const copy: Json = { ...secret };
    delete copy.value;
    return copy;
  });
  return { ...properties, configuration: { ...configuration, secrets } };
}

export function jobResource(job: StoredJob, eventStreamBase: string): Json {
  return {
    id: job.id,
    name: job.name,
    type: 'Microsoft.App/jobs',
    location: job.location,
    ...(job.tags ? { tags: job.tags } : {}),
    ...(job.identity ? { identity: job.identity } : {}),
    systemData: {
      createdBy: 'harbormaster-sim',
      createdByType: 'Application',
      createdAt: job.createdAt,
      lastModifiedBy: 'harbormaster-sim',
      lastModifiedByType: 'Application',
      lastModifiedAt: job.lastModifiedAt,
    },
    properties: {
      ...withoutSecretValues(job.properties),
      template: withDefaultResources(job.properties.template),
      provisioningState: job.provisioningState,
      eventStreamEndpoint: `${eventStreamBase}${job.id}/eventstream`,
    },
  };
}

/** What Container Apps fills in for a container that names no resources (Consumption defaults). */
export const DEFAULT_CONTAINER_RESOURCES = { cpu: 0.5, memory: '1Gi', ephemeralStorage: '2Gi' };

/** Container Apps reports every container with its resources, filling in the defaults. */
function withDefaultResources(template: unknown): unknown {
  if (!isObject(template)) return template;
  const fill = (list: unknown): unknown =>
    Array.isArray(list) ? list.map((c: unknown) => (isObject(c) && !isObject(c.resources) ? { ...c, resources: DEFAULT_CONTAINER_RESOURCES } : c)) : list;
  return {
    ...template,
    ...(template.containers !== undefined ? { containers: fill(template.containers) } : {}),
    ...(template.initContainers !== undefined ? { initContainers: fill(template.initContainers) } : {}),
  };
}

function containerJson(container: ExecutionContainer): Json {
  return {
    name: container.name,
    image: container.image,
    resources: container.resources ?? DEFAULT_CONTAINER_RESOURCES,
    ...(container.command ? { command: container.command } : {}),
    ...(container.args ? { args: container.args } : {}),
    ...(container.env?.length ? { env: container.env.map((e) => (e.secretRef !== undefined ? { name: e.name, secretRef: e.secretRef } : { name: e.name, value: e.value ?? '' })) } : {}),
  };
}

export function executionResource(job: StoredJob, name: string, run: JobExecutionRun, template: { containers: ExecutionContainer[]; initContainers: ExecutionContainer[] }): Json {
  return {
    id: `${job.id}/executions/${name}`,
    name,
    type: 'Microsoft.App/jobs/executions',
    properties: {
      status: run.status,
      startTime: run.startTime,
      ...(run.endTime ? { endTime: run.endTime } : {}),
      ...(run.reason ? { reason: run.reason } : {}),
      ...(run.message ? { message: run.message } : {}),
      template: {
        containers: template.containers.map(containerJson),
        ...(template.initContainers.length ? { initContainers: template.initContainers.map(containerJson) } : {}),
      },
      detailedStatus: {
        replicas: run.replicas.map((replica) => ({
          name: replica.name,
          containers: replica.containers.map((c) => ({
            name: c.name,
            ...(c.code !== undefined ? { code: c.code } : {}),
            status: c.status,
            ...(c.additionalInformation ? { additionalInformation: c.additionalInformation } : {}),
          })),
        })),
      },
    },
  };
}
