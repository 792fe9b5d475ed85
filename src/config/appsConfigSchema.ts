/**
 * The apps configuration file (JSON), as a zod v4 schema. Every field carries a description so
 * the published JSON Schema (config/apps.schema.json, generated from this) documents itself in
 * editors. Objects are strict: a misspelt key is an error, not a silently ignored setting.
 *
 * Cross-references (an app's database and channels must exist, names are unique) are checked
 * on the whole document at the end, so each message can point at the exact field.
 */
import picomatch from 'picomatch';
import semver from 'semver';
import { z } from 'zod';
import { MONITOR_METRIC_NAMES, needsStable, parseCondition } from '../domain/analysis';
import { WEEKDAYS, isKnownTimeZone } from '../domain/schedule/deployWindow';
import { ncrontabProblem } from './ncrontab';

// ---------------------------------------------------------------- shared field types

const slug = (what: string) =>
  z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
      error: `must be a slug: 1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen`,
    })
    .describe(what);

const ncrontab = (what: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = ncrontabProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(what);

/** Key Vault secret names: 1-127 letters, digits and hyphens. */
const KEY_VAULT_SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;

/**
 * A field that must name a Key Vault secret, never hold the secret. A pasted connection string or
 * URL gets a message saying so (and, like every message here, never echoes the value).
 */
const keyVaultSecretName = (holds: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      if (looksLikeASecretValue(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be the NAME of a Key Vault secret that holds ${holds}, not the value itself: put the value in Key Vault and name the secret here`,
        });
      } else if (!KEY_VAULT_SECRET_NAME.test(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a Key Vault secret name: 1-127 letters, digits and hyphens' });
      }
    })
    .describe(`Name of the Key Vault secret (in HARBORMASTER_KEY_VAULT_URL's vault) that holds ${holds}. Never the value itself.`);

function looksLikeASecretValue(value: string): boolean {
  return (
    /password\s*=/i.test(value) ||
    /:\/\//.test(value) || // postgres://user:pass@host, https://hooks.slack.com/...
    /(^|;)\s*(host|server|user id|uid|pwd|accountkey|sharedaccesskey)\s*=/i.test(value) ||
    /[;=@]/.test(value)
  );
}

const seconds = (what: string, fallback: number, max: number) =>
  z.int().min(1).max(max).default(fallback).describe(`${what} (seconds; default ${fallback}).`);

const jobName = (what: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, { error: 'must be a Container Apps Job name: 2-32 lowercase letters, digits and hyphens, starting with a letter' })
    .describe(what);

const argumentArray = (what: string) =>
  z
    .array(z.string().min(1, { error: 'must not be empty' }))
    .min(1, { error: 'must have at least one element (the program to run)' })
    .describe(what);

// ---------------------------------------------------------------- image and tag policy

export const tagPolicySchema = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('exact').describe('Deploy only this tag (e.g. "stable"); each push of it is a new digest to deploy.'),
        tag: z
          .string()
          .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, { error: 'must be an OCI tag: letters, digits, _ . -, at most 128, not starting with . or -' })
          .describe('The tag.'),
      })
      .describe('One fixed tag.'),
    z
      .strictObject({
        kind: z.literal('glob').describe('Deploy tags matching a glob.'),
        pattern: z
          .string()
          .min(1)
          .superRefine((value, ctx) => {
            try {
              picomatch.makeRe(value);
            } catch (error) {
              ctx.addIssue({ code: 'custom', message: `is not a valid glob: ${(error as Error).message}` });
            }
          })
          .describe('Glob over tags, e.g. "main-*" or "release-[0-9]*".'),
      })
      .describe('Tags matching a glob pattern.'),
    z
      .strictObject({
        kind: z.literal('semver').describe('Deploy the highest tag satisfying a semver range.'),
        range: z
          .string()
          .min(1)
          .refine((value) => semver.validRange(value) !== null, { error: 'is not a valid semver range (e.g. "^4.1.0" or ">=1.2.0 <2")' })
          .describe('Semver range, e.g. "^4.1.0". A leading "v" in tags is accepted.'),
        allowPrerelease: z.boolean().default(false).describe('Whether prerelease tags (1.2.0-rc.1) count (default false).'),
      })
      .describe('Tags that are semver versions within a range.'),
  ])
  .describe('Which pushed tags are deployed.');

