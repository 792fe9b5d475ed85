/**
 * devhost: runs a compiled Functions app (Node.js v4 model) locally, in tests and in the demo.
 *
 * Start-up order: settings into process.env -> storage (Azurite unless AzureWebJobsStorage names an
 * account) -> load the entry (capturing registrations) -> validate routes and schedules -> listen
 * -> start extensions -> appStart hooks -> timers. Stop runs it backwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { startAzurite, needsLocalStorage, type RunningAzurite } from './azurite';
import { SystemClock, type Clock } from './clock';
import { createPinoWriter, fromCallback, type LogWriter } from './devhostLog';
import type { DevhostExtension, HostContext } from './extension';
import { loadApp, type CoreHookName, type RegisteredFunction } from './functionsCore';
import { DEFAULT_MAX_REQUEST_BODY_BYTES } from './httpBridge';
import { createDispatcher } from './httpDispatcher';
import { HttpRouteTable, isHttpFunction, routePrefixFrom } from './httpRouteTable';
import { keysFromSettings, FUNCTION_KEY_SETTING, MASTER_KEY_SETTING } from './hostKeys';
import { Invoker } from './invoker';
import { signInFromSettings } from './signInStandIn';
import { isTimerFunction, TimerScheduler } from './timerScheduler';
import { TimerStatusStore } from './timerStatusStore';

/** Setting that chooses the HTTP port when `port` is not given. */
export const PORT_SETTING = 'DEVHOST_PORT';
export const DEFAULT_PORT = 7071;

export interface DevhostOptions {
  /** The compiled app entry (package.json `main`). */
  entry: string;
  /** 0 picks a free port; default: the `DEVHOST_PORT` setting, else 7071. */
  port?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** App settings (as `Values` of local.settings.json); applied to process.env before the app loads. */
  settings?: Record<string, string | undefined>;
  clock?: Clock;
  extensions?: DevhostExtension[];
  /** Default: `host.json` in the current directory, if present. */
  hostJsonPath?: string;
  /** Default: Azurite when `AzureWebJobsStorage` is unset or `UseDevelopmentStorage=true`, else that account. */
  storage?: 'azurite' | { connectionString: string };
  /** Azurite's data folder when devhost starts it; default a temp folder removed on stop. */
  azuriteLocation?: string;
  /** Where devhost keeps state between runs (timer schedule status); default `.devhost/` in the current directory. */
  dataDir?: string;
  /** Receives each structured log line instead of stdout (pino). */
  log?: (line: object) => void;
  /** Request body limit; default the `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT` setting, else 100 MB as in Azure. */
  maxRequestBodyBytes?: number;
  /** How long stop() waits for in-flight requests before closing connections; default 10 s. */
  stopTimeoutMs?: number;
}

export interface RunningDevhost {
  /** e.g. `http://127.0.0.1:7071` (no trailing slash, no route prefix). */
  readonly baseUrl: string;
  readonly port: number;
  readonly routePrefix: string;
  readonly functions: ReadonlyMap<string, RegisteredFunction>;
  readonly clock: Clock;
  readonly storageConnectionString: string;
  /** Runs a non-HTTP function now and resolves with its result (timers: the handler's return value). */
  fire(name: string, input?: unknown): Promise<unknown>;
  /** One line per HTTP function (method list, URL, auth level) and per timer (schedule), for the ready message. */
  describe(): string[];
  stop(): Promise<void>;
}

/** The Functions host's own setting for the largest request body it accepts. */
const REQUEST_BODY_LIMIT_SETTING = 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT';

/** The limit the setting names (bytes), or the host's default when it is unset. */
export function requestBodyLimit(setting: string | undefined): number {
  if (setting === undefined || setting.trim() === '') return DEFAULT_MAX_REQUEST_BODY_BYTES;
  const bytes = Number(setting);
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new Error(`${REQUEST_BODY_LIMIT_SETTING} must be a whole number of bytes, got "${setting.slice(0, 40)}"`);
  return bytes;
}

function readHostJson(hostJsonPath: string | undefined): Record<string, unknown> {
  const file = hostJsonPath ?? path.resolve('host.json');
  if (hostJsonPath === undefined && !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`host.json at ${file} could not be read: ${(error as Error).message}`);
  }
}

