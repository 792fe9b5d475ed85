/**
 * The whole local stack in one call: PostgreSQL (optional), the simulated Azure seeded from
 * the apps configuration, and devhost running the compiled app with the Durable engine and
 * settings that point every client at the simulators. `npm start` and the scenario tests
 * both use it, so the demo is what the tests exercise.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { request, Agent } from 'undici';
import { loadAppsConfig, type AppsConfig } from '../../src/config';
import { hashApiKey } from '../../src/domain/access';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators/azureSimulator';
import type { UserTrafficOptions } from '../../simulators/ingress/userTraffic';
import type { CertificateAuthority } from '../../simulators/tls';
import type { Clock } from '../clock';
import { createDurableExtension, type DurableExtension } from '../durable';
import { needsLocalStorage, startAzurite } from '../azurite';
import { startDevhost, type RunningDevhost } from '../host';
import { startPostgres, type TestPostgres } from '../postgres';
import { seedLocalAzure, type SeededApp } from './seedLocalAzure';

export interface LocalStackOptions {
  /** The compiled app entry (package.json `main`). */
  entry: string;
  /** The apps configuration file the app and the seeding read. */
  configPath: string;
  /** Where the CA and other local state go (created if missing). */
  stateDir: string;
  /** 0 (default) picks free ports; `npm start` uses fixed ones. */
  devhostPort?: number;
  simulatorPort?: number;
  ingressPort?: number;
  /** Reuse a CA so clients configured earlier keep trusting the simulator. */
  ca?: CertificateAuthority;
  /** Start a throwaway PostgreSQL for migrations and backups (default true). */
  withPostgres?: boolean;
  /** Use this PostgreSQL database instead of starting one (the caller stops it). */
  postgres?: TestPostgres;
  /** Settings that win over the stack's own (e.g. a test's shorter schedules). */
  settings?: Record<string, string | undefined>;
  clock?: Clock;
  /** A fresh task hub name per test run keeps instances apart. */
  hubName?: string;
  /** devhost's log sink (default: pino to stdout). */
  log?: (line: object) => void;
  simulatorLog?: (line: string) => void;
  /** Seconds an idle scale-to-zero revision keeps running (simulator). */
  scaleToZeroIdleMs?: number;
  /** Azurite's data folder (default: a temp folder removed on stop). */
  azuriteLocation?: string;
  /** Simulated users sending ordinary requests to the apps, so Monitor metrics have traffic to count (default: none). */
  userTraffic?: UserTrafficOptions;
}

export interface LocalStack {
  readonly devhost: RunningDevhost;
  readonly durable: DurableExtension;
  readonly simulator: RunningAzureSimulator;
  readonly postgres?: TestPostgres;
  readonly apps: AppsConfig;
  readonly seeded: SeededApp[];
  readonly settings: Readonly<Record<string, string>>;
  /** The operate API key (`x-functions-key`), its read-only sibling, and the ACR webhook secret the stack configured. */
  readonly functionKey: string;
  readonly readKey: string;
  readonly acrWebhookSecret: string;
  /** Calls the app: `api('GET', '/status')`, with the function key. */
  // The answers are JSON of many shapes that tests assert on field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Pushes an image to the simulated registry as `npm run push` does (webhooks follow). */
  push(appName: string, tag: string, behaviour?: string, options?: { platforms?: string[] }): { digest: string; image: string };
  stop(): Promise<void>;
}

export const LOCAL_KEYS = {
  /** Harbormaster's operate API key (`local-operator-key`, scope operate). */
  functionKey: 'local-dev-function-key',
  /** Harbormaster's read API key (`local-reader-key`, scope read): status, never actions. */
  readKey: 'local-dev-read-key',
  masterKey: 'local-dev-master-key',
  acrWebhookSecret: 'local-dev-acr-webhook-secret',
  eventGridWebhookSecret: 'local-dev-eventgrid-webhook-secret',
  dockerHubWebhookSecret: 'local-dev-dockerhub-webhook-secret',
  ghcrWebhookSecret: 'local-dev-ghcr-webhook-secret',
} as const;

