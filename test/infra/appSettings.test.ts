// Every setting Harbormaster's settings module reads (SETTINGS_CATALOG) is set by the Function app's Bicep, or is
// documented in infra/README.md as deliberately left unset; nothing the Bicep sets is unknown.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadBicepSources } from '../../scripts/lint-bicep';
import { SETTINGS_CATALOG, type SettingCatalogEntry } from '../../src/config/settings';
import { MAX_REQUEST_BODY_BYTES } from '../../src/config/settingsCatalog';
import { documentedUnsetSettings, extractAppSettingNames, INFRA_DIR } from './bicepModel';

const FUNCTION_APP = 'modules/functionApp.bicep';
const sources = loadBicepSources(INFRA_DIR);
const readme = readFileSync(path.join(INFRA_DIR, 'README.md'), 'utf8');

/** Settings read by the Functions host or Azure itself (App Service authentication), not by Harbormaster's settings module. */
const HOST_SETTINGS = new Set(['APPLICATIONINSIGHTS_AUTHENTICATION_STRING', 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID', 'WEBSITE_AUTH_AAD_ALLOWED_TENANTS']);

interface SettingsProblems {
  missing: string[];
  unknown: string[];
  localOnlyInAzure: string[];
  documentedButRequired: string[];
}

function checkSettings(functionAppBicep: string, catalog: readonly SettingCatalogEntry[], unsetDocumented: readonly string[]): SettingsProblems {
  const set = new Set(extractAppSettingNames(functionAppBicep));
  const names = new Set<string>(catalog.map((s) => s.name));
  const operatorSettings = catalog.filter((s) => s.setBy === 'operator' && !s.localStackOnly);
  return {
    missing: operatorSettings.filter((s) => !set.has(s.name) && !unsetDocumented.includes(s.name)).map((s) => s.name),
    unknown: [...set].filter((name) => !names.has(name) && !HOST_SETTINGS.has(name)),
    localOnlyInAzure: catalog.filter((s) => s.localStackOnly && set.has(s.name)).map((s) => s.name),
    // A setting with `requiredWhen` may be left unset when its condition is met otherwise (the table says how).
    documentedButRequired: catalog.filter((s) => unsetDocumented.includes(s.name) && s.required).map((s) => s.name),
  };
}

/** The literal value the Bicep gives an app setting; undefined when it sets none or not as a literal. */
function literalSetting(functionAppBicep: string, name: string): string | undefined {
  return new RegExp(`\\{\\s*name:\\s*'${name}'\\s*[\\n,]?\\s*value:\\s*'([^'\\n]*)'`).exec(functionAppBicep)?.[1];
}

const clean: SettingsProblems = { missing: [], unknown: [], localOnlyInAzure: [], documentedButRequired: [] };

describe('app settings: src/config/settingsCatalog.ts against infra/modules/functionApp.bicep', () => {
  const functionApp = sources.get(FUNCTION_APP) ?? '';
  const unset = documentedUnsetSettings(readme);

  it('finds the settings in both places', () => {
    expect(extractAppSettingNames(functionApp)).toEqual(expect.arrayContaining(['AzureWebJobsStorage__credential', 'DURABLE_TASK_HUB', 'WEBHOOK_SECRET_EVENTGRID']));
    expect(unset.length).toBeGreaterThan(0);
  });

  it('sets every operator setting or documents why not; sets nothing unknown or local-only', () => {
    expect(checkSettings(functionApp, SETTINGS_CATALOG, unset)).toEqual(clean);
  });

  it('puts secrets in Key Vault references, never literal values', () => {
    const secretNames = SETTINGS_CATALOG.filter((s) => s.secret).map((s) => s.name);
    for (const match of functionApp.matchAll(/\{\s*name:\s*'([A-Za-z0-9_]+)'\s*[\n,]?\s*value:\s*([^\n]*)/g)) {
      if (secretNames.includes(match[1] as never)) expect(match[2]).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=/);
    }
  });

  it('negative proof: removing a setting from the Bicep is reported', () => {
    const without = functionApp.replace(/^\s*\{ name: 'HARBORMASTER_BACKUP_JOB_NAME'[^\n]*\n/m, '');
    expect(without).not.toBe(functionApp);
    expect(checkSettings(without, SETTINGS_CATALOG, unset).missing).toEqual(['HARBORMASTER_BACKUP_JOB_NAME']);
  });

  it('negative proof: a new catalog setting the Bicep does not set is reported', () => {
    const extra: SettingCatalogEntry = { ...SETTINGS_CATALOG[0], name: 'HARBORMASTER_NEW_THING' as SettingCatalogEntry['name'], localStackOnly: false, setBy: 'operator' };
    expect(checkSettings(functionApp, [...SETTINGS_CATALOG, extra], unset).missing).toEqual(['HARBORMASTER_NEW_THING']);
  });

  it('negative proof: documenting a required setting as unset is reported', () => {
    const catalog = SETTINGS_CATALOG.map((s) => (s.name === unset[0] ? { ...s, required: true } : s));
    expect(checkSettings(functionApp, catalog, unset).documentedButRequired).toEqual([unset[0]]);
  });
});

describe('the Functions host body limit infra sets is the largest body a route reads', () => {
  const functionApp = sources.get(FUNCTION_APP) ?? '';

  it('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT in the Bicep is MAX_REQUEST_BODY_BYTES', () => {
    expect(literalSetting(functionApp, 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT')).toBe(String(MAX_REQUEST_BODY_BYTES));
  });

  it('negative proof: a different value in the Bicep is seen', () => {
    const changed = functionApp.replace(/(name: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', value: ')\d+'/, "$1104857600'");
    expect(changed).not.toBe(functionApp);
    expect(literalSetting(changed, 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT')).toBe('104857600');
  });
});
