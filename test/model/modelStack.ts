/**
 * What the model checker drives: one shared offline Azure (Azurite, PostgreSQL, the HTTPS
 * simulator) and, per run, a fresh world: three apps of their own (their own resource group,
 * registry and task hub, seeded through the simulator like the local stack does) and the
 * controller (devhost running the compiled app) as a child process that can be SIGKILLed and
 * started again on the same task hub and port.
 *
 * Everything the checker observes goes through public surfaces: the app's HTTP API with the
 * function key, and the simulator's ARM wire and admin API. ARM reads are addressed to
 * `localhost` while the controller talks to `127.0.0.1`, so fault rules (which match the
 * controller's host) never hit the checker's own reads.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { loadAppsConfig } from '../../src/config';
import { startAzurite, type RunningAzurite } from '../../devhost/azurite';
import { LOCAL_BACKUP_JOB, LOCAL_KEYS, localApiKeys } from '../../devhost/localStack/localStack';
import { seedLocalAzure } from '../../devhost/localStack/seedLocalAzure';
import { startPostgres, type TestPostgres } from '../../devhost/postgres';
import { startAzureSimulator, type RunningAzureSimulator } from '../../simulators/azureSimulator';
import { freePort, killHard, startDevhostProcess } from '../support/devhostProcess';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ENTRY = path.join(REPO_ROOT, 'dist', 'src', 'index.js');
export const ARM_API_VERSION = '2026-07-01';
const SUBSCRIPTION = '7e1f0c2a-9b4d-4c3e-8f5a-6d2b1c0e9f8a';

/** Schedules that never come due during a run (1 January, midnight). */
const QUIET_TIMERS = { HARBORMASTER_RECONCILE_SCHEDULE: '0 0 0 1 1 *', HARBORMASTER_SWEEP_SCHEDULE: '0 0 0 1 1 *' };

export type AppRole = 'web' | 'api' | 'wrk' | 'gweb' | 'gwrk';

/** One app of a run, as the checker needs to know it. */
export interface ModelApp {
  role: AppRole;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  containerAppName: string;
  registry: string;
  repository: string;
  migrationJob?: string;
  approvalRequired: boolean;
  strategy: 'blue-green' | 'canary' | 'direct';
  hasIngress: boolean;
  /** Seconds a started deployment may take, all its gates and waits included, before it is late. */
  deadlineSeconds: number;
  /** The release group it belongs to. */
  group?: string;
  /** The deploy window it is held to, as the checker reads it (independently of the product's rules). */
  windowOpen?: (atMs: number) => boolean;
}

/** How long after a run starts its group's deploy window keeps opening and closing (past it, it never opens again). */
const WINDOW_SPAN_MINUTES = 90;

/**
 * The group's deploy window: the even UTC minutes (a push waits at most a minute), as the checker
 * reads it (`open`) and in apps.json's terms (`config`): the even minutes of the run's next
 * hour and a half only, a handful of entries rather than a whole day's, since the window travels
 * in every deployment's input. The checker's reading is every even minute, so records that an
 * earlier run on the same storage left under the same app names are judged by the same rule.
 */
function alternatingMinutes(startMs: number): { open: (atMs: number) => boolean; config: unknown } {
  const first = Math.floor(startMs / 120_000) * 120_000;
  const slots: Array<[number, number]> = [];
  for (let k = 0; k < WINDOW_SPAN_MINUTES; k += 2) slots.push([first + k * 60_000, first + (k + 1) * 60_000]);
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  const day = (ms: number) => ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][new Date(ms).getUTCDay()];
  return {
    open: (atMs) => new Date(atMs).getUTCMinutes() % 2 === 0,
    config: { timeZone: 'UTC', allow: slots.map(([from, to]) => ({ days: [day(from)], start: hhmm(from), end: hhmm(to) })) },
  };
}

export interface SharedStack {
  readonly simulator: RunningAzureSimulator;
  readonly postgres: TestPostgres;
  readonly azurite: RunningAzurite;
  readonly stateDir: string;
  /** The simulator addressed as `localhost` (reads the fault rules never touch). */
  readonly simReadUrl: string;
  readonly simAgent: Agent;
  stop(): Promise<void>;
}