export const imageSchema = z
  .strictObject({
    registry: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/, {
        error: 'must be a registry login server host name, e.g. myacr.azurecr.io (no scheme, no path)',
      })
      .describe('Registry login server, e.g. "myacr.azurecr.io" or "ghcr.io".'),
    repository: z
      .string()
      .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, {
        error: 'must be a repository path: lowercase letters, digits and separators, e.g. "team/web"',
      })
      .describe('Repository within the registry, e.g. "sound-forge" or "org/app".'),
    tagPolicy: tagPolicySchema,
    platform: z
      .string()
      .regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, { error: 'must be os/architecture[/variant], e.g. "linux/amd64"' })
      .default('linux/amd64')
      .describe('Platform the image must provide; a manifest list without it is rejected (default "linux/amd64", as Container Apps runs).'),
    maxSizeBytes: z.int().positive().optional().describe('Reject images larger than this (compressed layers plus config, bytes). Unset: no limit.'),
  })
  .describe('The image Harbormaster watches for this app.');

// ---------------------------------------------------------------- per-app policies

export const migrationSchema = z
  .strictObject({
    jobName: jobName('Container Apps Job (same subscription and resource group as the app) that runs migrations with the new image.'),
    command: argumentArray('The migration command as an argument array (no shell), e.g. ["/app/bin/migrate"].'),
    timeoutSeconds: seconds('How long the migration may run before the deployment fails', 600, 86_400),
    rollback: z
      .enum(['keep-schema', 'down', 'block'])
      .default('keep-schema')
      .describe(
        'What a rollback across this migration does: "keep-schema" (default; the older release runs on the newer schema, the expand/contract rule), "down" (run downCommand with the newer image after traffic moved back, once per release), "block" (refuse a manual rollback across the migration unless forced).',
      ),
    downCommand: argumentArray('The down migration as an argument array, run by the migration job with the newer image; required when rollback is "down".').optional(),
  })
  .superRefine((migration, ctx) => {
    if (migration.rollback === 'down' && !migration.downCommand) {
      ctx.addIssue({ code: 'custom', path: ['downCommand'], message: 'is required when rollback is "down"' });
    }
  })
  .describe('Database migration run before traffic moves; a failed or timed-out migration stops the deployment.');

export const healthPolicySchema = z
  .strictObject({
    path: z.string().regex(/^\/\S*$/, { error: 'must be a path starting with "/"' }).default('/health').describe('Health endpoint path on the revision (default "/health").'),
    intervalSeconds: seconds('Time between health checks', 10, 3_600),
    timeoutSeconds: seconds('Timeout of one health check', 5, 600),
    successThreshold: z.int().min(1).max(100).default(3).describe('Consecutive successes for a revision to count as healthy (default 3).'),
    failureThreshold: z.int().min(1).max(100).default(3).describe('Consecutive failures for a revision to count as unhealthy (default 3).'),
    degradedIsHealthy: z.boolean().default(false).describe('Whether a "degraded" status counts as healthy (default false).'),
    deadlineSeconds: seconds('How long a new revision has to become healthy, provisioning and cold start included', 600, 86_400),
    ingress: z
      .enum(['external', 'internal', 'none'])
      .default('external')
      .describe('The app\'s ingress: "internal" apps are judged by platform state unless their FQDN is reachable; "none" (workers) by platform state only (default "external").'),
    scaleToZero: z.boolean().default(false).describe('Whether the app scales to zero replicas; it is woken before health checks (default false).'),
  })
  .describe('How a revision\'s health is judged, during deployments and sweeps.');

export const deployStrategySchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('direct').describe('Replace the running revision; traffic moves at once.') }).describe('Direct.'),
    z
      .strictObject({
        kind: z.literal('blue-green').describe('New revision at 0 % until healthy, then 100 %; the previous stays active for fast rollback.'),
        keepPreviousMinutes: z.int().min(0).max(10_080).default(30).describe('How long the previous revision stays active after promotion (minutes; default 30).'),
      })
      .describe('Blue-green.'),
    z
      .strictObject({
        kind: z.literal('canary').describe('Traffic moves to the new revision in steps, with a health check at each.'),
        steps: z
          .array(z.int().min(1).max(100))
          .min(2, { error: 'must have at least two steps, e.g. [10, 50, 100]' })
          .superRefine((steps, ctx) => {
            for (let i = 1; i < steps.length; i++) {
              if (steps[i] <= steps[i - 1]) ctx.addIssue({ code: 'custom', path: [i], message: 'steps must be strictly ascending' });
            }
            if (steps.length > 0 && steps[steps.length - 1] !== 100) ctx.addIssue({ code: 'custom', message: 'the last step must be 100' });
          })
          .describe('Traffic percentages for the new revision, strictly ascending, ending at 100, e.g. [10, 50, 100].'),
        stepWaitSeconds: z.int().min(0).max(86_400).default(60).describe('How long each step must stay healthy before the next (seconds; default 60).'),
        keepPreviousMinutes: z.int().min(0).max(10_080).default(30).describe('How long the previous revision stays active after the last step (minutes; default 30).'),
      })
      .describe('Canary.'),
  ])
  .describe('How traffic moves to a new revision (default direct).');

