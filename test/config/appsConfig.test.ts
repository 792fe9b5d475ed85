import fs from 'node:fs';
import path from 'node:path';
import { ConfigurationError, appsConfigWarnings, loadAppsConfig, parseAppsConfig, type AppsConfig } from '../../src/config';
import { toDeploySpec } from '../../src/activities/deployment/toDeploySpec';
import { EXAMPLE_CONFIG, REPO_ROOT, exampleDocument, makeTempDir, writeTempConfig, type JsonDocument } from './configFiles';

const dir = makeTempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Loads a document through a real file and returns the ConfigurationError it raises. */
function errorFor(document: unknown): ConfigurationError {
  const file = writeTempConfig(document, dir);
  try {
    loadAppsConfig(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    const configError = error as ConfigurationError;
    expect(configError.source).toBe(file);
    expect(configError.message).toContain(file);
    return configError;
  }
  throw new Error('expected the configuration to be rejected');
}

function appByName(config: AppsConfig, name: string) {
  const app = config.apps.find((a) => a.name === name);
  if (!app) throw new Error(`no app ${name}`);
  return app;
}

describe('the example configuration', () => {
  const config = loadAppsConfig(EXAMPLE_CONFIG);

  it('loads and models every seed app', () => {
    expect(config.apps.map((a) => a.name)).toEqual(['sound-forge', 'grocery-planner-web', 'grocery-planner-ai', 'media-web', 'media-worker', 'rachel', 'raxol']);
    expect(config.databases.map((d) => d.name)).toEqual(['sound-forge-db', 'grocery-planner-db', 'media-db', 'rachel-db']);
    expect(config.notifications.map((n) => n.kind).sort()).toEqual(['pagerduty', 'slack', 'teams', 'webhook']);
  });

  it('keeps migrations as argument arrays (sound-forge eval is three arguments, no shell)', () => {
    expect(appByName(config, 'sound-forge').migration?.command).toEqual(['/app/bin/sound_forge', 'eval', 'SoundForge.Release.migrate()']);
    expect(appByName(config, 'raxol').migration?.command).toEqual(['/app/bin/migrate']);
  });

  it('models the grocery planner AI service: internal, scale to zero, degraded is healthy, long deadline', () => {
    const ai = appByName(config, 'grocery-planner-ai').health;
    expect(ai).toMatchObject({ ingress: 'internal', scaleToZero: true, degradedIsHealthy: true });
    expect(ai.deadlineSeconds).toBeGreaterThan(600);
  });

  it('runs the media web and worker from one image; the worker has no ingress', () => {
    const web = appByName(config, 'media-web');
    const worker = appByName(config, 'media-worker');
    expect(worker.image.registry + worker.image.repository).toBe(web.image.registry + web.image.repository);
    expect(worker.health.ingress).toBe('none');
    expect(worker.migration).toBeUndefined();
  });

  it('applies defaults: health, strategy, approval, alerts, retention, schedules', () => {
    const raxol = appByName(config, 'raxol');
    expect(raxol.health).toMatchObject({ path: '/health', intervalSeconds: 10, timeoutSeconds: 5, successThreshold: 3, failureThreshold: 3, degradedIsHealthy: false, ingress: 'external' });
    expect(raxol.approval).toEqual({ required: false, timeoutMinutes: 60 });
    expect(raxol.alerts).toEqual({ errorRatePercent: 5, p95LatencyMs: 5000, healthFailures: 3, memoryPercent: 85, windowMinutes: 5 });
    expect(raxol.selfHeal).toEqual({ enabled: false, afterUnhealthySweeps: 3, windowMinutes: 60 });
    expect(raxol.image.platform).toBe('linux/amd64');
    const media = config.databases.find((d) => d.name === 'media-db');
    expect(media).toMatchObject({ schedule: '0 0 2 * * *', drillSchedule: '0 0 4 * * 0', retention: { keepLast: 7, daily: 7, weekly: 4, monthly: 6, preMigrationMinAgeDays: 7 } });
    const sound = appByName(config, 'sound-forge');
    expect(sound.strategy).toEqual({ kind: 'blue-green', keepPreviousMinutes: 30 });
    expect(parseAppsConfig({ apps: [{ ...exampleDocument().apps[6], strategy: undefined, notify: [] }] }).apps[0].strategy).toEqual({ kind: 'direct' });
  });

  it('config/apps.json (the local demo) is valid too', () => {
    expect(() => loadAppsConfig(path.join(REPO_ROOT, 'config', 'apps.json'))).not.toThrow();
  });
});

describe('analysis', () => {
  it('applies the defaults that suit Monitor\'s one-minute grain, and a deployment carries them', () => {
    const doc = exampleDocument();
    doc.apps[1].analysis = { checks: [{ name: 'errors', provider: { kind: 'monitor-metric', metric: '5xx-rate' }, successCondition: 'value <= stable + 0.01' }], bakeSeconds: 600 };
    const app = appByName(parseAppsConfig(doc), doc.apps[1].name);
    expect(app.analysis).toMatchObject({ canarySteps: true, bakeSeconds: 600, inconclusive: 'fail' });
    expect(app.analysis?.checks[0]).toMatchObject({ intervalSeconds: 60, failureLimit: 0, inconclusiveLimit: 0, provider: { windowSeconds: 300, ingestionDelaySeconds: 120, minRequests: 20 } });
    expect(toDeploySpec(app).analysis?.checks[0].count).toBe(3);
  });

  it('a job check without conditions passes on exit 0; background checks and hooks are carried; an app without hooks carries none', () => {
    const doc = exampleDocument();
    doc.apps[1].analysis = { checks: [{ name: 'smoke', provider: { kind: 'job', jobName: 'smoke-job' }, background: true }] };
    doc.apps[1].hooks = [
      { kind: 'job', name: 'smoke', phase: 'pre-traffic', jobName: 'smoke-job', command: ['smoke-test'] },
      { kind: 'http', name: 'tell', phase: 'post-promotion', url: 'https://qa.example.com/hook', secretName: 'qa-hook-key' },
    ];
    const config = parseAppsConfig(doc);
    const spec = toDeploySpec(appByName(config, doc.apps[1].name));
    expect(spec.analysis?.checks[0]).toMatchObject({ successCondition: 'value == 0', background: true, provider: { kind: 'job', timeoutSeconds: 120 } });
    expect(spec.hooks).toEqual([
      { kind: 'job', name: 'smoke', phase: 'pre-traffic', jobName: 'smoke-job', command: ['smoke-test'], args: undefined, timeoutSeconds: 300 },
      { kind: 'http', name: 'tell', phase: 'post-promotion', url: 'https://qa.example.com/hook', secretName: 'qa-hook-key', timeoutSeconds: 10, retries: 3 },
    ]);
    expect(toDeploySpec(appByName(config, doc.apps[0].name))).not.toHaveProperty('hooks');
  });

  it('durationSeconds becomes a count of intervals; an app without checks carries no analysis at all', () => {
    const doc = exampleDocument();
    doc.apps[1].analysis = { checks: [{ name: 'errors', provider: { kind: 'web', url: 'https://{{revisionFqdn}}/stats' }, intervalSeconds: 30, durationSeconds: 100, failureCondition: 'value > 0' }] };
    doc.apps[0].analysis = { checks: [], bakeSeconds: 60 };
    const config = parseAppsConfig(doc);
    expect(toDeploySpec(appByName(config, doc.apps[1].name)).analysis?.checks[0].count).toBe(4);
    expect(toDeploySpec(appByName(config, doc.apps[0].name))).not.toHaveProperty('analysis');
    expect(toDeploySpec(appByName(config, doc.apps[2].name))).not.toHaveProperty('analysis');
  });
});

describe('an invalid configuration names the field and what is wrong', () => {
  it.each<[string, (doc: JsonDocument) => void, string, RegExp]>([
    ['missing field', (doc) => delete doc.apps[1].image.repository, 'apps[1].image.repository', /is required/],
    ['wrong type', (doc) => (doc.apps[1].health.failureThreshold = '3'), 'apps[1].health.failureThreshold', /expected number/],
    ['bad enum', (doc) => (doc.apps[2].health.ingress = 'public'), 'apps[2].health.ingress', /"external"\|"internal"\|"none"/],
    ['unknown strategy kind', (doc) => (doc.apps[0].strategy = { kind: 'rolling' }), 'apps[0].strategy.kind', /"direct", "blue-green", "canary"/],
    ['misspelt key', (doc) => (doc.apps[3].healht = {}), 'apps[3]', /Unrecognized key: "healht"/],
    ['five-field cron', (doc) => (doc.databases[0].schedule = '0 2 * * *'), 'databases[0].schedule', /six fields, seconds first/],
    ['impossible cron value', (doc) => (doc.databases[1].drillSchedule = '0 61 * * * *'), 'databases[1].drillSchedule', /not a valid NCRONTAB/],
    ['canary steps not ending at 100', (doc) => (doc.apps[1].strategy.steps = [10, 50, 90]), 'apps[1].strategy.steps', /last step must be 100/],
    ['canary steps not ascending', (doc) => (doc.apps[1].strategy.steps = [50, 10, 100]), 'apps[1].strategy.steps[1]', /strictly ascending/],
    ['empty migration command', (doc) => (doc.apps[0].migration.command = []), 'apps[0].migration.command', /at least one element/],
    ['bad semver range', (doc) => (doc.apps[0].image.tagPolicy.range = 'four-ish'), 'apps[0].image.tagPolicy.range', /semver range/],
    ['registry with a scheme', (doc) => (doc.apps[0].image.registry = 'https://sfaregistry.azurecr.io'), 'apps[0].image.registry', /login server/],
    ['subscription that is not a GUID', (doc) => (doc.apps[0].containerApp.subscriptionId = 'my-sub'), 'apps[0].containerApp.subscriptionId', /GUID/],
    ['maintenance window ending before it starts', (doc) => (doc.apps[5].maintenanceWindows[0].end = '2026-03-01T21:00:00Z'), 'apps[5].maintenanceWindows[0].end', /after start/],
    ['analysis condition that is code, not a comparison', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'errors', provider: { kind: 'monitor-metric', metric: '5xx-rate' }, successCondition: 'result[0] <= 0.05' }] }), 'apps[1].analysis.checks[0].successCondition', /must read "value <op> <number>"/],
    ['analysis check without a condition', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'errors', provider: { kind: 'monitor-metric', metric: '5xx-rate' } }] }), 'apps[1].analysis.checks[0].successCondition', /needs a successCondition, a failureCondition or both/],
    ['analysis check with count and duration', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'errors', provider: { kind: 'monitor-metric', metric: '5xx-rate' }, count: 3, durationSeconds: 60, failureCondition: 'value > 0.1' }] }), 'apps[1].analysis.checks[0].durationSeconds', /count or durationSeconds, not both/],
    ['unknown analysis provider', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'errors', provider: { kind: 'prometheus' }, failureCondition: 'value > 0.1' }] }), 'apps[1].analysis.checks[0].provider.kind', /"monitor-metric", "web", "job", "log-query"/],
    ['log-query without a workspace', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'p95', provider: { kind: 'log-query', query: 'AppRequests | summarize count()' }, failureCondition: 'value > 0.1' }] }), 'apps[1].analysis.checks[0].provider.workspaceId', /must be a Log Analytics workspace id/],
    ['hook of an unknown phase', (doc) => (doc.apps[1].hooks = [{ kind: 'http', name: 'tell', phase: 'pre-rollout', url: 'https://qa.example.com/hook' }]), 'apps[1].hooks[0].phase', /"pre-traffic"\|"post-promotion"\|"on-rollback"/],
    ['hook signing key given as its value', (doc) => (doc.apps[1].hooks = [{ kind: 'http', name: 'tell', phase: 'post-promotion', url: 'https://qa.example.com/hook', secretName: 'https://vault/key=abc' }]), 'apps[1].hooks[0].secretName', /NAME of a Key Vault secret/],
    ['job hook without its job', (doc) => (doc.apps[1].hooks = [{ kind: 'job', name: 'smoke', phase: 'pre-traffic' }]), 'apps[1].hooks[0].jobName', /is required/],
    ['two hooks of one name in one phase', (doc) => (doc.apps[1].hooks = [1, 2].map(() => ({ kind: 'job', name: 'smoke', phase: 'pre-traffic', jobName: 'smoke-job' }))), 'apps[1].hooks[1].name', /duplicates hook "smoke" of phase pre-traffic/],
    ['unknown Monitor figure', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'cpu', provider: { kind: 'monitor-metric', metric: 'cpu' }, failureCondition: 'value > 90' }] }), 'apps[1].analysis.checks[0].provider.metric', /"5xx-rate"/],
    ['job check compared with the stable revision (it runs no smoke test)', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'smoke', provider: { kind: 'job', jobName: 'smoke-job' }, failureCondition: 'value > stable' }] }), 'apps[1].analysis.checks[0].failureCondition', /a job check's value is its run's exit status and cannot be compared with "stable"/],
    ['log-query count column without minRequests', (doc) => (doc.apps[1].analysis = { checks: [{ name: 'p95', provider: { kind: 'log-query', workspaceId: '6f1e8b7a-1c2d-4e3f-8a9b-0c1d2e3f4a5b', query: 'AppRequests | summarize count()', countColumn: 'n' }, failureCondition: 'value > 0.1' }] }), 'apps[1].analysis.checks[0].provider.countColumn', /give minRequests too/],
    ['two analysis checks of one name', (doc) => (doc.apps[1].analysis = { checks: [1, 2].map(() => ({ name: 'errors', provider: { kind: 'monitor-metric', metric: '5xx-rate' }, failureCondition: 'value > 0.1' })) }), 'apps[1].analysis.checks[1].name', /duplicates check "errors"/],
  ])('%s', (_label, mutate, fieldPath, what) => {
    const doc = exampleDocument();
    mutate(doc);
    const error = errorFor(doc);
    const problem = error.problems.find((p) => p.path === fieldPath);
    expect(problem).toBeDefined();
    expect(problem?.message).toMatch(what);
    expect(error.message).toContain(`${fieldPath}: `);
  });

  it('reports every problem, not just the first', () => {
    const doc = exampleDocument();
    delete doc.apps[0].name;
    doc.apps[4].health.timeoutSeconds = -1;
    doc.notifications[0].kind = 'email';
    const error = errorFor(doc);
    expect(error.problems.map((p) => p.path)).toEqual(['apps[0].name', 'apps[4].health.timeoutSeconds', 'notifications[0].kind']);
    expect(error.message).toMatch(/\(3 problems\)/);
  });

  it.each<[string, (doc: JsonDocument) => void, string, RegExp]>([
    ['unknown database reference', (doc) => (doc.apps[0].database = 'sound-forge-database'), 'apps[0].database', /"sound-forge-database", which is not in databases\[\] \(declared: sound-forge-db, /],
    ['unknown notification channel', (doc) => doc.apps[1].notify.push('email-oncall'), 'apps[1].notify[2]', /not in notifications\[\]/],
    ['duplicate app names', (doc) => (doc.apps[6].name = 'rachel'), 'apps[6].name', /duplicates apps\[5\]\.name/],
    ['duplicate database names', (doc) => (doc.databases[2].name = 'sound-forge-db'), 'databases[2].name', /duplicates databases\[0\]\.name/],
    ['two entries for one container app', (doc) => (doc.apps[4].containerApp = { ...doc.apps[3].containerApp }), 'apps[4].containerApp', /two entries would fight/],
    ['a deadline no revision can meet', (doc) => (doc.apps[5].health.deadlineSeconds = 30), 'apps[5].health.deadlineSeconds', /could ever pass/],
  ])('cross-reference: %s', (_label, mutate, fieldPath, what) => {
    const doc = exampleDocument();
    mutate(doc);
    const problem = errorFor(doc).problems.find((p) => p.path === fieldPath);
    expect(problem?.message).toMatch(what);
  });

  it.each([
    ['a PostgreSQL URL', 'postgres://app:s3cr3t-P4ss@db.example.com:5432/app'],
    ['a key=value connection string', 'Host=db.example.com;Username=app;Password=s3cr3t-P4ss'],
    ['libpq keywords', 'host=db user=app password=s3cr3t-P4ss dbname=app'],
  ])('a connection string where a secret name belongs (%s) is rejected without echoing it', (_label, value) => {
    const doc = exampleDocument();
    doc.databases[0].connectionStringSecret = value;
    const error = errorFor(doc);
    expect(error.problems).toEqual([{ path: 'databases[0].connectionStringSecret', message: expect.stringMatching(/NAME of a Key Vault secret/) }]);
    expect(error.message).not.toContain('s3cr3t');
  });

  it('a webhook URL where its secret name belongs is rejected', () => {
    const doc = exampleDocument();
    doc.notifications[1].urlSecret = 'https://hooks.slack.com/services/T000/B000/XXXXsecret';
    const error = errorFor(doc);
    expect(error.problems[0]).toMatchObject({ path: 'notifications[1].urlSecret', message: expect.stringMatching(/NAME of a Key Vault secret/) });
    expect(error.message).not.toContain('XXXXsecret');
  });

  it('invalid JSON: says so with line and column, without quoting the file', () => {
    const error = errorFor('{\n  "apps": [\n    { "name": "x", }\n  ]\n}\n');
    expect(error.message).toMatch(/not valid JSON: .* at line 3, column 20/);
  });

  it('invalid JSON near a pasted secret does not quote it', () => {
    const error = errorFor('{ "apps": [ Password=hunter2hunter2 ] }');
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).not.toContain('hunter2');
  });

  it('a missing file names the path and the setting', () => {
    const missing = path.join(dir, 'no-such-file.json');
    expect(() => loadAppsConfig(missing)).toThrow(ConfigurationError);
    expect(() => loadAppsConfig(missing)).toThrow(new RegExp(`${missing.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[\\s\\S]*does not exist[\\s\\S]*HARBORMASTER_CONFIG_PATH`));
  });

  it('accepts the $schema key and rejects a document without apps', () => {
    expect(parseAppsConfig({ $schema: './apps.schema.json', apps: [] }).apps).toEqual([]);
    expect(() => parseAppsConfig({})).toThrow(/apps: is required/);
  });
});

