// The structural Bicep lint passes on infra/ and catches each kind of mistake it claims to.
import { lintBicepSources, loadBicepSources, type BicepFinding } from '../../scripts/lint-bicep';
import { INFRA_DIR } from './bicepModel';

const sources = loadBicepSources(INFRA_DIR);

function lintWith(file: string, edit: (text: string) => string): BicepFinding[] {
  const copy = new Map(sources);
  const original = copy.get(file) ?? '';
  const edited = edit(original);
  expect(edited).not.toBe(original);
  copy.set(file, edited);
  return lintBicepSources(copy);
}

const rules = (findings: BicepFinding[]) => findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}: ${f.message}`);

describe('lint-bicep', () => {
  it('finds every module and the parameters file', () => {
    expect([...sources.keys()]).toEqual(expect.arrayContaining(['main.bicep', 'main.parameters.json', 'modules/functionApp.bicep', 'modules/roles/onContainerAppsJob.bicep']));
  });

  it('passes on infra/ with no errors and no warnings', () => {
    expect(lintBicepSources(sources)).toEqual([]);
  });

  it('catches a module path that does not exist', () => {
    expect(rules(lintWith('main.bicep', (t) => t.replace("'modules/keyVault.bicep'", "'modules/keyvault.bicep'")))).toEqual([
      "module-path: module 'keyVault' points to 'modules/keyvault.bicep', which does not exist",
    ]);
  });

  it('catches an undeclared param and a missing resource symbol', () => {
    expect(rules(lintWith('main.bicep', (t) => t.replace('image: backupRunnerImage', 'image: backupImage')))).toEqual([
      "undeclared-identifier: 'backupImage' is not a declared param, var, resource, module or loop variable",
    ]);
    expect(rules(lintWith('modules/storage.bicep', (t) => t.replace('parent: blobService\n  name: deploymentContainerName', 'parent: blobSvc\n  name: deploymentContainerName')))).toEqual([
      "undeclared-identifier: 'blobSvc' is not a declared param, var, resource, module or loop variable",
    ]);
  });

  it('warns about a declared but unused param', () => {
    const findings = lintWith('modules/keyVault.bicep', (t) => t.replace("param tags object = {}", "param tags object = {}\n\nparam unusedSku string = 'standard'"));
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'unused-param', file: 'modules/keyVault.bicep' })]);
  });

  it('catches unbalanced braces', () => {
    expect(rules(lintWith('modules/identity.bicep', (t) => t.replace('tags: tags\n}', 'tags: tags\n')))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^structure: '\{' is never closed/)]),
    );
  });

  it('catches a secret-looking param without @secure()', () => {
    expect(rules(lintWith('modules/webhookSecrets.bicep', (t) => t.replace("@secure()\n@description('Secret ACR", "@description('Secret ACR")))).toEqual([
      "secure-param: param 'acrWebhookSecret' looks like a secret: mark it @secure()",
    ]);
  });

  it('catches module params that are not declared, and required ones not passed', () => {
    expect(rules(lintWith('main.bicep', (t) => t.replace("    purpose: 'Harbormaster: Functions host queues'\n", "    purpos: 'typo'\n")))).toEqual([
      "module-param: module 'hostQueues' passes 'purpos', which modules/roles/onStorageAccount.bicep does not declare",
      "module-param: module 'hostQueues' does not pass required param 'purpose' of modules/roles/onStorageAccount.bicep",
    ]);
  });

  it.each([
    ['a storage connection string', 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=bm90IGEgcmVhbCBrZXk='],
    ['a database URL with a password', 'postgres://app:hunter2hunter2@db.example.com:5432/app'],
    ['a connection string password', 'Server=db;Database=app;Password=hunter2'],
    ['a long base64 key', 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'],
  ])('refuses %s in the parameters file', (_what, value) => {
    const findings = lintWith('main.parameters.json', (t) => t.replace('"${BACKUP_RUNNER_IMAGE}"', JSON.stringify(value)));
    expect(findings.map((f) => f.rule)).toEqual(['parameters-secret']);
  });

  it('refuses a literal value for a secret-named parameter and parameters the template lacks', () => {
    const findings = lintWith('main.parameters.json', (t) =>
      t.replace('"registryIds": { "value": [] },', '"registryIds": { "value": [] }, "acrWebhookSecret": { "value": "literal" }, "colour": { "value": "blue" },'),
    );
    expect(findings.map((f) => `${f.rule} ${f.message.split(' ')[1]}`).sort()).toEqual(["parameters-secret 'acrWebhookSecret'", "parameters-undeclared 'colour'"]);
  });
});

describe('lint-bicep: deployment-time mistakes', () => {
  it('catches a conditional module whose scope indexes a possibly-empty id, directly or through a var', () => {
    const direct = lintWith('main.bicep', (t) =>
      t.replace(
        'scope: resourceGroup(backupRunnerRegistrySegments[2], backupRunnerRegistrySegments[4])',
        "scope: resourceGroup(split(backupRunnerRegistryId, '/')[2], split(backupRunnerRegistryId, '/')[4])",
      ),
    );
    expect(direct.map((f) => f.rule)).toEqual(['conditional-scope-index']);
    const throughVar = lintWith('main.bicep', (t) =>
      t.replace(/var backupRunnerRegistrySegments = [^\n]*/, "var backupRunnerRegistrySegments = split(backupRunnerRegistryId, '/')"),
    );
    expect(throughVar.map((f) => `${f.rule} ${f.message.split(' ')[0]}`)).toEqual(["conditional-scope-index 'backupRunnerPull'"]);
  });

  it('catches a function key read into an endpoint URL', () => {
    const findings = lintWith('main.bicep', (t) =>
      t.replace(
        "endpointUrl: 'https://${functionApp.outputs.defaultHostName}/api/webhooks/eventgrid'",
        "endpointUrl: 'https://${functionApp.outputs.defaultHostName}/api/webhooks/eventgrid?code=${listKeys(resourceId('Microsoft.Web/sites/host', functionAppName, 'default'), '2024-04-01').functionKeys.default}'",
      ),
    );
    expect(findings.map((f) => f.rule).sort()).toEqual(['key-in-url', 'list-keys']);
  });

  it('catches a secret param that defaults to newGuid()', () => {
    const findings = lintWith('main.bicep', (t) => t.replace('param acrWebhookSecret string\n', 'param acrWebhookSecret string = newGuid()\n'));
    expect(findings.map((f) => f.message)).toEqual([
      "param 'acrWebhookSecret' defaults to newGuid(): a new secret on every deployment; generate it once and keep it",
    ]);
  });

  it('catches a role assignment without a scope (the whole resource group)', () => {
    const findings = lintWith('modules/roles/onContainerApp.bicep', (t) => t.replace('  scope: app\n', ''));
    expect(findings.map((f) => f.rule)).toEqual(['role-scope']);
  });
});