export const approvalSchema = z
  .strictObject({
    required: z.boolean().default(false).describe('Whether a person must approve before traffic moves (default false).'),
    timeoutMinutes: z.int().min(1).max(10_080).default(60).describe('How long to wait for approval before the deployment is rejected (minutes; default 60).'),
  })
  .describe('Manual approval gate.');

// ---------------------------------------------------------------- analysis

const condition = (what: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const parsed = parseCondition(value);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
    })
    .describe(what);

export const monitorMetricProviderSchema = z
  .strictObject({
    kind: z.literal('monitor-metric').describe('Azure Monitor platform metrics of the container app, filtered to the revision.'),
    metric: z.enum(MONITOR_METRIC_NAMES as ['5xx-rate', ...Array<(typeof MONITOR_METRIC_NAMES)[number]>]).describe(
      'The figure: "5xx-rate" (5xx responses / requests, 0..1, from Requests by statusCodeCategory), "requests", "restarts" (RestartCount), "response-time-avg-ms" (ResponseTime; the platform offers no percentiles), "cpu-percent" or "memory-percent" (CpuPercentage / MemoryPercentage: the busiest replica\'s average over the window, 0..100 % of a replica\'s limit) or "replicas" (Replicas: the most running at once).',
    ),
    windowSeconds: z.int().min(5).max(86_400).default(300).describe('Length of the window each measurement reads (seconds; default 300). Monitor stores these metrics at one-minute grain: in Azure use whole minutes.'),
    ingestionDelaySeconds: z
      .int()
      .min(0)
      .max(3_600)
      .default(120)
      .describe('The window ends this long before the measurement, because Monitor ingests platform metrics a few minutes late (seconds; default 120).'),
    minRequests: z
      .int()
      .min(0)
      .default(20)
      .describe('For "5xx-rate" and "response-time-avg-ms": fewer requests than this in the window (on the new revision, and on the stable one when a condition compares with it) is inconclusive, not a pass (default 20).'),
  })
  .describe('monitor-metric provider.');

export const webProviderSchema = z
  .strictObject({
    kind: z.literal('web').describe('An HTTP GET answering JSON; one number picked out of it.'),
    url: z
      .string()
      .regex(/^https?:\/\/\S+$/, { error: 'must be an http(s) URL' })
      .describe(
        'URL to GET; "{{revisionFqdn}}" is replaced by the new revision\'s own host name, "{{stableRevisionFqdn}}" by the stable one\'s. A check whose condition names "stable" makes the GET a second time at once with "{{revisionFqdn}}" naming the stable revision.',
      ),
    jsonPath: z
      .string()
      .regex(/^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*)?$/, { error: 'must be a dotted path such as "data.errorRate" or "items.0.value" (empty: the whole answer)' })
      .default('')
      .describe('Dotted path to the number in the JSON answer (a boolean counts as 1 or 0).'),
    timeoutSeconds: seconds('Timeout of one try', 10, 120),
    retries: z.int().min(0).max(10).default(2).describe('Extra tries after a transport error, timeout, 429 or 5xx (default 2).'),
  })
  .describe('web provider.');

export const jobProviderSchema = z
  .strictObject({
    kind: z.literal('job').describe('A Container Apps Job run with the new release\'s image as a smoke test; the measured value is its exit status (0: success).'),
    jobName: jobName('Container Apps Job (same subscription and resource group as the app) that runs the smoke test.'),
    command: argumentArray('Replaces the job container\'s command for the run, as an argument array (no shell); unset: the job\'s own.').optional(),
    args: z.array(z.string()).optional().describe('Arguments for the command.'),
    timeoutSeconds: seconds('How long the run may take before it is stopped and the measurement counts as an error', 120, 3_600),
  })
  .describe('job provider. The run gets HARBORMASTER_REVISION and HARBORMASTER_REVISION_FQDN (the new revision\'s own host name) in its environment. Without conditions: "value == 0".');

