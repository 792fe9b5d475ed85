/** Shared test helpers: real SDK clients pointed at a running simulator, and an HTTPS client for the ingress. */
import { ContainerAppsAPIClient, type ContainerApp, type Revision } from '@azure/arm-appcontainers';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { request } from 'undici';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import type { RunningAzureSimulator } from '../../simulators';

export const SUB = '8efdecc5-919e-44eb-b179-915dca89ebf9';
export const RG = 'rg-test';
export const ENV_ID = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/managedEnvironments/env1`;

export function armClient(sim: RunningAzureSimulator): ContainerAppsAPIClient {
  return new ContainerAppsAPIClient(sim.credential, SUB, { endpoint: sim.url, tlsOptions: sim.tlsOptions });
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

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 150): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function waitForRevision(client: ContainerAppsAPIClient, app: string, revision: string, ok: (r: Revision) => boolean, timeoutMs = 30_000): Promise<Revision> {
  return waitFor(`revision ${revision}`, async () => {
    const r = await client.containerAppsRevisions.getRevision(RG, app, revision);
    return ok(r) ? r : undefined;
  }, timeoutMs);
}
