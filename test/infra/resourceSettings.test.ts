// Settings of single resources that decide whether a second `azd up` works, whether the
// deployment can be operated, and whether a compromised identity can destroy backups. Each check
// is a function of the Bicep text, so each negative proof feeds it the earlier shape.
import { loadBicepSources, objectProperties, parseBicep, propertyObject, type ParsedBicep } from '../../scripts/lint-bicep';
import { INFRA_DIR } from './bicepModel';

const sources = loadBicepSources(INFRA_DIR);
const text = (file: string) => sources.get(file) ?? '';
const edit = (file: string, from: string | RegExp, to: string) => {
  const before = text(file);
  const after = before.replace(from, to);
  expect(after).not.toBe(before);
  return after;
};

function param(parsed: ParsedBicep, name: string) {
  return parsed.params.find((p) => p.name === name);
}

function resourceBody(parsed: ParsedBicep, type: string): string | undefined {
  return parsed.declarations.find((d) => d.kind === 'resource' && !d.existing && d.target === type)?.body;
}

/** Key Vault: purge protection follows a parameter, and a soft-deleted vault can be recovered. */
function keyVaultProblems(moduleText: string, mainText: string): string[] {
  const problems: string[] = [];
  const vault = parseBicep(moduleText);
  const body = resourceBody(vault, 'Microsoft.KeyVault/vaults') ?? '';
  const fixed = /enablePurgeProtection:\s*(true|false)\s*\n/.exec(body);
  if (fixed || !/\bpurgeProtection\s*\?\s*\{\s*enablePurgeProtection:\s*true\s*\}/.test(body)) {
    problems.push(`enablePurgeProtection is fixed (${fixed?.[1] ?? 'unset'}), not a parameter`);
  }
  if (/enablePurgeProtection:\s*false|enablePurgeProtection:[^\n]*:\s*false/.test(body)) problems.push('enablePurgeProtection may be sent as false, which ARM refuses on a protected vault');
  if (!/createMode:[^\n]*'recover'/.test(body)) problems.push('no createMode recover: a soft-deleted vault of the same name blocks `azd up`');
  const main = parseBicep(mainText);
  if (param(main, 'keyVaultPurgeProtection')?.defaultText !== 'true') problems.push('main.bicep keyVaultPurgeProtection is not on by default');
  if (!param(main, 'keyVaultNameSalt')) problems.push('main.bicep has no keyVaultNameSalt');
  return problems;
}

/** Event Grid: a registry's existing system topic can be reused instead of creating a second. */
function topicReuseProblems(moduleText: string, mainText: string): string[] {
  const problems: string[] = [];
  const topic = parseBicep(moduleText);
  const created = topic.declarations.find((d) => d.kind === 'resource' && !d.existing && d.target === 'Microsoft.EventGrid/systemTopics');
  if (!created?.condition) problems.push('the system topic is always created');
  if (!param(topic, 'existingTopicName')) problems.push('no existingTopicName parameter');
  const call = parseBicep(mainText).declarations.find((d) => d.symbol === 'registryTopics');
  const passed = objectProperties(propertyObject(call?.body ?? '{}', 'params') ?? '{}');
  if (!/registryTopicNames/.test(passed.get('existingTopicName') ?? '')) problems.push('main.bicep does not pass registryTopicNames to the topic module');
  return problems;
}

/** Deletes of backups by a compromised identity can be undone by an operator. */
function backupProtectionProblems(storageText: string): string[] {
  const problems: string[] = [];
  const storage = parseBicep(storageText);
  const props = objectProperties(propertyObject(resourceBody(storage, 'Microsoft.Storage/storageAccounts/blobServices') ?? '{}', 'properties') ?? '{}');
  if (props.get('isVersioningEnabled') !== 'true') problems.push('blob versioning is off');
  if (!/enabled:\s*true/.test(props.get('deleteRetentionPolicy') ?? '')) problems.push('blob soft delete is off');
  if (/allowPermanentDelete:\s*true/.test(props.get('deleteRetentionPolicy') ?? '')) problems.push('permanent delete is allowed');
  if (!/enabled:\s*true/.test(props.get('containerDeleteRetentionPolicy') ?? '')) problems.push('container soft delete is off');
  return problems;
}