/** Sets app settings on process.env and returns how to put the previous values back. */
function applyToEnv(values: Record<string, string | undefined>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    previous.set(name, process.env[name]);
    process.env[name] = value;
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

function captureApp(entry: string, log: LogWriter): { functions: Map<string, RegisteredFunction>; hooks: Map<CoreHookName, ((context: unknown) => unknown)[]> } {
  const functions = new Map<string, RegisteredFunction>();
  const hooks = new Map<CoreHookName, ((context: unknown) => unknown)[]>();
  loadApp(entry, {
    registerFunction(fn) {
      if ([...functions.keys()].some((name) => name.toLowerCase() === fn.name.toLowerCase())) {
        throw new Error(`A function named "${fn.name}" is registered twice`);
      }
      functions.set(fn.name, fn);
    },
    registerHook(hookName, callback) {
      if (hookName !== 'appStart' && hookName !== 'appTerminate') {
        log({ level: 'warn', msg: `devhost does not run ${hookName} hooks; this one is ignored` });
        return;
      }
      hooks.set(hookName, [...(hooks.get(hookName) ?? []), callback]);
    },
  });
  return { functions, hooks };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startDevhost(options: DevhostOptions): Promise<RunningDevhost> {
  const log = options.log ? fromCallback(options.log) : createPinoWriter();
  const clock = options.clock ?? new SystemClock();
  const settings: Record<string, string | undefined> = { ...(options.settings ?? {}) };
  const hostJson = readHostJson(options.hostJsonPath);
  const routePrefix = routePrefixFrom(hostJson);
  const cleanups: (() => Promise<void> | void)[] = [];
  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log({ level: 'error', msg: 'devhost shutdown step failed', error: { message: (error as Error).message } });
      }
    }
  };

  try {
    // Storage first: the app may read AzureWebJobsStorage while it loads.
    const storage = options.storage ?? (needsLocalStorage(settings.AzureWebJobsStorage) ? 'azurite' : { connectionString: settings.AzureWebJobsStorage ?? '' });
    let storageConnectionString: string;
    if (storage === 'azurite') {
      const azurite: RunningAzurite = await startAzurite({ location: options.azuriteLocation });
      cleanups.push(() => azurite.stop());
      storageConnectionString = azurite.connectionString;
      log({ level: 'info', msg: 'azurite started', blobEndpoint: azurite.blobEndpoint, queueEndpoint: azurite.queueEndpoint, tableEndpoint: azurite.tableEndpoint });
    } else {
      storageConnectionString = storage.connectionString;
    }
    // The emulator runs on ports of its own, so the app must see the explicit connection string.
    settings.AzureWebJobsStorage = storageConnectionString;
    // Standing in for App Service authentication: the app is told so the way Azure tells it.
    const signIn = signInFromSettings(settings);
    if (signIn) settings.WEBSITE_AUTH_ENABLED = 'True';
    cleanups.push(applyToEnv(settings));

    const { functions, hooks } = captureApp(options.entry, log);
    const keys = keysFromSettings(settings);
    for (const [level, setting] of [['function', FUNCTION_KEY_SETTING], ['admin', MASTER_KEY_SETTING]] as const) {
      const needed = level === 'function' ? !keys.functionKey && !keys.masterKey : !keys.masterKey;
      const used = [...functions.values()].some((fn) => isHttpFunction(fn) && String(fn.trigger.authLevel) === level);
      if (needed && used) log({ level: 'warn', msg: `no ${level} key: set ${setting}; ${level}-level functions answer 401 until then` });
    }
    for (const fn of functions.values()) {
      for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
        if (binding.direction === 'out' && name !== '$return' && binding.type.toLowerCase() !== 'http') {
          log({ level: 'warn', msg: `devhost does not write ${binding.type} output bindings; "${name}" of "${fn.name}" is dropped` });
        }
      }
    }
    const routeTable = new HttpRouteTable(functions.values());
    const extensions = options.extensions ?? [];
    const invoker = new Invoker(log, () => extensions);
    const scheduler = new TimerScheduler({
      functions: [...functions.values()].filter(isTimerFunction),
      clock,
      store: new TimerStatusStore(options.dataDir ?? path.resolve('.devhost')),
      settings,
      invoke: (fn, timer) => invoker.invoke(fn, timer),
      onError: (fn, error) => log({ level: 'error', msg: 'timer scheduling failed', function: fn.name, error: { message: (error as Error).message } }),
    });

    const startRun = async (fn: RegisteredFunction, input: unknown): Promise<{ outcome: 'started' | 'noRunner'; run?: Promise<unknown> }> => {
      if (isTimerFunction(fn)) return { outcome: 'started', run: scheduler.fire(fn.name) };
      for (const extension of extensions) {
        if (extension.fireFunction && (await extension.fireFunction(fn, input))) return { outcome: 'started' };
      }
      return { outcome: 'noRunner' };
    };

    let baseUrl = '';
    const inFlight = new Set<Promise<void>>();
    const dispatch = createDispatcher({
      routeTable,
      routePrefix,
      keys,
      maxRequestBodyBytes: options.maxRequestBodyBytes ?? requestBodyLimit(settings[REQUEST_BODY_LIMIT_SETTING]),
      invoker,
      extensions: () => extensions,
      log,
      baseUrl: () => baseUrl,
      signIn,
      firer: {
        functions,
        async start(fn, input) {
          const { outcome, run } = await startRun(fn, input);
          run?.catch(() => undefined); // the invoker logged it; the admin caller already has its 202
          return outcome;
        },
      },
    });
    // Requests wait until extensions have started (a durableClient input needs a started engine).
    let markReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const server = createServer((req, res) => {
      const handling = ready
        .then(() => dispatch(req, res))
        .catch((error: unknown) => {
          log({ level: 'error', msg: 'request handling failed', error: { message: (error as Error).message } });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ title: 'Internal Server Error', status: 500 }));
          else res.destroy();
        })
        .finally(() => inFlight.delete(handling));
      inFlight.add(handling);
    });
    const host = options.host ?? '127.0.0.1';
    const requestedPort = options.port ?? (settings[PORT_SETTING] ? Number(settings[PORT_SETTING]) : DEFAULT_PORT);
    if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
      throw new Error(`port ${String(requestedPort)} is not a valid TCP port (check ${PORT_SETTING} or --port)`);
    }
    const port = await listen(server, requestedPort, host);
    let serverClosing: Promise<void> | undefined;
    const closeServer = (): Promise<void> => (serverClosing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, options.stopTimeoutMs ?? 10_000).unref());
      await Promise.race([Promise.all([...inFlight]), deadline]);
      server.closeAllConnections();
      await closed;
    })());
    cleanups.push(closeServer); // in case an extension fails to start
    baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    // In Azure, WEBSITE_HOSTNAME names the app's host; durable-functions builds its client's
    // management URLs from it (and falls back to localhost:7071 without it).
    if (settings.WEBSITE_HOSTNAME === undefined) cleanups.push(applyToEnv({ WEBSITE_HOSTNAME: `${host.includes(':') ? `[${host}]` : host}:${port}` }));

    const hostContext: HostContext = {
      functions,
      settings,
      storageConnectionString,
      hostJson,
      baseUrl,
      clock,
      invoke: (fn, triggerInput, invokeOptions) => invoker.invoke(fn, triggerInput, invokeOptions),
      createInvocationContext: (fn, invokeOptions) => invoker.createInvocationContext(fn, invokeOptions),
    };
    for (const extension of extensions) {
      await extension.start(hostContext);
      cleanups.push(() => extension.stop());
    }
    // Requests in flight may still use extensions (e.g. a durable client): close the server before them.
    cleanups.push(closeServer);
    for (const hook of hooks.get('appStart') ?? []) await hook({ hookData: {} });
    markReady();
    cleanups.push(async () => {
      for (const hook of hooks.get('appTerminate') ?? []) await hook({ hookData: {} });
    });
    await scheduler.start();
    cleanups.push(() => scheduler.stop());

    let stopping: Promise<void> | undefined;
    const schedules = scheduler.schedules();
    return {
      baseUrl,
      port,
      routePrefix,
      functions,
      clock,
      storageConnectionString,
      async fire(name, input) {
        const fn = functions.get(name);
        if (!fn) throw new Error(`No function named "${name}"`);
        if (isHttpFunction(fn)) throw new Error(`"${name}" is HTTP-triggered; call its route instead`);
        const { outcome, run } = await startRun(fn, input);
        if (outcome === 'noRunner') throw new Error(`trigger type "${fn.trigger.type}" of "${name}" has no runner in devhost`);
        return run;
      },
      describe() {
        const prefix = routePrefix === '' ? '' : `/${routePrefix}`;
        const lines = routeTable.routes.map(
          (r) => `${r.fn.name}: [${r.methods.length > 0 ? r.methods.join(',') : 'ANY'}] ${baseUrl}${prefix}/${r.route.template} (${r.authLevel})`,
        );
        for (const [name, schedule] of schedules) lines.push(`${name}: timer "${schedule.expression}"`);
        for (const fn of functions.values()) {
          if (!isHttpFunction(fn) && !isTimerFunction(fn)) lines.push(`${fn.name}: ${fn.trigger.type}`);
        }
        return lines;
      },
      stop: () => (stopping ??= runCleanups()),
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
