/**
 * Every app setting Harbormaster reads (what `process.env` holds for the app in Azure), each
 * defined once: its validation, default and documentation. `readSettings` (settings.ts) parses
 * the environment with these definitions; `SETTINGS_CATALOG` lists them for people and for the
 * consistency tests (infra sets every setting, local.settings.example.json lists every setting).
 *
 * To add a setting: add one entry here (schema + doc), then map it into `Settings` in settings.ts.
 */
import { z } from 'zod';
import { parseApiKeys, type ApiKey } from '../domain/access';
import { ncrontabProblem } from './ncrontab';
import { SecretValue } from './secretValue';

/** The largest request body any HTTP route reads: an Event Grid batch (1 MiB). */
export const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

/** Who sets a setting: the operator (infra/, local.settings.json), or Azure itself. */
export type SettingSource = 'operator' | 'platform';

/** Which process reads it: Harbormaster's code, or the Functions host (through host.json). */
export type SettingReader = 'app' | 'host' | 'app-and-host';

export interface SettingDefinition<T extends z.ZodType = z.ZodType> {
  /** Parses the raw string (undefined when unset or blank) into the value the app uses. */
  readonly schema: T;
  readonly doc: string;
  /** True when the app refuses to start without it (conditions in `requiredWhen`). */
  readonly required: boolean;
  /** A condition under which an otherwise optional setting becomes required, in words. */
  readonly requiredWhen?: string;
  readonly secret: boolean;
  /** The default applied when unset, as text (for the catalog and docs). */
  readonly default?: string;
  readonly setBy: SettingSource;
  readonly readBy: SettingReader;
  /** Used only by the local stack (simulator endpoints and the like); unset in Azure. */
  readonly localStackOnly?: boolean;
}

// ---- value parsers (their messages never include the value: it may be a secret) ----

const text = () => z.string().trim().min(1);

const httpsUrl = () =>
  z.url({ protocol: /^https$/, error: 'must be an https:// URL (Azure SDKs refuse bearer tokens over plain http)' });

const anyUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

const guid = () => z.guid({ error: 'must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' });