describe('release groups and deploy windows', () => {
  const window = { timeZone: 'Europe/Oslo', allow: [{ days: ['mon', 'tue', 'wed', 'thu'], start: '09:00', end: '16:00' }] };

  it('the shipped configuration releases media-worker and media-web as one group and holds the Grocery Planner pair to a window', () => {
    const shipped = loadAppsConfig(path.join(REPO_ROOT, 'config', 'apps.json'));
    expect(shipped.groups).toEqual([{ name: 'media', apps: ['media-worker', 'media-web'] }]);
    for (const name of ['grocery-planner-web', 'grocery-planner-ai']) expect(appByName(shipped, name).deployWindows).toMatchObject({ timeZone: 'Europe/Oslo', allow: [window.allow[0]], freezes: [] });
  });

  it('accepts a group, windows per app, per group and global, and freezes', () => {
    const doc = exampleDocument();
    doc.groups = [{ name: 'media', apps: ['media-worker', 'media-web'], deployWindows: window }];
    doc.apps[1].deployWindows = { ...window, freezes: [{ start: '2026-12-21T00:00:00+01:00', end: '2027-01-04T00:00:00+01:00', reason: 'holidays' }] };
    doc.deployWindows = { allow: [{ days: ['fri'], start: '22:00', end: '02:00' }] };
    const config = parseAppsConfig(doc);
    expect(config.groups?.[0].deployWindows).toMatchObject({ timeZone: 'Europe/Oslo', freezes: [] });
    expect(config.deployWindows).toMatchObject({ timeZone: 'UTC' });
  });

  it.each([
    ['an unknown member', (doc: JsonDocument) => (doc.groups = [{ name: 'media', apps: ['media-worker', 'media-api'] }]), 'groups[0].apps[1]', /names app "media-api", which is not in apps\[\]/],
    ['an app in two groups', (doc: JsonDocument) => (doc.groups = [{ name: 'media', apps: ['media-worker', 'media-web'] }, { name: 'more', apps: ['media-web', 'rachel'] }]), 'groups[1].apps[0]', /already a member of group "media"/],
    ['a group named like an app', (doc: JsonDocument) => (doc.groups = [{ name: 'media-web', apps: ['media-worker', 'media-web'] }]), 'groups[0].name', /also an app's name/],
    ['members following different images', (doc: JsonDocument) => (doc.groups = [{ name: 'pair', apps: ['media-web', 'rachel'] }]), 'groups[0].apps[1]', /another image or tag policy/],
    ['a group of one', (doc: JsonDocument) => (doc.groups = [{ name: 'media', apps: ['media-web'] }]), 'groups[0].apps', /at least two apps/],
    ['two migrations in one group', (doc: JsonDocument) => {
      doc.apps[4].migration = { jobName: 'media-migrate-two', command: ['/app/bin/migrate'] };
      doc.groups = [{ name: 'media', apps: ['media-worker', 'media-web'] }];
    }, 'groups[0].apps', /both declare a migration/],
    ['an unknown time zone', (doc: JsonDocument) => (doc.apps[1].deployWindows = { ...window, timeZone: 'Europe/Atlantis' }), 'apps[1].deployWindows.timeZone', /IANA time zone/],
    ['a time that is not HH:MM', (doc: JsonDocument) => (doc.apps[1].deployWindows = { allow: [{ days: ['mon'], start: '9am', end: '16:00' }] }), 'apps[1].deployWindows.allow[0].start', /HH:MM/],
    ['an unknown day', (doc: JsonDocument) => (doc.apps[1].deployWindows = { allow: [{ days: ['monday'], start: '09:00', end: '16:00' }] }), 'apps[1].deployWindows.allow[0].days[0]', /mon/],
    ['a freeze ending before it starts', (doc: JsonDocument) => (doc.deployWindows = { freezes: [{ start: '2027-01-04T00:00:00Z', end: '2026-12-21T00:00:00Z', reason: 'x' }] }), 'deployWindows.freezes[0].end', /after start/],
    ['an app in an undeclared environment', (doc: JsonDocument) => (doc.apps[0].containerApp.environment = 'prod-env'), 'apps[0].containerApp.environment', /names environment "prod-env", which is not in environments\[\]/],
    ['an environment without a limit', (doc: JsonDocument) => (doc.environments = [{ name: 'prod-env' }]), 'environments[0].maxConcurrentDeployments', /required/],
    ['a freeze without a reason', (doc: JsonDocument) => (doc.deployWindows = { freezes: [{ start: '2026-12-21T00:00:00Z', end: '2027-01-04T00:00:00Z' }] }), 'deployWindows.freezes[0].reason', /required/],
  ])('refuses %s, naming the field', (_what, breakIt, fieldPath, message) => {
    const doc = exampleDocument();
    breakIt(doc);
    const problem = errorFor(doc).problems.find((p) => p.path === fieldPath);
    expect(problem).toBeDefined();
    expect(problem!.message).toMatch(message);
  });

  it('warns, without refusing, when blue-green or canary is set on a single-revision app', () => {
    const doc = exampleDocument();
    doc.apps[0].containerApp.activeRevisionsMode = 'Single';
    doc.apps[4].containerApp.activeRevisionsMode = 'Single';
    const config = parseAppsConfig(doc);
    const warnings = appsConfigWarnings(config);
    expect(warnings).toEqual([{ path: 'apps[0].strategy.kind', message: expect.stringMatching(/is "blue-green" but sound-forge runs in single-revision mode: there is no 0 % revision/) }]);
    expect(appsConfigWarnings(loadAppsConfig(path.join(REPO_ROOT, 'config', 'apps.json')))).toEqual([]);
  });
});