export const logQueryProviderSchema = z
  .strictObject({
    kind: z.literal('log-query').describe('A KQL query over a Log Analytics workspace (Application Insights data included) returning one number.'),
    workspaceId: z.guid({ error: 'must be a Log Analytics workspace id (GUID)' }).describe('The workspace (customer) id.'),
    query: z
      .string()
      .min(1)
      .max(10_000)
      .describe('KQL; the first number of the first row is the value. "{{revision}}" is replaced by the revision measured (the new one, or the stable one for a comparison), e.g. "AppRequests | where AppRoleInstance startswith \'{{revision}}\' | summarize percentile(DurationMs, 95)".'),
    windowSeconds: z.int().min(5).max(86_400).default(300).describe('The query\'s time range (seconds; default 300), ending ingestionDelaySeconds before the measurement.'),
    ingestionDelaySeconds: z.int().min(0).max(3_600).default(180).describe('Log Analytics ingests records minutes late: the window ends this long before the measurement (seconds; default 180).'),
    timeoutSeconds: seconds('Server timeout of the query', 30, 600),
    minRequests: z
      .int()
      .min(1)
      .optional()
      .describe(
        'Fewer requests than this in the window (on the new revision, and on the stable one when a condition compares with it) is inconclusive, not a pass. The query returns the count in the column countColumn besides the value, e.g. "... | summarize p95 = percentile(DurationMs, 95), requests = count()". Unset: no minimum.',
      ),
    countColumn: z
      .string()
      .regex(/^[A-Za-z_]\w*$/, { error: 'must be a KQL column name' })
      .optional()
      .describe('The column holding the request count minRequests reads (default "requests"); the value is the first number of the first row in any other column.'),
  })
  .superRefine((provider, ctx) => {
    if (provider.countColumn !== undefined && provider.minRequests === undefined) {
      ctx.addIssue({ code: 'custom', path: ['countColumn'], message: 'names the count that minRequests reads: give minRequests too' });
    }
  })
  .describe('log-query provider.');

export const analysisCheckSchema = z
  .strictObject({
    name: slug('Name of the check, shown in the deployment record, e.g. "error-rate".'),
    provider: z.discriminatedUnion('kind', [monitorMetricProviderSchema, webProviderSchema, jobProviderSchema, logQueryProviderSchema]).describe('Where the measured value comes from.'),
    intervalSeconds: seconds('Time between measurements', 60, 86_400),
    count: z.int().min(1).max(1_000).optional().describe('Measurements per canary step (default 3); a bake measures every interval until it ends.'),
    durationSeconds: z.int().min(1).max(604_800).optional().describe('Instead of count: measure every interval for this long.'),
    successCondition: condition('Met: the measurement passes, e.g. "value <= 0.05" or "value <= stable + 0.01" (compared with the stable revision in the same window).').optional(),
    failureCondition: condition('Met: the measurement fails, e.g. "value > 0.1" or "value > stable * 1.2".').optional(),
    failureLimit: z.int().min(0).max(1_000).default(0).describe('Failed measurements tolerated; one more fails the check and rolls back (default 0).'),
    inconclusiveLimit: z
      .int()
      .min(0)
      .max(1_000)
      .default(0)
      .describe('Inconclusive measurements (no data yet, too little traffic, provider errors and timeouts) tolerated; one more makes the check inconclusive (default 0).'),
    background: z
      .boolean()
      .default(false)
      .describe('Measure every interval for the whole canary (first weight until promotion) alongside its steps instead of at each step; failed measurements beyond failureLimit abort the rollout at once (default false). Also measured during the bake.'),
  })
  .superRefine((check, ctx) => {
    if (check.successCondition === undefined && check.failureCondition === undefined && check.provider.kind !== 'job') {
      ctx.addIssue({ code: 'custom', path: ['successCondition'], message: 'a check needs a successCondition, a failureCondition or both' });
    }
    if (check.count !== undefined && check.durationSeconds !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['durationSeconds'], message: 'give count or durationSeconds, not both' });
    }
    if (check.provider.kind === 'job') {
      // A smoke test's exit status says whether the new revision passed; the stable revision runs no smoke test to compare with.
      for (const field of ['successCondition', 'failureCondition'] as const) {
        const text = check[field];
        if (text === undefined || 'error' in parseCondition(text) || !needsStable({ [field]: text })) continue;
        ctx.addIssue({ code: 'custom', path: [field], message: `a job check's value is its run's exit status and cannot be compared with "stable"; use a condition on value alone, e.g. "value == 0"` });
      }
    }
  })
  .describe('One analysis check.');

export const analysisSchema = z
  .strictObject({
    checks: z.array(analysisCheckSchema).default([]).describe('The checks; none: no analysis steps at all.'),
    canarySteps: z.boolean().default(true).describe('Run the checks after each canary step\'s wait (default true).'),
    bakeSeconds: z
      .int()
      .min(0)
      .max(86_400)
      .default(0)
      .describe('After promotion, keep measuring for this long with the previous revision still active; a failure rolls back to it (seconds; default 0, no bake).'),
    inconclusive: z
      .enum(['pause', 'fail'])
      .default('fail')
      .describe('An inconclusive check: "pause" waits for a person (the approve/reject API, within approval.timeoutMinutes), "fail" rolls back (default "fail").'),
  })
  .describe('Analysis: checks on real traffic at each canary step and during a post-promotion bake.');

