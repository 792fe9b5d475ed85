import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigurationError, SETTINGS_CATALOG, readSettings, checkSettingsAgainstApps, loadAppsConfig, type Settings } from '../../src/config';
import { EXAMPLE_CONFIG, REPO_ROOT } from './configFiles';

const STORAGE = { AzureWebJobsStorage: 'UseDevelopmentStorage=true' };
const A_SECRET = 'webhook-secret-value-0123456789';

function problemsOf(env: Record<string, string>): Array<{ path: string; message: string }> {
  try {
    readSettings(env, { appRoot: '/srv/app' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return [...(error as ConfigurationError).problems];
  }
  throw new Error('expected the settings to be rejected');
}

describe('readSettings', () => {
  it('applies the defaults with only storage set', () => {
    const settings = readSettings(STORAGE, { appRoot: '/srv/app' });
    expect(settings).toMatchObject({
      appRoot: '/srv/app',
      configPath: '/srv/app/config/apps.json',
      reconcileSchedule: '0 */5 * * * *',
      sweepSchedule: '0 */5 * * * *',
      sweepConcurrency: 16,
      alertReminderMinutes: 60,
      backup: { container: 'backups' },
      credential: 'managed-identity',
      durableTaskHub: 'harbormaster',
      logLevel: 'info',
      webhookSecrets: {},
      runningInAzure: false,
    });
    expect(settings.backup.job).toBeUndefined();
    expect(settings.keyVaultUrl).toBeUndefined();
    expect(settings.storage.kind).toBe('connectionString');
  });

  it('resolves relative paths against AzureWebJobsScriptRoot (the app root in Azure); absolute ones stay', () => {
    const relative = readSettings({ ...STORAGE, AzureWebJobsScriptRoot: '/home/site/wwwroot', HARBORMASTER_CONFIG_PATH: 'cfg/prod.json', HARBORMASTER_CA_CERT_PATH: 'ca.pem' });
    expect(relative.configPath).toBe('/home/site/wwwroot/cfg/prod.json');
    expect(relative.localStack.caCertPath).toBe('/home/site/wwwroot/ca.pem');
    expect(readSettings({ ...STORAGE, HARBORMASTER_CONFIG_PATH: '/etc/hm/apps.json' }).configPath).toBe('/etc/hm/apps.json');
  });

  it('finds the app root (the folder holding host.json) by default', () => {
    expect(readSettings(STORAGE).configPath).toBe(path.join(REPO_ROOT, 'config', 'apps.json'));
    expect(fs.existsSync(path.join(REPO_ROOT, 'host.json'))).toBe(true);
  });

  it('treats blank settings as unset', () => {
    expect(readSettings({ ...STORAGE, HARBORMASTER_SWEEP_SCHEDULE: '  ', AZURE_CLIENT_ID: '' }).sweepSchedule).toBe('0 */5 * * * *');
  });

  it('derives identity-based storage endpoints from the account name, with the client id', () => {
    const settings = readSettings({ AzureWebJobsStorage__accountName: 'hmstate', AzureWebJobsStorage__credential: 'managedidentity', AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555' });
    expect(settings.storage).toEqual({
      kind: 'identity',
      blobServiceUri: 'https://hmstate.blob.core.windows.net',
      queueServiceUri: 'https://hmstate.queue.core.windows.net',
      tableServiceUri: 'https://hmstate.table.core.windows.net',
      clientId: '11111111-2222-3333-4444-555555555555',
    });
  });

  it('parses every typed value', () => {
    const settings: Settings = readSettings({
      ...STORAGE,
      HARBORMASTER_SWEEP_CONCURRENCY: '40',
      HARBORMASTER_KEY_VAULT_URL: 'https://hm-kv.vault.azure.net',
      HARBORMASTER_BACKUP_JOB_NAME: 'hm-backup',
      HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP: 'hm-rg',
      HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID: '6b1f3c2e-4d5a-4e8b-9c7d-2a1b3c4d5e6f',
      HARBORMASTER_POLL_INTERVAL_MS: '250',
      HARBORMASTER_DEV_CONNECT_TO: '*.azurecr.io=127.0.0.1:8443,*.azurecontainerapps.io=127.0.0.1:8444',
      WEBHOOK_SECRET_GHCR: A_SECRET,
    });
    expect(settings.sweepConcurrency).toBe(40);
    expect(settings.backup.job).toEqual({ subscriptionId: '6b1f3c2e-4d5a-4e8b-9c7d-2a1b3c4d5e6f', resourceGroup: 'hm-rg', name: 'hm-backup' });
    expect(settings.localStack.pollIntervalMs).toBe(250);
    expect(settings.webhookSecrets.ghcr?.reveal()).toBe(A_SECRET);
    expect(settings.webhookSecrets.acr).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['no storage at all', {}, 'AzureWebJobsStorage', /is required/],
    ['connection string and identity together', { ...STORAGE, AzureWebJobsStorage__accountName: 'hmstate' }, 'AzureWebJobsStorage', /one or the other/],
    ['identity URIs incomplete', { AzureWebJobsStorage__blobServiceUri: 'https://a.blob.core.windows.net' }, 'AzureWebJobsStorage__tableServiceUri', /is required/],
    ['five-field schedule', { ...STORAGE, HARBORMASTER_RECONCILE_SCHEDULE: '*/5 * * * *' }, 'HARBORMASTER_RECONCILE_SCHEDULE', /six fields/],
    ['not a number', { ...STORAGE, HARBORMASTER_SWEEP_CONCURRENCY: 'many' }, 'HARBORMASTER_SWEEP_CONCURRENCY', /whole number/],
    ['zero', { ...STORAGE, HARBORMASTER_ALERT_REMINDER_MINUTES: '0' }, 'HARBORMASTER_ALERT_REMINDER_MINUTES', /at least 1/],
    ['plain-http ARM endpoint', { ...STORAGE, HARBORMASTER_ARM_ENDPOINT: 'http://127.0.0.1:8443' }, 'HARBORMASTER_ARM_ENDPOINT', /https/],
    ['unknown credential', { ...STORAGE, HARBORMASTER_CREDENTIAL: 'password' }, 'HARBORMASTER_CREDENTIAL', /"managed-identity" or "local-dev"/],
    ['client id not a GUID', { ...STORAGE, AZURE_CLIENT_ID: 'my-identity' }, 'AZURE_CLIENT_ID', /GUID/],
    ['bad task hub', { ...STORAGE, DURABLE_TASK_HUB: 'hm-hub' }, 'DURABLE_TASK_HUB', /letters and digits/],
    ['bad connect-to rule', { ...STORAGE, HARBORMASTER_DEV_CONNECT_TO: '*.azurecr.io->127.0.0.1' }, 'HARBORMASTER_DEV_CONNECT_TO', /pattern=host:port/],
    ['half a backup job', { ...STORAGE, HARBORMASTER_BACKUP_JOB_NAME: 'hm-backup' }, 'HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP', /together/],
    ['local-dev credential in Azure', { ...STORAGE, HARBORMASTER_CREDENTIAL: 'local-dev', WEBSITE_INSTANCE_ID: 'abc123' }, 'HARBORMASTER_CREDENTIAL', /refused when running in Azure/],
    ['dev seam in Azure', { ...STORAGE, HARBORMASTER_DEV_CONNECT_TO: '*.azurecr.io=127.0.0.1:8443', WEBSITE_INSTANCE_ID: 'abc123' }, 'HARBORMASTER_DEV_CONNECT_TO', /dev-only/],
    ['unresolved Key Vault reference', { ...STORAGE, WEBHOOK_SECRET_ACR: '@Microsoft.KeyVault(SecretUri=https://hm.vault.azure.net/secrets/acr)' }, 'WEBHOOK_SECRET_ACR', /could not resolve/],
  ])('rejects %s, naming the setting', (_label, env, name, what) => {
    const problem = problemsOf(env).find((p) => p.path === name);
    expect(problem?.message).toMatch(what);
  });

  it('reports every bad setting at once', () => {
    const names = problemsOf({ ...STORAGE, HARBORMASTER_SWEEP_SCHEDULE: 'often', HARBORMASTER_LOG_LEVEL: 'loud', AZURE_CLIENT_ID: 'x' }).map((p) => p.path);
    expect(names.sort()).toEqual(['AZURE_CLIENT_ID', 'HARBORMASTER_LOG_LEVEL', 'HARBORMASTER_SWEEP_SCHEDULE']);
  });

  it('never puts a secret in an error, a string or a log line', () => {
    const tooShort = 'hunter2-pass';
    let message = '';
    try {
      readSettings({ AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0S2V5VmFsdWU=', AzureWebJobsStorage__accountName: 'a', WEBHOOK_SECRET_ACR: tooShort });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/WEBHOOK_SECRET_ACR: must be at least 16 characters long/);
    expect(message).not.toContain(tooShort);
    expect(message).not.toContain('c2VjcmV0S2V5VmFsdWU');

    const settings = readSettings({ AzureWebJobsStorage: 'AccountName=a;AccountKey=c2VjcmV0S2V5VmFsdWU=', WEBHOOK_SECRET_ACR: A_SECRET });
    for (const rendered of [JSON.stringify(settings), inspect(settings, { depth: 10 }), `${settings.webhookSecrets.acr}`, String(settings.storage.kind === 'connectionString' && settings.storage.connectionString)]) {
      expect(rendered).not.toContain(A_SECRET);
      expect(rendered).not.toContain('c2VjcmV0S2V5VmFsdWU');
    }
  });
});

describe('settings checked against the apps configuration', () => {
  const apps = loadAppsConfig(EXAMPLE_CONFIG);

  it('requires the Key Vault and the backup job once databases and channels are declared', () => {
    const settings = readSettings(STORAGE);
    expect(() => checkSettingsAgainstApps(settings, apps)).toThrow(ConfigurationError);
    try {
      checkSettingsAgainstApps(settings, apps);
    } catch (error) {
      expect((error as ConfigurationError).problems.map((p) => p.path)).toEqual(['HARBORMASTER_KEY_VAULT_URL', 'HARBORMASTER_BACKUP_JOB_NAME']);
    }
  });

  it('needs neither for a configuration without databases or channels', () => {
    expect(() => checkSettingsAgainstApps(readSettings(STORAGE), { apps: [], databases: [], notifications: [] })).not.toThrow();
  });
});

describe('SETTINGS_CATALOG', () => {
  it('lists each setting once, each with a doc', () => {
    const names = SETTINGS_CATALOG.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of SETTINGS_CATALOG) expect(entry.doc.length).toBeGreaterThan(20);
    expect(SETTINGS_CATALOG.filter((s) => s.secret).map((s) => s.name).sort()).toEqual(['AzureWebJobsStorage', 'WEBHOOK_SECRET_ACR', 'WEBHOOK_SECRET_DOCKERHUB', 'WEBHOOK_SECRET_EVENTGRID', 'WEBHOOK_SECRET_GHCR']);
    expect(SETTINGS_CATALOG.find((s) => s.name === 'HARBORMASTER_RECONCILE_SCHEDULE')?.default).toBe('0 */5 * * * *');
    expect(SETTINGS_CATALOG.filter((s) => s.localStackOnly).map((s) => s.name)).toContain('HARBORMASTER_ARM_ENDPOINT');
  });

  it('every operator setting appears in local.settings.example.json, which itself is valid', () => {
    const example = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'local.settings.example.json'), 'utf8')) as { IsEncrypted: boolean; Values: Record<string, string> };
    expect(example.IsEncrypted).toBe(false);
    const missing = SETTINGS_CATALOG.filter((s) => s.setBy === 'operator' && !(s.name in example.Values)).map((s) => s.name);
    expect(missing).toEqual([]);
    const platform = SETTINGS_CATALOG.filter((s) => s.setBy === 'platform' && s.name in example.Values).map((s) => s.name);
    expect(platform).toEqual([]);
    const settings = readSettings(example.Values);
    expect(() => checkSettingsAgainstApps(settings, loadAppsConfig(settings.configPath))).not.toThrow();
  });
});
