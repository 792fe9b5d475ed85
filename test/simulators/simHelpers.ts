/** Shared test helpers: real SDK clients pointed at a running simulator, and an HTTPS client for the ingress. */
import { ContainerAppsAPIClient, type ContainerApp, type Revision } from '@azure/arm-appcontainers';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { request } from 'undici';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import type { RunningAzureSimulator } from '../../simulators';
import { eventually } from '../support/eventually';

export const SUB = '8efdecc5-919e-44eb-b179-915dca89ebf9';
export const RG = 'rg-test';
export const ENV_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/managedEnvironments/env1`;

export function armClient(sim: RunningAzureSimulator): ContainerAppsAPIClient {
  // Retries after a 5xx or a dropped connection wait milliseconds, not the SDK's seconds (a 429's Retry-After is still honoured).
  return fastLro(new ContainerAppsAPIClient(sim.credential, SUB, { endpoint: sim.url, tlsOptions: sim.tlsOptions, retryOptions: { retryDelayInMs: 20, maxRetryDelayInMs: 200 } }));
}

/** How often the tests' SDK pollers poll a simulated long-running operation. */
export const TEST_LRO_POLL_MS = 20;

/**
 * The client, with every long-running operation polled every TEST_LRO_POLL_MS unless the call says
 * otherwise. The SDK's poller waits 2 s between polls when `Retry-After` is 0 (it ignores a zero
 * interval), and the simulators answer 0 in tests; Harbormaster's own clients set the interval
 * from HARBORMASTER_POLL_INTERVAL_MS, which is what this does for the tests' direct SDK calls.
 */
export function fastLro<C extends object>(client: C): C {
  const groups = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'object' || value === null) return value;
      if (!groups.has(property)) groups.set(property, withPollInterval(value as Record<string, unknown>));
      return groups.get(property);
    },
  });
}

function withPollInterval(group: Record<string, unknown>): Record<string, unknown> {
  const isLro = (name: string): boolean => name.startsWith('begin') || typeof group[`begin${name[0].toUpperCase()}${name.slice(1)}`] === 'function';
  return new Proxy(group, {
    get(target, property) {
      const value = target[property as string];
      if (typeof property !== 'string' || typeof value !== 'function' || !isLro(property)) return value;
      const operation = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const full = [...args];
        while (full.length < operation.length) full.push(undefined);
        const last = operation.length - 1;
        full[last] = { updateIntervalInMs: TEST_LRO_POLL_MS, ...(full[last] as object | undefined) };
        return operation(...full);
      };
    },
  });
}

export function metricsClient(sim: RunningAzureSimulator): MetricsClient {
  return new MetricsClient(sim.url, sim.credential, { tlsOptions: sim.tlsOptions });
}

/** Product code's dev seam: connect-to rules plus the simulator CA, exactly as HARBORMASTER_DEV_CONNECT_TO configures it. */
export function ingressAgent(sim: RunningAzureSimulator): ReturnType<typeof createHttpAgent> {
  return createHttpAgent({ connectTo: sim.ingress.connectToRule(), caCertPath: sim.caCertPath });
}

export async function getText(
  agent: ReturnType<typeof createHttpAgent>,
  url: string,
  timeoutMs = 30_000,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const res = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}

export function appModel(image: string, opts: { suffix?: string; mode?: 'Single' | 'Multiple'; minReplicas?: number; traffic?: Array<Record<string, unknown>> } = {}): ContainerApp {
  return {
    location: 'East US',
    managedEnvironmentId: ENV_ID,
    configuration: {
      activeRevisionsMode: opts.mode ?? 'Single',
      ingress: { external: true, targetPort: 8080, ...(opts.traffic ? { traffic: opts.traffic } : {}) },
    },
    template: {
      ...(opts.suffix ? { revisionSuffix: opts.suffix } : {}),
      containers: [{ name: 'main', image }],
      scale: { minReplicas: opts.minReplicas ?? 1, maxReplicas: 3 },
    },
  };
}


export async function waitForRevision(client: ContainerAppsAPIClient, app: string, revision: string, ok: (r: Revision) => boolean, timeoutMs = 30_000): Promise<Revision> {
  return eventually(`revision ${revision}`, async () => {
    const r = await client.containerAppsRevisions.getRevision(RG, app, revision);
    return ok(r) ? r : undefined;
  }, timeoutMs);
}