// ---------------------------------------------------------------- hooks

const hookCommon = {
  name: slug('Name of the hook, shown in the deployment record, e.g. "smoke-test".'),
  phase: z
    .enum(['pre-traffic', 'post-promotion', 'on-rollback'])
    .describe('When it runs: "pre-traffic" (new revision healthy at 0 %, before any user traffic; a failure rolls back), "post-promotion" (serving everything, after the bake; recorded, never rolls back), "on-rollback" (after a failed deployment\'s traffic went back).'),
};

export const hookSchema = z
  .discriminatedUnion('kind', [
    z
      .strictObject({
        kind: z.literal('job').describe('A Container Apps Job run with the new release\'s image; success is exit 0.'),
        ...hookCommon,
        jobName: jobName('Container Apps Job (same subscription and resource group as the app).'),
        command: argumentArray('Replaces the job container\'s command, as an argument array (no shell); unset: the job\'s own.').optional(),
        args: z.array(z.string()).optional().describe('Arguments for the command.'),
        timeoutSeconds: seconds('How long the run may take before it is stopped and the hook fails', 300, 86_400),
      })
      .describe('Job hook: the run gets HARBORMASTER_APP, HARBORMASTER_RELEASE, HARBORMASTER_REVISION, HARBORMASTER_REVISION_FQDN, HARBORMASTER_PHASE in its environment.'),
    z
      .strictObject({
        kind: z.literal('http').describe('An HTTPS POST of the event as JSON (app, deploymentId, phase, hook, release, revision, revisionFqdn, previousRevision, reason); any 2xx passes.'),
        ...hookCommon,
        url: z
          .string()
          .regex(/^https?:\/\/\S+$/, { error: 'must be an http(s) URL' })
          .describe('URL to POST to; "{{revisionFqdn}}" is replaced by the new revision\'s own host name.'),
        secretName: keyVaultSecretName('the key that signs each body (X-Harbormaster-Signature-256: sha256=<HMAC-SHA256 hex>)').optional(),
        timeoutSeconds: seconds('Timeout of one try', 10, 300),
        retries: z.int().min(0).max(10).default(3).describe('Extra tries after a timeout, network error, 408, 429 or 5xx, with back-off honouring Retry-After (default 3).'),
      })
      .describe('HTTP hook.'),
  ])
  .describe('A hook: the app\'s own smoke test or call at a fixed point of the rollout.');

export const selfHealSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Restart the active revision when it stays unhealthy (default false).'),
    afterUnhealthySweeps: z.int().min(1).max(100).default(3).describe('Consecutive unhealthy sweeps before a restart (default 3).'),
    windowMinutes: z.int().min(1).max(10_080).default(60).describe('At most one restart per this many minutes (default 60).'),
  })
  .describe('Opt-in self-healing; never while a deployment of the app runs.');

export const maintenanceWindowSchema = z
  .strictObject({
    start: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. "2026-03-01T22:00:00Z"' }).describe('Start (ISO 8601 with time zone).'),
    end: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. "2026-03-02T02:00:00Z"' }).describe('End (ISO 8601 with time zone).'),
    reason: z.string().max(500).optional().describe('Why, shown in the status.'),
  })
  .superRefine((window, ctx) => {
    if (Date.parse(window.end) <= Date.parse(window.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  })
  .describe('A window in which the app\'s alerts are muted (its checks still run).');

// ---------------------------------------------------------------- deploy windows and freezes

const localTime = (what: string) =>
  z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a local time HH:MM (24 h), e.g. "09:00"' })
    .describe(what);

export const weeklyWindowSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS as ['mon', ...Array<(typeof WEEKDAYS)[number]>]))
      .min(1, { error: 'must name at least one day' })
      .describe('Days the window opens on: "mon" … "sun".'),
    start: localTime('When the window opens (local HH:MM in timeZone).'),
    end: localTime('When it closes (local HH:MM; at or before start: the next day).'),
  })
  .describe('Deploys allowed on these days between these local times.');