/** Diagnostic settings to Log Analytics on the resources whose logs the runbook needs. */
function diagnosticsProblems(files: ReadonlyMap<string, string>): string[] {
  const wanted: Array<[string, RegExp]> = [
    ['modules/keyVault.bicep', /categoryGroup:\s*'audit'|category:\s*'AuditEvent'/],
    ['modules/functionApp.bicep', /category:\s*'FunctionAppLogs'/],
    ['modules/registryEventsTopic.bicep', /category:\s*'DeliveryFailures'/],
  ];
  const problems: string[] = [];
  for (const [file, category] of wanted) {
    const parsed = parseBicep(files.get(file) ?? '');
    const settings = parsed.declarations.filter((d) => d.target === 'Microsoft.Insights/diagnosticSettings' && !d.existing);
    if (!settings.some((d) => /workspaceId:/.test(d.body) && category.test(d.body))) problems.push(`${file}: no diagnostic setting sending ${category.source} to Log Analytics`);
  }
  return problems;
}

/** Basic (user name and password) publishing credentials are off for SCM and FTP. */
function basicAuthProblems(functionAppText: string): string[] {
  const parsed = parseBicep(functionAppText);
  const policies = parsed.declarations.filter((d) => d.target === 'Microsoft.Web/sites/basicPublishingCredentialsPolicies');
  return ['scm', 'ftp']
    .filter((name) => !policies.some((d) => new RegExp(`name:\\s*'${name}'`).test(d.body) && /allow:\s*false/.test(d.body)))
    .map((name) => `${name} basic publishing credentials are not disabled`);
}

/** Durable Task Scheduler Dedicated needs a capacity; the Function app's instance cap allows small values. */
function scaleProblems(dtsText: string, functionAppText: string): string[] {
  const problems: string[] = [];
  const dts = parseBicep(dtsText);
  const sku = objectProperties(propertyObject(resourceBody(dts, 'Microsoft.DurableTask/schedulers') ?? '{}', 'properties') ?? '{}').get('sku') ?? '';
  if (!/capacity:/.test(sku)) problems.push('the scheduler SKU never carries a capacity (Dedicated requires one)');
  const cap = param(parseBicep(functionAppText), 'maximumInstanceCount');
  if (!cap?.decorators.includes('minValue')) problems.push('maximumInstanceCount has no lower bound');
  const min = /@minValue\((\d+)\)\s*@maxValue\(\d+\)\s*param maximumInstanceCount/.exec(functionAppText)?.[1];
  if (min !== '1') problems.push(`maximumInstanceCount minimum is ${min}, Flex Consumption accepts 1`);
  if (Number(cap?.defaultText) > 20) problems.push(`maximumInstanceCount defaults to ${cap?.defaultText}: too many concurrent writers to ARM`);
  return problems;
}

/** The backup job waits for its image-pull grant and for the Function app (minutes of propagation time). */
function backupJobOrderProblems(mainText: string): string[] {
  const job = parseBicep(mainText).declarations.find((d) => d.symbol === 'backupJob');
  const dependsOn = objectProperties(job?.body ?? '{}').get('dependsOn') ?? '';
  return ['backupRunnerPull', 'functionApp'].filter((symbol) => !new RegExp(`\\b${symbol}\\b`).test(dependsOn)).map((symbol) => `the backup job does not wait for ${symbol}`);
}

