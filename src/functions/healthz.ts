/**
 * `GET /api/healthz` (anonymous): is this Harbormaster instance able to work? Storage reachable
 * (a cheap call with a timeout) and the configuration valid (it always is once the app has
 * started: an invalid one stops start-up, so this reports what was loaded). 503 when storage is
 * unreachable. The body carries counts and latencies only: no names of accounts, no secrets.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { createTableStorageProbe, type StorageProbe, type StorageProbeTarget } from '../adapters/storage/storageProbe';
import { createCredential } from '../adapters/azure/credential';
import { appsConfigWarnings, getConfig, type HarbormasterConfig } from '../config';

export interface HealthzBody {
  status: 'ok' | 'degraded';
  checks: {
    storage: { status: 'ok' | 'unreachable'; latencyMs: number; error?: string };
    configuration: { status: 'ok'; apps: number; databases: number; notifications: number; warnings?: string[] };
  };
}

export interface HealthzDependencies {
  readonly storage: StorageProbe;
  readonly config: HarbormasterConfig;
  /** Timeout of the storage check (default 3000 ms). */
  readonly storageTimeoutInMs?: number;
}

export type HttpHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/** The handler over explicit dependencies (tests build it with a real Azurite). */
export function createHealthzHandler(deps: HealthzDependencies): HttpHandler {
  return async () => {
    const storage = await deps.storage.probe({ timeoutInMs: deps.storageTimeoutInMs });
    const warnings = appsConfigWarnings(deps.config.apps).map((w) => `${w.path} ${w.message}`);
    const body: HealthzBody = {
      status: storage.status === 'ok' ? 'ok' : 'degraded',
      checks: {
        storage,
        configuration: {
          status: 'ok',
          apps: deps.config.apps.apps.length,
          databases: deps.config.apps.databases.length,
          notifications: deps.config.apps.notifications.length,
          ...(warnings.length > 0 ? { warnings } : {}),
        },
      },
    };
    return {
      status: storage.status === 'ok' ? 200 : 503,
      jsonBody: body,
      headers: { 'cache-control': 'no-store' },
    };
  };
}

let handler: HttpHandler | undefined;

/** The registered handler: the loaded configuration and a probe of AzureWebJobsStorage, built on first call. */
export async function healthz(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  handler ??= createHealthzHandler(defaultDependencies(getConfig()));
  return handler(request, context);
}

function defaultDependencies(config: HarbormasterConfig): HealthzDependencies {
  const { storage, credential } = config.settings;
  const target: StorageProbeTarget =
    storage.kind === 'connectionString'
      ? { connectionString: storage.connectionString.reveal() }
      : { tableServiceUri: storage.tableServiceUri, credential: createCredential(credential, storage.clientId) };
  return { storage: createTableStorageProbe(target), config };
}

export function registerHealthz(): void {
  app.http('healthz', { route: 'healthz', methods: ['GET'], authLevel: 'anonymous', handler: healthz });
}