export const freezeSchema = z
  .strictObject({
    start: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. "2026-12-20T00:00:00+01:00"' }).describe('Start of the freeze (ISO 8601 with time zone).'),
    end: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone, e.g. "2027-01-04T00:00:00+01:00"' }).describe('End of the freeze (ISO 8601 with time zone).'),
    reason: z.string().min(1).max(500).describe('Why: pushes during the freeze are refused with it.'),
  })
  .superRefine((freeze, ctx) => {
    if (Date.parse(freeze.end) <= Date.parse(freeze.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  })
  .describe('A period in which nothing deploys (a manual deploy may override with a reason).');

export const deployWindowsSchema = z
  .strictObject({
    timeZone: z
      .string()
      .refine(isKnownTimeZone, { error: 'must be an IANA time zone, e.g. "Europe/Oslo" or "UTC"' })
      .default('UTC')
      .describe('IANA time zone the windows\' days and times are in (default "UTC").'),
    allow: z.array(weeklyWindowSchema).default([]).describe('Allowed windows; none: any time (freezes still apply). A push outside them waits until one opens.'),
    freezes: z.array(freezeSchema).default([]).describe('Freezes: a push during one is refused with its reason.'),
  })
  .describe('When deployments may go out. Automatic rollbacks are never held by a window.');

/** The default alert thresholds (DEFAULT_ALERT_THRESHOLDS in src/domain/health/judgeApp.ts has the same figures). */
export const alertThresholdsSchema = z
  .strictObject({
    errorRatePercent: z.number().gt(0).max(100).default(5).describe('Alert (critical) when 5xx responses exceed this share of requests over the window (percent; default 5).'),
    p95LatencyMs: z.int().min(1).default(5_000).describe('Alert (warning) when p95 response time exceeds this over the window (ms; default 5000).'),
    healthFailures: z.int().min(1).max(100).default(3).describe('Alert (critical) after this many consecutive failed health checks (default 3).'),
    memoryPercent: z.number().gt(0).max(100).default(85).describe('Alert (warning) when memory working set exceeds this share of the limit (percent; default 85).'),
    windowMinutes: z.int().min(1).max(1_440).default(5).describe('Window the rate and latency are computed over (minutes; default 5).'),
  })
  .describe('Alert thresholds for this app (defaults: 5xx above 5 %, p95 above 5 s, 3 failed health checks, memory above 85 %, over 5 minutes).');

export const managedAppSchema = z
  .strictObject({
    name: slug('Unique name of the app in Harbormaster (used in URLs and records), e.g. "sound-forge".'),
    containerApp: z
      .strictObject({
        subscriptionId: z.guid({ error: 'must be a subscription id (GUID)' }).describe('Subscription of the container app.'),
        resourceGroup: z
          .string()
          .regex(/^[-\w.()]{0,89}[-\w()]$/, { error: 'must be a resource group name: 1-90 letters, digits, - _ . ( ), not ending with "."' })
          .describe('Resource group of the container app.'),
        name: z
          .string()
          .regex(/^[a-z](?!.*--)[a-z0-9-]{0,30}[a-z0-9]$/, { error: 'must be a container app name: 2-32 lowercase letters, digits and single hyphens, starting with a letter' })
          .describe('Container app name.'),
        environment: z
          .string()
          .optional()
          .describe('Name of an entry in environments[]: the Container Apps environment the app runs in, whose deployment limit it shares.'),
        activeRevisionsMode: z
          .enum(['Single', 'Multiple'])
          .optional()
          .describe(
            'How the container app runs revisions in Azure (informational: each deployment reads it from Azure). Single has no 0 % revision: blue-green and canary become a swap, and the validator warns.',
          ),
      })
      .describe('The Azure Container App this entry deploys to.'),
    image: imageSchema,
    migration: migrationSchema.optional(),
    health: healthPolicySchema.prefault({}),
    strategy: deployStrategySchema.prefault({ kind: 'direct' }),
    database: z.string().optional().describe('Name of an entry in databases[]: backed up before each migration and on its schedule.'),
    approval: approvalSchema.prefault({}),
    analysis: analysisSchema.optional(),
    hooks: z.array(hookSchema).default([]).describe('Hooks run at fixed points of each rollout (none by default).'),
    notify: z.array(z.string()).default([]).describe('Names of entries in notifications[] told about this app\'s deployments and alerts.'),
    selfHeal: selfHealSchema.prefault({}),
    maintenanceWindows: z.array(maintenanceWindowSchema).default([]).describe('Windows in which alerts are muted.'),
    alerts: alertThresholdsSchema.prefault({}),
    publicBadge: z
      .boolean()
      .default(false)
      .describe('Serve GET /api/apps/{name}/badge.svg (serving release and health) to anyone, without signing in, e.g. for a README (default false: no badge, 404).'),
    deployWindows: deployWindowsSchema.optional(),
  })
  .describe('A container app Harbormaster deploys and watches.');

export const releaseGroupSchema = z
  .strictObject({
    name: slug('Unique name of the group (not an app\'s name), e.g. "media"; used in URLs and records.'),
    apps: z
      .array(z.string())
      .min(2, { error: 'must name at least two apps' })
      .describe('Member apps, in promotion order (e.g. the worker before the web app); rolled back in reverse order. They follow one image.'),
    deployWindows: deployWindowsSchema.optional(),
  })
  .describe('Apps that release together: one push, one deployment, one verify, backup and migration, all promoted or all rolled back.');

// ---------------------------------------------------------------- databases and channels

export const retentionSchema = z
  .strictObject({
    keepLast: z.int().min(1).max(1_000).default(7).describe('Always keep the newest N verified backups (default 7).'),
    daily: z.int().min(0).max(1_000).default(7).describe('Keep the newest backup of each of the last N days (default 7).'),
    weekly: z.int().min(0).max(1_000).default(4).describe('Keep the newest backup of each of the last N weeks (default 4).'),
    monthly: z.int().min(0).max(1_000).default(6).describe('Keep the newest backup of each of the last N months (default 6).'),
    preMigrationMinAgeDays: z.int().min(0).max(3_650).default(7).describe('Never delete a pre-migration backup younger than this (days; default 7).'),
  })
  .describe('Which backups are kept (grandfather-father-son); the newest verified backup is never deleted.');

export const databaseSchema = z
  .strictObject({
    name: slug('Unique name of the database in Harbormaster, referenced by apps[].database.'),
    connectionStringSecret: keyVaultSecretName('the PostgreSQL connection string'),
    serverMajorVersion: z.int().min(10).max(30).describe('PostgreSQL server major version (e.g. 16); the backup image carries a pg_dump at least this new.'),
    schedule: ncrontab('NCRONTAB schedule of backups (six fields, seconds first; default "0 0 2 * * *", daily at 02:00 UTC).').default('0 0 2 * * *'),
    retention: retentionSchema.prefault({}),
    drillSchedule: ncrontab('NCRONTAB schedule of restore drills into a scratch database (default "0 0 4 * * 0", Sundays at 04:00 UTC).').default('0 0 4 * * 0'),
  })
  .describe('A PostgreSQL database Harbormaster backs up.');

export const notificationChannelSchema = z
  .strictObject({
    name: slug('Unique name of the channel, referenced by apps[].notify.'),
    kind: z.enum(['teams', 'slack', 'webhook', 'pagerduty']).describe('Channel type: Teams or Slack incoming webhook, generic JSON webhook, or PagerDuty Events v2.'),
    urlSecret: keyVaultSecretName('the webhook URL (PagerDuty: the routing key)'),
    minSeverity: z.enum(['info', 'warning', 'critical']).default('info').describe('Least severe message sent to this channel (default "info").'),
  })
  .describe('Where notifications go.');

// ---------------------------------------------------------------- the document

export const appsConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this file\'s JSON Schema (editor completion), e.g. "./apps.schema.json".'),
    apps: z.array(managedAppSchema).describe('The container apps Harbormaster manages.'),
    databases: z.array(databaseSchema).default([]).describe('Databases Harbormaster backs up.'),
    notifications: z.array(notificationChannelSchema).default([]).describe('Notification channels.'),
    groups: z.array(releaseGroupSchema).optional().describe('Release groups: apps that release together (default none).'),
    deployWindows: deployWindowsSchema.optional().describe('Windows and freezes for every app (with each app\'s and group\'s own: all must allow).'),
    environments: z
      .array(
        z
          .strictObject({
            name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,59}$/, { error: 'must be a Container Apps environment name: letters, digits and hyphens' }).describe('The environment\'s name, referenced by apps[].containerApp.environment.'),
            maxConcurrentDeployments: z.int().min(1).max(100).describe('At most this many deployments of its apps run at once; the others wait (phase queued, step slot).'),
          })
          .describe('A Container Apps environment with a deployment limit.'),
      )
      .optional()
      .describe('Container Apps environments that limit how many deployments run at once (default none: no limit).'),
  })
  .superRefine((config, ctx) => {
    checkGroups(config, ctx);
    const environmentNames = (config.environments ?? []).map((e) => e.name);
    flagDuplicates(environmentNames, 'environments', 'name', 'environment', ctx);
    config.apps.forEach((app, i) => {
      const environment = app.containerApp.environment;
      if (environment !== undefined && !environmentNames.includes(environment)) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'containerApp', 'environment'], message: `names environment "${environment}", which is not in environments[] (${known(environmentNames)})` });
      }
    });
    flagDuplicates(config.apps.map((a) => a.name), 'apps', 'name', 'app', ctx);
    flagDuplicates(config.databases.map((d) => d.name), 'databases', 'name', 'database', ctx);
    flagDuplicates(config.notifications.map((n) => n.name), 'notifications', 'name', 'notification channel', ctx);
    flagDuplicates(
      config.apps.map((a) => `${a.containerApp.subscriptionId.toLowerCase()}/${a.containerApp.resourceGroup.toLowerCase()}/${a.containerApp.name}`),
      'apps',
      'containerApp',
      'container app target (two entries would fight over it)',
      ctx,
    );
    const databaseNames = config.databases.map((d) => d.name);
    const channelNames = config.notifications.map((n) => n.name);
    config.apps.forEach((app, i) => {
      if (app.database !== undefined && !databaseNames.includes(app.database)) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'database'], message: `names database "${app.database}", which is not in databases[] (${known(databaseNames)})` });
      }
      app.notify.forEach((channel, j) => {
        if (!channelNames.includes(channel)) {
          ctx.addIssue({ code: 'custom', path: ['apps', i, 'notify', j], message: `names notification channel "${channel}", which is not in notifications[] (${known(channelNames)})` });
        }
      });
      const checkNames = (app.analysis?.checks ?? []).map((c) => c.name);
      checkNames.forEach((name, j) => {
        if (checkNames.indexOf(name) !== j) ctx.addIssue({ code: 'custom', path: ['apps', i, 'analysis', 'checks', j, 'name'], message: `duplicates check "${name}": each check name must be unique` });
      });
      const hookNames = app.hooks.map((h) => `${h.phase}/${h.name}`);
      hookNames.forEach((name, j) => {
        if (hookNames.indexOf(name) !== j) ctx.addIssue({ code: 'custom', path: ['apps', i, 'hooks', j, 'name'], message: `duplicates hook "${app.hooks[j].name}" of phase ${app.hooks[j].phase}: each hook name must be unique within its phase` });
      });
      if (app.health.deadlineSeconds < app.health.intervalSeconds * app.health.successThreshold) {
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'health', 'deadlineSeconds'],
          message: 'is shorter than intervalSeconds × successThreshold, so no revision could ever pass',
        });
      }
    });
  })
  .describe('Harbormaster apps configuration: the container apps it deploys, the databases it backs up, the channels it notifies.');

