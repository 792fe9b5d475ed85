/**
 * What every scenario test needs: the local stack on free ports with a fresh task hub, and
 * waits that poll the status API (never fixed sleeps).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../devhost/localStack/localStack';
import { parseBehaviour } from '../../simulators/imageCatalog';
import { eventually } from '../support/eventually';
import { claimDatabase, claimStorage } from '../support/sharedServices';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ENTRY = path.join(REPO_ROOT, 'dist', 'src', 'index.js');

/**
 * The local stack of one scenario suite, on a configuration of test/fixtures/config (or the file
 * an absolute path names, e.g. the shipped config/apps.json). Storage is a storage account of the suite's own and
 * PostgreSQL a database of its own, both in the services the test run shares
 * (test/support/sharedServices.ts), unless `options` says otherwise.
 */
export async function startScenarioStack(configFile: string, options: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  const storage = options.settings?.AzureWebJobsStorage ? undefined : await claimStorage();
  const database = options.postgres || options.withPostgres === false ? undefined : await claimDatabase();
  const release = async (): Promise<void> => {
    await database?.stop();
    await storage?.stop();
  };
  try {
    const stack = await startLocalStack({
      entry: ENTRY,
      configPath: path.isAbsolute(configFile) ? configFile : path.join(REPO_ROOT, 'test', 'fixtures', 'config', configFile),
      stateDir: mkdtempSync(path.join(tmpdir(), 'hm-scenario-')),
      hubName: `scenario${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
      log: () => undefined,
      ...options,
      ...(database ? { postgres: database } : {}),
      // The app's own log (pino on stdout) would interleave with jest's report: warnings and errors only.
      settings: { HARBORMASTER_LOG_LEVEL: 'warn', ...(storage ? { AzureWebJobsStorage: storage.connectionString } : {}), ...options.settings },
    });
    return {
      ...stack,
      stop: async () => {
        await stack.stop();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

export { eventually };

/** Waits until the app's newest deployment reaches a terminal phase and returns it. */
export async function waitForDeploymentOf(stack: LocalStack, app: string, digest: string, timeoutMs = 90_000): Promise<any> {
  return eventually(`a finished deployment of ${app}@${digest.slice(0, 19)}`, async () => {
    const { body } = await stack.api('GET', `/deployments?app=${app}`);
    const deployment = (body?.deployments ?? []).find((d: any) => d.image?.digest === digest);
    if (deployment && ['succeeded', 'rolled-back', 'failed', 'superseded', 'rejected'].includes(deployment.phase)) return deployment;
    return undefined;
  }, timeoutMs);
}

// ---------------------------------------------------------------- helpers added for the seed and failure scenarios

/**
 * Schedules that never come due while a test runs (1 January, midnight): the reconcile timer and
 * the health sweep would otherwise fire on every 5-minute mark and start or judge things a test
 * did not ask for. Tests that want them call `stack.devhost.fire(name)`.
 */
export const QUIET_TIMERS: Readonly<Record<string, string>> = {
  HARBORMASTER_RECONCILE_SCHEDULE: '0 0 0 1 1 *',
  HARBORMASTER_SWEEP_SCHEDULE: '0 0 0 1 1 *',
};

/** Every deployment record of an app, newest first (as the status API lists them). */
export async function deploymentsOf(stack: LocalStack, app: string): Promise<any[]> {
  const { status, body } = await stack.api('GET', `/deployments?app=${app}`);
  if (status !== 200) throw new Error(`GET /deployments?app=${app} answered ${status}`);
  return body.deployments as any[];
}

/** Waits until the deployment of `digest` to `app` exists and is in `phase`. */
export async function waitForPhase(stack: LocalStack, app: string, digest: string, phase: string, timeoutMs = 60_000): Promise<any> {
  return eventually(`${app}@${digest.slice(0, 19)} in ${phase}`, async () => {
    const deployment = (await deploymentsOf(stack, app)).find((d) => d.image?.digest === digest);
    return deployment?.phase === phase ? deployment : undefined;
  }, timeoutMs);
}

/** The step records of a deployment as `{ step: outcome }` (the last record of each step wins). */
export function stepOutcomes(deployment: any): Record<string, string> {
  return Object.fromEntries((deployment.steps as any[]).map((s) => [s.step, s.outcome]));
}

/** Simulator requests for an ARM operation (e.g. `Jobs_Start`) answered 2xx, from index `since` on. */
export function succeededCalls(stack: LocalStack, operation: string, since = 0): number {
  return stack.simulator.requests.slice(since).filter((r) => r.operation === operation && r.status >= 200 && r.status < 300).length;
}

export interface TrafficChange {
  at: number;
  traffic: Array<{ revisionName?: string; weight?: number; latestRevision?: boolean }>;
}

/**
 * Observes (without changing) every traffic split the simulated ARM receives for one container
 * app: the `configuration.ingress.traffic` of each PUT/PATCH, in arrival order. It sits in
 * front of the simulator's Container Apps module, so it sees exactly what the SDK sent.
 */
export function recordTrafficChanges(stack: LocalStack, containerAppName: string): TrafficChange[] {
  const changes: TrafficChange[] = [];
  const module = stack.simulator.containerApps;
  const handle = module.handle.bind(module);
  const appPath = new RegExp(`/containerapps/${containerAppName}$`, 'i');
  module.handle = (request) => {
    if ((request.method === 'PATCH' || request.method === 'PUT') && appPath.test(request.url.pathname)) {
      const traffic = (request.json as any)?.properties?.configuration?.ingress?.traffic;
      if (Array.isArray(traffic)) changes.push({ at: Date.now(), traffic });
    }
    return handle(request);
  };
  return changes;
}

/** POSTs a body to one of the app's webhook routes without any SDK: what a registry does. */
export async function postWebhook(
  stack: LocalStack,
  route: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  const response = await fetch(`${stack.devhost.baseUrl}/api/webhooks/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: Object.fromEntries(response.headers.entries()) };
}

/** An ACR webhook `push` body (shape of fixtures/webhooks/acr_webhook_push.json). */
export function acrPushBody(loginServer: string, repository: string, tag: string, digest: string, id = randomUUID()): string {
  return JSON.stringify({
    id,
    timestamp: new Date().toISOString(),
    action: 'push',
    target: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 524, digest, length: 524, repository, tag },
    request: { id: randomUUID(), host: loginServer, method: 'PUT', useragent: 'scenario-test' },
  });
}

/**
 * Pushes an image to the simulated registry WITHOUT the webhooks and Event Grid deliveries a push
 * sends: a push whose webhook was lost (ACR tries once, 5 s, never again). The image carries a
 * working migration, as `stack.push` records for every pushed image.
 */
export function pushWithoutWebhook(stack: LocalStack, appName: string, tag: string, behaviour?: string): { digest: string; image: string } {
  const app = stack.apps.apps.find((a) => a.name === appName);
  if (!app) throw new Error(`No app ${appName}`);
  const store = stack.simulator.registry.registry(app.image.registry.replace(/\.azurecr\.io$/, ''));
  const result = store.push({ repository: app.image.repository, tag, platforms: [app.image.platform] });
  const image = `${store.loginServer}/${result.repository}@${result.digest}`;
  stack.simulator.imageCatalog.record({
    imageRef: `${store.loginServer}/${result.repository}:${result.tag}`,
    aliases: [image, ...Object.values(result.platformDigests).map((d) => `${store.loginServer}/${result.repository}@${d}`)],
    behaviour: behaviour ? parseBehaviour(behaviour) : undefined,
    metadata: { jobBehaviour: 'migrate-ok' },
  });
  return { digest: result.digest, image };
}

/**
 * Waits until no deployment of the app is running. A deployment's record says `succeeded` when
 * traffic has moved; the app's state (deployed digest and tag, the queue) is updated by the
 * finishing step a moment later, so read those, or act by hand, only after this.
 */
export async function waitUntilIdle(stack: LocalStack, app: string, timeoutMs = 60_000): Promise<any> {
  return eventually(`no deployment of ${app} running`, async () => {
    const { status, body } = await stack.api('GET', `/apps/${app}`);
    return status === 200 && body.running === undefined && (body.queued as unknown[]).length === 0 ? body : undefined;
  }, timeoutMs);
}