/** Where storage and the database come from: started here by default; a test run may share its own. */
export interface StackServices {
  storage(): Promise<RunningAzurite>;
  database(): Promise<TestPostgres>;
}

const OWN_SERVICES: StackServices = { storage: () => startAzurite(), database: () => startPostgres() };

export async function startSharedStack(services: StackServices = OWN_SERVICES): Promise<SharedStack> {
  const stateDir = path.join(tmpdir(), `hm-model-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(stateDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const postgres = await services.database();
    stops.push(() => postgres.stop());
    const azurite = await services.storage();
    stops.push(() => azurite.stop());
    const caCertPath = path.join(stateDir, 'sim-ca.pem');
    const simulator = await startAzureSimulator({
      port: 0,
      ingressPort: 0,
      caCertPath,
      lroRetryAfterSeconds: 0,
      gaugeIntervalMs: 1000,
      jobsBaseEnv: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_EXTRA_CA_CERTS: caCertPath },
    });
    stops.push(() => simulator.stop());
    const simAgent = new Agent({ connect: { ca: simulator.caCertPem }, keepAliveTimeout: 1000 });
    stops.push(() => simAgent.close());
    return { simulator, postgres, azurite, stateDir, simReadUrl: `https://localhost:${simulator.port}`, simAgent, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface ApiAnswer {
  /** 0 when the controller could not be reached (down, killed, timed out). */
  status: number;
  // JSON of many shapes; the checker reads it field by field.
  body: any;
}


/**
 * The apps of run `n`: a blue-green app with a migration that rolls back with a down migration, a
 * canary app behind approval, a direct (Single mode) app held to a deploy window, and a release
 * group held to the same window.
 */
function appsConfigFor(n: number): { config: unknown; apps: ModelApp[] } {
  const window = alternatingMinutes(Date.now());
  const resourceGroup = `model-${n}-rg`;
  const registry = `model${n}reg`;
  const health = { path: '/health', intervalSeconds: 1, timeoutSeconds: 1, successThreshold: 2, failureThreshold: 2, deadlineSeconds: 15 };
  const base = (role: AppRole) => ({
    name: `m${n}-${role}`,
    containerApp: { subscriptionId: SUBSCRIPTION, resourceGroup, name: `m${n}-${role}` },
    image: { registry: `${registry}.azurecr.io`, repository: `model/${role}`, tagPolicy: { kind: 'glob', pattern: 'main-*' } },
    health,
    notify: ['model-hook'],
  });
  const configApps = [
    { ...base('web'), migration: { jobName: `m${n}-web-migrate`, command: ['/app/bin/migrate'], timeoutSeconds: 10, rollback: 'down', downCommand: ['/app/bin/migrate', 'down'] }, strategy: { kind: 'blue-green', keepPreviousMinutes: 0 } },
    { ...base('api'), strategy: { kind: 'canary', steps: [20, 100], stepWaitSeconds: 1, keepPreviousMinutes: 0 }, approval: { required: true, timeoutMinutes: 1 } },
    // A single app held to the same window, so the single-app deployment's window gate is checked too.
    { ...base('wrk'), strategy: { kind: 'direct' }, deployWindows: window.config },
    // A release group: one image (model/grp), the worker (no ingress, single-revision) promoted before the web app.
    { ...base('gweb'), image: { ...base('gweb').image, repository: 'model/grp' }, migration: { jobName: `m${n}-gweb-migrate`, command: ['/app/bin/migrate'], timeoutSeconds: 10 }, strategy: { kind: 'blue-green', keepPreviousMinutes: 0 } },
    { ...base('gwrk'), image: { ...base('gwrk').image, repository: 'model/grp' }, health: { ...health, ingress: 'none' }, strategy: { kind: 'direct' } },
  ];
  // Generous bounds: verify, deploy and promote with ARM retries (faults), the health deadline,
  // migration timeout, approval timeout and canary waits, and a rollback.
  const slack = 90;
  const apps: ModelApp[] = [
    { role: 'web', migrationJob: `m${n}-web-migrate`, approvalRequired: false, strategy: 'blue-green', deadlineSeconds: slack + 10 + 15 },
    { role: 'api', approvalRequired: true, strategy: 'canary', deadlineSeconds: slack + 15 * 3 + 60 + 2 },
    { role: 'wrk', approvalRequired: false, strategy: 'direct', deadlineSeconds: slack + 60 + 15, windowOpen: window.open },
    // The group's deployment: both members' deadlines, a minute of waiting for the window, and its rollback.
    { role: 'gweb', migrationJob: `m${n}-gweb-migrate`, approvalRequired: false, strategy: 'blue-green', deadlineSeconds: slack + 60 + 10 + 15 * 2 + 15, group: `m${n}-grp`, windowOpen: window.open },
    { role: 'gwrk', approvalRequired: false, strategy: 'direct', deadlineSeconds: slack + 60 + 10 + 15 * 2 + 15, group: `m${n}-grp`, windowOpen: window.open, hasIngress: false },
  ].map((a) => ({
    hasIngress: true,
    ...a,
    role: a.role as AppRole,
    strategy: a.strategy as ModelApp['strategy'],
    name: `m${n}-${a.role}`,
    subscriptionId: SUBSCRIPTION,
    resourceGroup,
    containerAppName: `m${n}-${a.role}`,
    registry,
    repository: a.group ? 'model/grp' : `model/${a.role}`,
  }));
  const config = {
    apps: configApps,
    groups: [{ name: `m${n}-grp`, apps: [`m${n}-gwrk`, `m${n}-gweb`], deployWindows: window.config }],
    databases: [],
    notifications: [{ name: 'model-hook', kind: 'webhook', urlSecret: 'model-hook-url' }],
  };
  return { config, apps };
}

export interface WorldOptions {
  /** Append the controller's log lines here. */
  controllerLog?: string;
}

/** One run's apps and controller. */
export class ModelWorld {
  private child: ChildProcess | undefined;
  private baseUrl = '';
  /** Milliseconds the controller was down (killed, restarting) during this run. */
  downMs = 0;
  crashes = 0;

  private constructor(
    readonly stack: SharedStack,
    readonly run: number,
    readonly apps: ModelApp[],
    private readonly settingsFile: string,
    private readonly hubName: string,
    private readonly port: number,
    private readonly dir: string,
    private readonly options: WorldOptions,
  ) {}

  static async create(stack: SharedStack, run: number, options: WorldOptions = {}): Promise<ModelWorld> {
    const dir = path.join(stack.stateDir, `run-${run}`);
    mkdirSync(dir, { recursive: true });
    const { config, apps } = appsConfigFor(run);
    const configPath = path.join(dir, 'apps.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const loaded = loadAppsConfig(configPath);
    const sim = stack.simulator;
    await seedLocalAzure(sim, loaded, { databaseUrl: stack.postgres.connectionString });
    const settings: Record<string, string> = {
      FUNCTIONS_WORKER_RUNTIME: 'node',
      AzureWebJobsStorage: stack.azurite.connectionString,
      HARBORMASTER_CONFIG_PATH: configPath,
      HARBORMASTER_CREDENTIAL: 'local-dev',
      HARBORMASTER_ARM_ENDPOINT: sim.url,
      HARBORMASTER_METRICS_ENDPOINT: sim.url,
      HARBORMASTER_LOGS_ENDPOINT: `${sim.url}/v1`,
      HARBORMASTER_KEY_VAULT_URL: sim.url,
      HARBORMASTER_CA_CERT_PATH: sim.caCertPath,
      HARBORMASTER_DEV_CONNECT_TO: `*.azurecr.io=127.0.0.1:${sim.port},${sim.ingress.connectToRule()}`,
      HARBORMASTER_POLL_INTERVAL_MS: '100',
      HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID: LOCAL_BACKUP_JOB.subscriptionId,
      HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP: LOCAL_BACKUP_JOB.resourceGroup,
      HARBORMASTER_BACKUP_JOB_NAME: LOCAL_BACKUP_JOB.name,
      DEVHOST_FUNCTION_KEY: LOCAL_KEYS.functionKey,
      HARBORMASTER_API_KEYS: localApiKeys(),
      DEVHOST_MASTER_KEY: LOCAL_KEYS.masterKey,
      WEBHOOK_SECRET_ACR: LOCAL_KEYS.acrWebhookSecret,
      WEBHOOK_SECRET_EVENTGRID: LOCAL_KEYS.eventGridWebhookSecret,
      WEBHOOK_SECRET_DOCKERHUB: LOCAL_KEYS.dockerHubWebhookSecret,
      WEBHOOK_SECRET_GHCR: LOCAL_KEYS.ghcrWebhookSecret,
      NODE_EXTRA_CA_CERTS: sim.caCertPath,
      ...QUIET_TIMERS,
    };
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600 });
    const hubName = `model${run}x${Date.now().toString(36)}`;
    const world = new ModelWorld(stack, run, apps, settingsFile, hubName, await freePort(), dir, options);
    await world.startController();
    return world;
  }

  get controllerUp(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async startController(): Promise<void> {
    const started = await startDevhostProcess({
      entry: ENTRY,
      settingsFile: this.settingsFile,
      hubName: this.hubName,
      port: this.port,
      dataDir: path.join(this.dir, 'devhost'),
      caCertPath: this.stack.simulator.caCertPath,
      logFile: this.options.controllerLog,
    });
    this.child = started.child;
    this.baseUrl = started.baseUrl;
  }

  private killController(): Promise<void> {
    return killHard(this.child);
  }

  /** kill -9, then start again on the same task hub and port. */
  async crashAndRestart(): Promise<void> {
    const down = Date.now();
    await this.killController();
    this.crashes += 1;
    await this.startController();
    this.downMs += Date.now() - down;
  }

  /** Calls the app's HTTP API with the function key; status 0 when unreachable. */
  async api(method: string, route: string, body?: unknown, timeoutMs = 15_000): Promise<ApiAnswer> {
    try {
      const response = await fetch(`${this.baseUrl}/api${route}`, {
        method,
        headers: { 'x-functions-key': LOCAL_KEYS.functionKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, body: parseMaybeJson(await response.text()) };
    } catch (error) {
      return { status: 0, body: { error: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** Delivers an ACR webhook body as ACR does: one attempt, 5 s timeout, never retried. */
  async deliverAcrWebhook(body: string): Promise<ApiAnswer> {
    try {
      const response = await fetch(`${this.baseUrl}/api/webhooks/acr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}` },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      return { status: response.status, body: parseMaybeJson(await response.text()) };
    } catch (error) {
      return { status: 0, body: { error: error instanceof Error ? error.message : String(error) } };
    }
  }

  /** The simulator's admin API (`/_sim/...`). */
  async simAdmin(method: string, route: string, body?: unknown): Promise<ApiAnswer> {
    const response = await request(`${this.stack.simReadUrl}/_sim${route}`, {
      method: method as 'GET',
      dispatcher: this.stack.simAgent,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.statusCode, body: parseMaybeJson(await response.body.text()) };
  }

  /** A GET on the simulated ARM (bearer token as the local-dev credential sends one). */
  async armGet(resourcePath: string): Promise<ApiAnswer> {
    const token = await this.stack.simulator.credential.getToken('https://management.azure.com/.default');
    const response = await request(`${this.stack.simReadUrl}${resourcePath}?api-version=${ARM_API_VERSION}`, {
      method: 'GET',
      dispatcher: this.stack.simAgent,
      headers: { authorization: `Bearer ${token?.token ?? 'local'}` },
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    return { status: response.statusCode, body: parseMaybeJson(await response.body.text()) };
  }

  async armDelete(resourcePath: string): Promise<void> {
    const token = await this.stack.simulator.credential.getToken('https://management.azure.com/.default');
    const response = await request(`${this.stack.simReadUrl}${resourcePath}?api-version=${ARM_API_VERSION}`, {
      method: 'DELETE',
      dispatcher: this.stack.simAgent,
      headers: { authorization: `Bearer ${token?.token ?? 'local'}` },
    });
    await response.body.dump();
  }

  appPath(app: ModelApp): string {
    return `/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/providers/Microsoft.App/containerApps/${app.containerAppName}`;
  }

  jobPath(app: ModelApp, job: string): string {
    return `/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/providers/Microsoft.App/jobs/${job}`;
  }

  /** Stops the controller and removes the run's container apps (their revision processes stop). */
  async close(): Promise<void> {
    await this.killController();
    await this.simAdmin('DELETE', '/faults').catch(() => undefined);
    for (const app of this.apps) await this.armDelete(this.appPath(app)).catch(() => undefined);
  }
}

function parseMaybeJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