function checkGroups(config: { apps: Array<z.output<typeof managedAppSchema>>; groups?: Array<z.output<typeof releaseGroupSchema>> }, ctx: z.RefinementCtx): void {
  const groups = config.groups ?? [];
  flagDuplicates(groups.map((g) => g.name), 'groups', 'name', 'group', ctx);
  const appNames = config.apps.map((a) => a.name);
  const groupOf = new Map<string, string>();
  groups.forEach((group, i) => {
    if (appNames.includes(group.name)) ctx.addIssue({ code: 'custom', path: ['groups', i, 'name'], message: `is also an app's name: a group needs a name of its own` });
    const members: Array<z.output<typeof managedAppSchema>> = [];
    group.apps.forEach((name, j) => {
      const app = config.apps.find((a) => a.name === name);
      if (!app) return ctx.addIssue({ code: 'custom', path: ['groups', i, 'apps', j], message: `names app "${name}", which is not in apps[] (${known(appNames)})` });
      if (groupOf.has(name)) return ctx.addIssue({ code: 'custom', path: ['groups', i, 'apps', j], message: `"${name}" is already a member of group "${groupOf.get(name)}": an app belongs to at most one group` });
      groupOf.set(name, group.name);
      members.push(app);
    });
    const first = members[0];
    members.slice(1).forEach((app) => {
      const same = app.image.registry === first.image.registry && app.image.repository === first.image.repository && JSON.stringify(app.image.tagPolicy) === JSON.stringify(first.image.tagPolicy);
      if (!same) ctx.addIssue({ code: 'custom', path: ['groups', i, 'apps', group.apps.indexOf(app.name)], message: `"${app.name}" follows another image or tag policy than "${first.name}": a group's members release one image` });
    });
    const migrating = members.filter((a) => a.migration);
    if (migrating.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['groups', i, 'apps'], message: `${migrating.map((a) => a.name).join(' and ')} both declare a migration: a group has one database and one migration (declare it on one member)` });
    }
  });
}

function known(names: string[]): string {
  return names.length === 0 ? 'none are declared' : `declared: ${names.join(', ')}`;
}

function flagDuplicates(values: string[], list: string, field: string, what: string, ctx: z.RefinementCtx): void {
  const firstIndex = new Map<string, number>();
  values.forEach((value, i) => {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, i);
    else ctx.addIssue({ code: 'custom', path: [list, i, field], message: `duplicates ${list}[${first}].${field}: each ${what} must be unique` });
  });
}