describe('resource settings', () => {
  it('the backup job is created after its pull grant and after the Function app', () => {
    expect(backupJobOrderProblems(text('main.bicep'))).toEqual([]);
    expect(backupJobOrderProblems(edit('main.bicep', 'dependsOn: [backupRunnerPull, functionApp]', 'dependsOn: [backupRunnerPull]'))).toEqual([
      'the backup job does not wait for functionApp',
    ]);
  });

  it('Key Vault: purge protection is a parameter (on by default), and recovery or a salted name are available', () => {
    expect(keyVaultProblems(text('modules/keyVault.bicep'), text('main.bicep'))).toEqual([]);
  });

  it('Event Grid: an existing system topic of a registry is reused when named', () => {
    expect(topicReuseProblems(text('modules/registryEventsTopic.bicep'), text('main.bicep'))).toEqual([]);
  });

  it('backups: versioning, blob and container soft delete; no permanent delete', () => {
    expect(backupProtectionProblems(text('modules/storage.bicep'))).toEqual([]);
  });

  it('operations: Key Vault audit, function logs and Event Grid delivery failures go to Log Analytics', () => {
    expect(diagnosticsProblems(sources)).toEqual([]);
  });

  it('operations: SCM and FTP basic publishing credentials are disabled', () => {
    expect(basicAuthProblems(text('modules/functionApp.bicep'))).toEqual([]);
  });

  it('scale: Dedicated scheduler capacity; instance cap from 1, small by default', () => {
    expect(scaleProblems(text('modules/durableTaskScheduler.bicep'), text('modules/functionApp.bicep'))).toEqual([]);
  });

  describe('negative proofs: the earlier shapes are reported', () => {
    it('a vault with purge protection fixed on and no recovery', () => {
      const vault = edit('modules/keyVault.bicep', /    createMode: [^\n]*\n([\s\S]*?)\}, purgeProtection [^\n]*\n/, '$1  enablePurgeProtection: true\n  }\n');
      expect(keyVaultProblems(vault, text('main.bicep'))).toEqual([
        'enablePurgeProtection is fixed (true), not a parameter',
        'no createMode recover: a soft-deleted vault of the same name blocks `azd up`',
      ]);
    });

    it('a topic that is always created', () => {
      const topic = edit('modules/registryEventsTopic.bicep', " = if (!adopt) {", ' = {');
      expect(topicReuseProblems(topic, text('main.bicep'))).toEqual(['the system topic is always created']);
    });

    it('a blob service with only 7 days of blob soft delete', () => {
      const storage = edit('modules/storage.bicep', /isVersioningEnabled: true\n[^\n]*\n[^\n]*containerDeleteRetentionPolicy[^\n]*\n/, 'deleteRetentionPolicy: { enabled: true, days: 7 }\n');
      expect(backupProtectionProblems(storage)).toEqual(['blob versioning is off', 'container soft delete is off']);
    });

    it('no diagnostic setting on the Function app', () => {
      const files = new Map(sources);
      files.set('modules/functionApp.bicep', edit('modules/functionApp.bicep', "{ category: 'FunctionAppLogs', enabled: true }", "{ category: 'Other', enabled: true }"));
      expect(diagnosticsProblems(files)).toEqual(["modules/functionApp.bicep: no diagnostic setting sending category:\\s*'FunctionAppLogs' to Log Analytics"]);
    });

    it('basic publishing credentials left on', () => {
      expect(basicAuthProblems(edit('modules/functionApp.bicep', /resource ftpBasicAuth[\s\S]*?\n\}\n/, ''))).toEqual(['ftp basic publishing credentials are not disabled']);
    });

    it('@minValue(40) and a default of 40', () => {
      const functionApp = edit('modules/functionApp.bicep', /@minValue\(1\)\n@maxValue\(1000\)\nparam maximumInstanceCount int = \d+/, '@minValue(40)\n@maxValue(1000)\nparam maximumInstanceCount int = 40');
      const dts = edit('modules/durableTaskScheduler.bicep', /sku: [^\n]*/, 'sku: { name: skuName }');
      expect(scaleProblems(dts, functionApp)).toEqual([
        'the scheduler SKU never carries a capacity (Dedicated requires one)',
        'maximumInstanceCount minimum is 40, Flex Consumption accepts 1',
        'maximumInstanceCount defaults to 40: too many concurrent writers to ARM',
      ]);
    });
  });
});