export const LOCAL_BACKUP_JOB = { subscriptionId: '00000000-0000-4000-8000-000000000001', resourceGroup: 'harbormaster-rg', name: 'harbormaster-backup' } as const;

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  mkdirSync(options.stateDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const apps = loadAppsConfig(options.configPath);
    let postgres = options.postgres;
    if (!postgres && options.withPostgres !== false) {
      const started = await startPostgres();
      stops.push(() => started.stop());
      postgres = started;
    }

    const caCertPath = path.join(options.stateDir, 'sim-ca.pem');
    // Azure's timestamps follow the stack's clock, so a test that moves time sees them agree with the orchestrations'.
    const clock = options.clock;
    const simulator = await startAzureSimulator({
      port: options.simulatorPort ?? 0,
      ingressPort: options.ingressPort ?? 0,
      ca: options.ca,
      caCertPath,
      lroRetryAfterSeconds: 0,
      ...(clock ? { now: () => clock.now() } : {}),
      gaugeIntervalMs: 1000,
      scaleToZeroIdleMs: options.scaleToZeroIdleMs,
      userTraffic: options.userTraffic,
      jobsBaseEnv: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_EXTRA_CA_CERTS: caCertPath },
      log: options.simulatorLog,
    });
    stops.push(() => simulator.stop());
    // Storage before seeding: the backup job's secret is Azurite's connection string.
    let storageConnectionString = options.settings?.AzureWebJobsStorage;
    if (!storageConnectionString || needsLocalStorage(storageConnectionString)) {
      const azurite = await startAzurite({ location: options.azuriteLocation });
      stops.push(() => azurite.stop());
      storageConnectionString = azurite.connectionString;
    }
    const settings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: storageConnectionString,
      HARBORMASTER_CONFIG_PATH: options.configPath,
      HARBORMASTER_CREDENTIAL: 'local-dev',
      HARBORMASTER_ARM_ENDPOINT: simulator.url,
      HARBORMASTER_METRICS_ENDPOINT: simulator.url,
      HARBORMASTER_LOGS_ENDPOINT: `${simulator.url}/v1`,
      HARBORMASTER_KEY_VAULT_URL: simulator.url,
      HARBORMASTER_CA_CERT_PATH: caCertPath,
      HARBORMASTER_DEV_CONNECT_TO: `*.azurecr.io=127.0.0.1:${simulator.port},${simulator.ingress.connectToRule()}`,
      HARBORMASTER_POLL_INTERVAL_MS: '100',
      HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID: LOCAL_BACKUP_JOB.subscriptionId,
      HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP: LOCAL_BACKUP_JOB.resourceGroup,
      HARBORMASTER_BACKUP_JOB_NAME: LOCAL_BACKUP_JOB.name,
      DEVHOST_FUNCTION_KEY: LOCAL_KEYS.functionKey,
      DEVHOST_MASTER_KEY: LOCAL_KEYS.masterKey,
      HARBORMASTER_API_KEYS: localApiKeys(),
      // A browser opening the local stack is signed in as an operator (devhost/signInStandIn.ts).
      DEVHOST_SIGN_IN: 'operator',
      WEBHOOK_SECRET_ACR: LOCAL_KEYS.acrWebhookSecret,
      WEBHOOK_SECRET_EVENTGRID: LOCAL_KEYS.eventGridWebhookSecret,
      WEBHOOK_SECRET_DOCKERHUB: LOCAL_KEYS.dockerHubWebhookSecret,
      WEBHOOK_SECRET_GHCR: LOCAL_KEYS.ghcrWebhookSecret,
      NODE_EXTRA_CA_CERTS: caCertPath,
    };
    for (const [name, value] of Object.entries(options.settings ?? {})) {
      if (value === undefined) delete settings[name];
      else settings[name] = value;
    }

    // The backup job where the app's settings say it is (a settings file may name another one).
    const seeded = await seedLocalAzure(simulator, apps, {
      databaseUrl: postgres?.connectionString,
      backupJob: {
        subscriptionId: settings.HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID ?? LOCAL_BACKUP_JOB.subscriptionId,
        resourceGroup: settings.HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP ?? LOCAL_BACKUP_JOB.resourceGroup,
        name: settings.HARBORMASTER_BACKUP_JOB_NAME ?? LOCAL_BACKUP_JOB.name,
        storageConnectionString,
        blobContainer: settings.HARBORMASTER_BACKUP_CONTAINER ?? 'backups',
        caCertPath,
      },
    });

    const durable = createDurableExtension({ hubName: options.hubName });
    const devhost = await startDevhost({
      entry: options.entry,
      port: options.devhostPort ?? 0,
      settings,
      clock: options.clock,
      extensions: [durable],
      hostJsonPath: path.resolve(path.dirname(options.entry), '..', '..', 'host.json'),
      dataDir: path.join(options.stateDir, 'devhost'),
      storage: { connectionString: storageConnectionString },
      log: options.log,
    });
    stops.push(() => devhost.stop());

    // Like an ACR webhook configured on each registry, pointing at the app.
    const admin = new Agent({ connect: { ca: simulator.caCertPem } });
    stops.push(() => admin.close());
    for (const registry of new Set(apps.apps.map((a) => a.image.registry))) {
      const response = await request(`${simulator.url}/_sim/registry/webhooks`, {
        method: 'POST',
        dispatcher: admin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          registry: registry.replace(/\.azurecr\.io$/, ''),
          serviceUri: `${devhost.baseUrl}/api/webhooks/acr`,
          customHeaders: { Authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}` },
          actions: ['push', 'delete'],
        }),
      });
      await response.body.dump();
      if (response.statusCode >= 300) throw new Error(`Configuring the ${registry} webhook answered ${response.statusCode}`);
    }

    const api: LocalStack['api'] = (method, route, body) => callApi(devhost.baseUrl, method, route, { 'x-functions-key': LOCAL_KEYS.functionKey }, body);

    const push: LocalStack['push'] = (appName, tag, behaviour, pushOptions = {}) => {
      const app = apps.apps.find((a) => a.name === appName);
      if (!app) throw new Error(`No app ${appName}`);
      const result = simulator.registry.admin.push({
        registry: app.image.registry.replace(/\.azurecr\.io$/, ''),
        repository: app.image.repository,
        tag,
        behaviour,
        platforms: pushOptions.platforms ?? [app.image.platform],
      });
      return { digest: result.digest, image: `${app.image.registry}/${app.image.repository}@${result.digest}` };
    };

    return {
      devhost,
      durable,
      simulator,
      postgres,
      apps,
      seeded,
      settings,
      functionKey: LOCAL_KEYS.functionKey,
      readKey: LOCAL_KEYS.readKey,
      acrWebhookSecret: LOCAL_KEYS.acrWebhookSecret,
      api,
      push,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export interface ApiAnswer {
  status: number;
  // JSON of many shapes, or text (the metrics, a badge).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  contentType?: string;
}

/** One call of the app's API with exactly these headers (a key, a browser's, none); the answer parsed when it is JSON. */
export async function callApi(baseUrl: string, method: string, route: string, headers: Record<string, string>, body?: unknown): Promise<ApiAnswer> {
  const response = await request(`${baseUrl}/api${route}`, {
    method: method as 'GET',
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.statusCode, body: parsed, contentType: response.headers['content-type'] as string | undefined };
}

/** The local API keys as the setting holds them: names, scopes and hashes, never the keys. */
export function localApiKeys(): string {
  return `local-operator-key:operate:${hashApiKey(LOCAL_KEYS.functionKey)},local-reader-key:read:${hashApiKey(LOCAL_KEYS.readKey)}`;
}