const ncrontab = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .superRefine((value, ctx) => {
      const problem = ncrontabProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

const positiveInt = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

const secret = (minLength: number) =>
  z
    .string()
    .min(minLength, { error: `must be at least ${minLength} characters long` })
    .transform((value) => new SecretValue(value));

function setting<T extends z.ZodType>(definition: SettingDefinition<T>): SettingDefinition<T> {
  return definition;
}

const WEBHOOK_SECRET_DOC =
  'Shared secret this registry source must present; unset means deliveries from this source are refused (401). ' +
  'In Azure, a Key Vault reference.';

export const SETTING_DEFINITIONS = {
  // ---- Harbormaster's own storage account (state tables, Durable Functions, leases) ----
  AzureWebJobsStorage: setting({
    schema: secret(1).optional(),
    doc: 'Connection string of the storage account Harbormaster keeps its state in (local: "UseDevelopmentStorage=true" for Azurite). In Azure prefer the identity-based AzureWebJobsStorage__* settings.',
    required: false,
    requiredWhen: 'unless the identity-based AzureWebJobsStorage__accountName or AzureWebJobsStorage__*ServiceUri settings are set',
    secret: true,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),
  AzureWebJobsStorage__accountName: setting({
    schema: z.string().regex(/^[a-z0-9]{3,24}$/, { error: 'must be a storage account name (3-24 lowercase letters and digits)' }).optional(),
    doc: 'Identity-based storage: the account name; blob, queue and table endpoints are derived from it (https://<name>.<service>.core.windows.net).',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),
  AzureWebJobsStorage__blobServiceUri: setting({
    schema: anyUrl().optional(),
    doc: 'Identity-based storage: the blob endpoint (with the queue and table ones, instead of __accountName).',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),
  AzureWebJobsStorage__queueServiceUri: setting({
    schema: anyUrl().optional(),
    doc: 'Identity-based storage: the queue endpoint.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),
  AzureWebJobsStorage__tableServiceUri: setting({
    schema: anyUrl().optional(),
    doc: 'Identity-based storage: the table endpoint.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),
  AzureWebJobsStorage__credential: setting({
    schema: z.enum(['managedidentity'], { error: 'must be "managedidentity"' }).optional(),
    doc: 'Identity-based storage: "managedidentity" (the only credential the Functions host supports in Azure).',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),
  AzureWebJobsStorage__clientId: setting({
    schema: guid().optional(),
    doc: 'Identity-based storage: client id of the user-assigned managed identity to use (unset: AZURE_CLIENT_ID, then the system-assigned identity).',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),

  // ---- the Functions host ----
  FUNCTIONS_WORKER_RUNTIME: setting({
    schema: z.enum(['node'], { error: 'must be "node"' }).optional(),
    doc: 'Worker runtime; always "node". Read by the Functions host; Azure requires it.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'host',
  }),
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: setting({
    schema: positiveInt(MAX_REQUEST_BODY_BYTES, 100 * 1024 * 1024),
    doc: 'Largest request body the Functions host accepts (bytes); it answers 413 to a larger one before any function runs. Set to the largest body a route of ours reads (an Event Grid batch, 1 MiB), so the host never holds more of a request than that.',
    required: false,
    secret: false,
    default: String(MAX_REQUEST_BODY_BYTES),
    setBy: 'operator',
    readBy: 'host',
  }),
  DURABLE_TASK_HUB: setting({
    schema: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{2,44}$/, { error: 'must be 3-45 letters and digits, starting with a letter' })
      .default('harbormaster'),
    doc: 'Durable Functions task hub name (host.json reads it as %DURABLE_TASK_HUB%, so infra must set it). Two apps sharing a backend must use different hubs.',
    required: false,
    secret: false,
    default: 'harbormaster',
    setBy: 'operator',
    readBy: 'app-and-host',
  }),
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: setting({
    schema: text().optional(),
    doc: 'Durable Task Scheduler endpoint and authentication ("Endpoint=https://...;Authentication=ManagedIdentity;ClientID=..."), named by host.json. Read by the host in Azure; devhost runs its own Durable engine and ignores it.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'host',
  }),

  // ---- Harbormaster ----
  HARBORMASTER_CONFIG_PATH: setting({
    schema: text().default('config/apps.json'),
    doc: 'Path of the apps configuration file (JSON; see config/README.md). Relative paths are resolved against the app root (AzureWebJobsScriptRoot in Azure; locally the folder holding host.json), not the working directory. In Azure the file ships inside the app package. There is no fallback: a missing file stops the app at start-up.',
    required: false,
    secret: false,
    default: 'config/apps.json',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_RECONCILE_SCHEDULE: setting({
    schema: ncrontab('0 */5 * * * *'),
    doc: 'NCRONTAB (six fields, seconds first) of the reconcile timer, which catches pushes whose webhook never arrived.',
    required: false,
    secret: false,
    default: '0 */5 * * * *',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_SWEEP_SCHEDULE: setting({
    schema: ncrontab('0 */5 * * * *'),
    doc: 'NCRONTAB (six fields, seconds first) of the health sweep over every managed app.',
    required: false,
    secret: false,
    default: '0 */5 * * * *',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_SWEEP_CONCURRENCY: setting({
    schema: positiveInt(16, 500),
    doc: 'How many apps one sweep checks at the same time.',
    required: false,
    secret: false,
    default: '16',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_RECORD_RETENTION_DAYS: setting({
    schema: positiveInt(90, 3650),
    doc: 'How long finished records are kept before the daily prune removes them (days): deliveries (GET /api/events), deployments, failed backups and drills, superseded releases. Records still in use are kept whatever their age.',
    required: false,
    secret: false,
    default: '90',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_HEALTH_HISTORY_HOURS: setting({
    schema: positiveInt(48, 24 * 90),
    doc: 'How long health sweep results (GET /api/apps/{app}/health) are kept (hours); one row per app per sweep, so kept shorter than other records.',
    required: false,
    secret: false,
    default: '48',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_ALERT_REMINDER_MINUTES: setting({
    schema: positiveInt(60, 7 * 24 * 60),
    doc: 'While an app stays unhealthy, how often its alert is repeated (minutes).',
    required: false,
    secret: false,
    default: '60',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_KEY_VAULT_URL: setting({
    schema: httpsUrl().optional(),
    doc: 'Key Vault holding database connection strings and notification URLs (https://<vault>.vault.azure.net; local: the simulator).',
    required: false,
    requiredWhen: 'the apps configuration declares any databases or notification channels',
    secret: false,
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_BACKUP_CONTAINER: setting({
    schema: z
      .string()
      .regex(/^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/, { error: 'must be a blob container name (3-63 lowercase letters, digits and single hyphens)' })
      .default('backups'),
    doc: 'Blob container (in Harbormaster\'s storage account) that database backups are written to.',
    required: false,
    secret: false,
    default: 'backups',
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_BACKUP_JOB_NAME: setting({
    schema: text().optional(),
    doc: 'Container Apps Job that runs the backup runner (pg_dump to Blob Storage).',
    required: false,
    requiredWhen: 'the apps configuration declares any databases',
    secret: false,
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP: setting({
    schema: text().optional(),
    doc: 'Resource group of the backup job.',
    required: false,
    requiredWhen: 'the apps configuration declares any databases',
    secret: false,
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID: setting({
    schema: guid().optional(),
    doc: 'Subscription of the backup job.',
    required: false,
    requiredWhen: 'the apps configuration declares any databases',
    secret: false,
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_LOG_LEVEL: setting({
    schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    doc: 'Minimum level of Harbormaster\'s structured logs.',
    required: false,
    secret: false,
    default: 'info',
    setBy: 'operator',
    readBy: 'app',
  }),

  // ---- telemetry ----
  APPLICATIONINSIGHTS_CONNECTION_STRING: setting({
    schema: text().optional(),
    doc: 'Application Insights component traces, metrics and logs go to (the Functions host reads it too). Telemetry is sent with the managed identity (AZURE_CLIENT_ID): the component accepts Entra ID authentication only, and the identity holds Monitoring Metrics Publisher on it. Unset: spans go to the log, metrics to GET /api/metrics only.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app-and-host',
  }),

  // ---- who may call the API ----
  HARBORMASTER_API_KEYS: setting({
    schema: z
      .string()
      .transform((value, ctx): ApiKey[] => {
        const parsed = parseApiKeys(value);
        if ('keys' in parsed) return parsed.keys;
        ctx.addIssue({ code: 'custom', message: parsed.problem });
        return z.NEVER;
      })
      .optional(),
    doc: 'API keys for automation, as name:scope:sha256hex entries separated by commas (scope "read" or "operate"; the SHA-256 of the key, never the key: `npm run api-key -- <name> <scope>` makes one). Callers present the key in x-functions-key. Unset: only signed-in users (App Service authentication) can call the API.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
  }),

  // ---- webhook secrets, one per source ----
  WEBHOOK_SECRET_ACR: setting({
    schema: secret(16).optional(),
    doc: `Azure Container Registry webhooks (sent as a custom header). ${WEBHOOK_SECRET_DOC}`,
    required: false,
    secret: true,
    setBy: 'operator',
    readBy: 'app',
  }),
  WEBHOOK_SECRET_EVENTGRID: setting({
    schema: secret(16).optional(),
    doc: `Event Grid deliveries (query parameter or header of the subscription's endpoint). ${WEBHOOK_SECRET_DOC}`,
    required: false,
    secret: true,
    setBy: 'operator',
    readBy: 'app',
  }),
  WEBHOOK_SECRET_DOCKERHUB: setting({
    schema: secret(16).optional(),
    doc: `Docker Hub webhooks (Docker Hub cannot sign, so the secret travels in the webhook URL). ${WEBHOOK_SECRET_DOC}`,
    required: false,
    secret: true,
    setBy: 'operator',
    readBy: 'app',
  }),
  WEBHOOK_SECRET_GHCR: setting({
    schema: secret(16).optional(),
    doc: `GitHub Container Registry (package webhooks, HMAC X-Hub-Signature-256). ${WEBHOOK_SECRET_DOC}`,
    required: false,
    secret: true,
    setBy: 'operator',
    readBy: 'app',
  }),

  // ---- identity ----
  AZURE_CLIENT_ID: setting({
    schema: guid().optional(),
    doc: 'Client id of the user-assigned managed identity Harbormaster calls Azure with (unset: the system-assigned identity).',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
  }),
  HARBORMASTER_CREDENTIAL: setting({
    schema: z.enum(['managed-identity', 'local-dev'], { error: 'must be "managed-identity" or "local-dev"' }).default('managed-identity'),
    doc: 'How Harbormaster authenticates to Azure APIs: "managed-identity" (Azure) or "local-dev" (the local stack: a fixed token the simulators accept). "local-dev" is refused when running in Azure.',
    required: false,
    secret: false,
    default: 'managed-identity',
    setBy: 'operator',
    readBy: 'app',
  }),

  // ---- local stack only: where the simulated Azure lives ----
  HARBORMASTER_ARM_ENDPOINT: setting({
    schema: httpsUrl().optional(),
    doc: 'Azure Resource Manager endpoint override (local stack: the ARM simulator). Unset in Azure: https://management.azure.com.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
    localStackOnly: true,
  }),
  HARBORMASTER_METRICS_ENDPOINT: setting({
    schema: httpsUrl().optional(),
    doc: 'Azure Monitor metrics endpoint override (local stack: the Monitor simulator). Unset in Azure: the regional https://<region>.metrics.monitor.azure.com of each app.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
    localStackOnly: true,
  }),
  HARBORMASTER_LOGS_ENDPOINT: setting({
    schema: httpsUrl().optional(),
    doc: 'Log Analytics query endpoint override, API version included (local stack: the simulated Log Analytics, https://127.0.0.1:8443/v1). Unset in Azure: https://api.loganalytics.io/v1.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
    localStackOnly: true,
  }),
  HARBORMASTER_DEV_CONNECT_TO: setting({
    schema: z
      .string()
      .regex(/^\s*(\*\.)?[A-Za-z0-9.-]+=[A-Za-z0-9.-]+:\d{1,5}\s*(,\s*(\*\.)?[A-Za-z0-9.-]+=[A-Za-z0-9.-]+:\d{1,5}\s*)*$/, {
        error: 'must be pattern=host:port[,pattern=host:port...] (pattern: a host name or *.suffix)',
      })
      .optional(),
    doc: 'Dev-only network seam, like curl --connect-to: connections for matching host names (e.g. "*.azurecr.io", the Container Apps environment domain) go to host:port instead, keeping Host and TLS name. Refused when running in Azure.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
    localStackOnly: true,
  }),
  HARBORMASTER_CA_CERT_PATH: setting({
    schema: text().optional(),
    doc: 'PEM file of an extra CA to trust for Azure and registry calls (local stack: the simulators\' CA). Relative paths resolve against the app root.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
    localStackOnly: true,
  }),
  HARBORMASTER_POLL_INTERVAL_MS: setting({
    schema: z.coerce.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).optional(),
    doc: 'Polling interval of long-running ARM operations, ms (local stack: short, so tests are quick). Unset: the SDK follows Retry-After.',
    required: false,
    secret: false,
    setBy: 'operator',
    readBy: 'app',
    localStackOnly: true,
  }),

  // ---- set by Azure itself ----
  AzureWebJobsScriptRoot: setting({
    schema: text().optional(),
    doc: 'Set by the Functions host: the app root (where host.json is). Relative HARBORMASTER_CONFIG_PATH values resolve against it.',
    required: false,
    secret: false,
    setBy: 'platform',
    readBy: 'app',
  }),
  WEBSITE_AUTH_ENABLED: setting({
    schema: z
      .string()
      .transform((value) => value.trim().toLowerCase() === 'true')
      .optional(),
    doc: 'Set by App Service when its authentication (Entra ID sign-in) runs in front of the app. Only then is the signed-in user\'s x-ms-client-principal header trusted: the platform removes any copy a client sends.',
    required: false,
    secret: false,
    setBy: 'platform',
    readBy: 'app',
  }),
  WEBSITE_INSTANCE_ID: setting({
    schema: text().optional(),
    doc: 'Set by Azure on every instance; its presence means "running in Azure", where the dev-only settings are refused.',
    required: false,
    secret: false,
    setBy: 'platform',
    readBy: 'app',
  }),
} as const;

export type SettingName = keyof typeof SETTING_DEFINITIONS;

export interface SettingCatalogEntry {
  readonly name: SettingName;
  readonly required: boolean;
  readonly requiredWhen?: string;
  readonly secret: boolean;
  readonly default?: string;
  readonly setBy: SettingSource;
  readonly readBy: SettingReader;
  readonly localStackOnly: boolean;
  readonly doc: string;
}

/** Every setting, for people and for consistency tests (infra sets them; local.settings lists them). */
export const SETTINGS_CATALOG: readonly SettingCatalogEntry[] = (Object.keys(SETTING_DEFINITIONS) as SettingName[]).map((name) => {
  const { doc, required, requiredWhen, secret: isSecret, default: fallback, setBy, readBy } = SETTING_DEFINITIONS[name];
  const localStackOnly = 'localStackOnly' in SETTING_DEFINITIONS[name];
  return {
    name,
    required,
    ...(requiredWhen ? { requiredWhen } : {}),
    secret: isSecret,
    ...(fallback !== undefined ? { default: fallback } : {}),
    setBy,
    readBy,
    localStackOnly,
    doc,
  };
});
