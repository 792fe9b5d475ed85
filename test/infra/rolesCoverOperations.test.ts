// Every Azure operation the code performs (src/adapters/azureOperations.ts) must be permitted by a
// role the Bicep assigns to the right identity at a scope containing the target; and the Bicep
// grants nothing that no operation needs.
import { loadBicepSources } from '../../scripts/lint-bicep';
import { AZURE_OPERATIONS, BUILT_IN_ROLES, roleAllows, roleNameForId, type PrincipalName } from '../../src/adapters/azureOperations';
import { extractRoleGrants, findUncoveredOperations, grantCovers, INFRA_DIR, type RoleGrant } from './bicepModel';

const sources = loadBicepSources(INFRA_DIR);
const grants = extractRoleGrants(sources);
const PRINCIPALS: readonly PrincipalName[] = ['harbormasterIdentity', 'backupIdentity'];

function withMain(edit: (main: string) => string): Map<string, string> {
  const copy = new Map(sources);
  const edited = edit(copy.get('main.bicep') ?? '');
  expect(edited).not.toBe(copy.get('main.bicep'));
  copy.set('main.bicep', edited);
  return copy;
}

/** Removes one module declaration (from its `module` line to its closing brace line). */
function removeModule(main: string, symbol: string): string {
  const lines = main.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`module ${symbol} `));
  expect(start).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && /^\}\]?\s*$/.test(l));
  lines.splice(start, end - start + 1);
  return lines.join('\n');
}

function unneededGrants(list: readonly RoleGrant[]): string[] {
  return list
    .filter((g) => (PRINCIPALS as readonly string[]).includes(g.principal))
    .filter((g) => !AZURE_OPERATIONS.some((op) => grantCovers(g, op)))
    .map((g) => `${g.module}: ${roleNameForId(g.roleGuid)} on ${g.set} (${g.scopeType})`);
}

/** Grants whose scope is wider than every resource type the operations they cover target. */
function widerThanNeeded(list: readonly RoleGrant[]): string[] {
  return list
    .filter((g) => (PRINCIPALS as readonly string[]).includes(g.principal))
    .filter((g) => {
      const targets = AZURE_OPERATIONS.filter((op) => grantCovers(g, op)).map((op) => op.target.resourceType.toLowerCase());
      return targets.length > 0 && !targets.includes(g.scopeType.toLowerCase());
    })
    .map((g) => `${g.module}: ${roleNameForId(g.roleGuid)} on ${g.scopeType} for ${g.set}`);
}

/** The shape main.bicep had before: a role module granting on the whole resource group. */
const RESOURCE_GROUP_ROLE_MODULE = `targetScope = 'resourceGroup'
param principalId string
param roleDefinitionGuid string
param purpose string
resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, principalId, roleDefinitionGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: purpose
  }
}
`;

describe('role assignments in infra/ cover src/adapters/azureOperations.ts', () => {
  it('reads the grants out of main.bicep', () => {
    expect(grants.length).toBeGreaterThanOrEqual(15);
    for (const grant of grants) expect(roleNameForId(grant.roleGuid)).toBeDefined();
    expect(grants).toContainEqual(
      expect.objectContaining({ module: 'migrationJobs', set: 'migrationJobIds', scopeType: 'Microsoft.App/jobs', principal: 'harbormasterIdentity' }),
    );
    expect(grants).toContainEqual(expect.objectContaining({ module: 'managedApps', set: 'managedAppIds', scopeType: 'Microsoft.App/containerApps' }));
    expect(grants).toContainEqual(expect.objectContaining({ module: 'backupRunnerPull', set: 'backupRunnerRegistryId', principal: 'backupIdentity' }));
    expect(grants).toContainEqual(
      expect.objectContaining({ module: 'backupRunnerSecrets', set: 'backupDatabaseSecretNames', scopeType: 'Microsoft.KeyVault/vaults/secrets' }),
    );
    expect(grants).toContainEqual(
      expect.objectContaining({ module: 'backupsManage', set: 'storage', scopeType: 'Microsoft.Storage/storageAccounts/blobServices/containers' }),
    );
  });

  it('each operation names a role that permits its action', () => {
    const wrong = AZURE_OPERATIONS.filter((op) => !roleAllows(op.role, op)).map((op) => `${op.id}: ${op.role} does not allow ${op.action}`);
    expect(wrong).toEqual([]);
  });

  it('each operation is covered by a grant to its principal at a scope containing its target', () => {
    expect(findUncoveredOperations(AZURE_OPERATIONS, grants).map((u) => `${u.operation.id}: ${u.reason}`)).toEqual([]);
  });

  it('grants Harbormaster\'s identities nothing no operation needs (least privilege)', () => {
    expect(unneededGrants(grants)).toEqual([]);
  });

  it('scopes every grant to the resource its operations target, never to a resource group or a parent where the resource works', () => {
    expect(widerThanNeeded(grants)).toEqual([]);
  });

  it('gives the registries\' ABAC mode its own role: Container Registry Repository Reader where AcrPull does not apply', () => {
    const reader = BUILT_IN_ROLES['Container Registry Repository Reader'].id;
    expect(grants.filter((g) => g.roleGuid === reader).map((g) => [g.module, g.set]).sort()).toEqual([
      ['backupRunnerPull', 'backupRunnerRegistryId'],
      ['registryPull', 'registryIds'],
    ]);
  });

  it('grants other principals only Event Grid\'s dead-letter write', () => {
    const others = grants.filter((g) => !(PRINCIPALS as readonly string[]).includes(g.principal));
    expect(others.map((g) => [g.principal, roleNameForId(g.roleGuid), g.scopeType])).toEqual([
      ['registryTopics', 'Storage Blob Data Contributor', 'Microsoft.Storage/storageAccounts/blobServices/containers'],
    ]);
  });

  it('never grants a storage data role on the whole account where a container is enough (Blob Data Owner)', () => {
    const owner = BUILT_IN_ROLES['Storage Blob Data Owner'].id;
    expect(grants.filter((g) => g.roleGuid === owner).map((g) => g.scopeType)).toEqual(
      grants.filter((g) => g.roleGuid === owner).map(() => 'Microsoft.Storage/storageAccounts/blobServices/containers'),
    );
  });

  describe('negative proofs: the check fails when the Bicep loses a role', () => {
    it('reports the migration job operations when their Jobs Operator grant is removed', () => {
      const uncovered = findUncoveredOperations(AZURE_OPERATIONS, extractRoleGrants(withMain((m) => removeModule(m, 'migrationJobs'))));
      expect(uncovered.map((u) => u.operation.id).sort()).toEqual(
        ['migrationJobs.get', 'migrationJobs.getExecution', 'migrationJobs.start', 'migrationJobs.stopExecution'].sort(),
      );
      expect(uncovered[0].reason).toContain('Container Apps Jobs Operator only on backupJob');
    });

    it('reports the environment join when the managed environments grant is removed', () => {
      const uncovered = findUncoveredOperations(AZURE_OPERATIONS, extractRoleGrants(withMain((m) => removeModule(m, 'managedEnvironments'))));
      expect(uncovered.map((u) => u.operation.id)).toEqual(['managedEnvironments.get', 'managedEnvironments.join']);
    });

    it('reports Key Vault reads when Key Vault Secrets User becomes a different role', () => {
      const edited = withMain((m) => m.replace("keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'", "keyVaultSecretsUser: '21090545-7ca7-4776-b22c-e363652d74d2'"));
      expect(() => extractRoleGrants(edited)).not.toThrow();
      const uncovered = findUncoveredOperations(AZURE_OPERATIONS, extractRoleGrants(edited)).map((u) => u.operation.id);
      expect(uncovered).toEqual(expect.arrayContaining(['keyVault.getSecret', 'backupRunner.getConnectionString']));
    });

    it('reports a Container Apps Contributor grant on the apps\' resource groups (the earlier shape) as wider than needed', () => {
      const edited = withMain((m) =>
        m.replace(
          /module managedApps 'modules\/roles\/onContainerApp\.bicep'[^\n]*\n  name: [^\n]*\n  scope: [^\n]*\n  params: \{\n    containerAppName: [^\n]*\n/,
          (block) => block.replace("'modules/roles/onContainerApp.bicep'", "'modules/roles/onResourceGroup.bicep'").replace(/    containerAppName: [^\n]*\n/, ''),
        ),
      );
      edited.set('modules/roles/onResourceGroup.bicep', RESOURCE_GROUP_ROLE_MODULE);
      expect(widerThanNeeded(extractRoleGrants(edited))).toEqual(['managedApps: Container Apps Contributor on resourceGroup for managedAppIds']);
    });

    it('reports a backup runner grant on the whole vault (it could read the webhook secrets) as unneeded', () => {
      const edited = withMain(
        (m) =>
          `${m}
module backupRunnerVault 'modules/roles/onKeyVault.bicep' = {
  name: 'role-backup-vault'
  params: {
    keyVaultName: keyVault.outputs.name
    principalId: backupIdentity.outputs.principalId
    roleDefinitionGuid: roles.keyVaultSecretsUser
    purpose: 'Backup runner: every secret'
  }
}
`,
      );
      expect(unneededGrants(extractRoleGrants(edited))).toEqual(['backupRunnerVault: Key Vault Secrets User on keyVault (Microsoft.KeyVault/vaults)']);
    });

    it('reports ABAC registry reads when the registry grant is AcrPull only', () => {
      const edited = withMain((m) => m.replace('contains(abacRegistryIds, registryId) ? roles.containerRegistryRepositoryReader : roles.acrPull', 'roles.acrPull'));
      expect(findUncoveredOperations(AZURE_OPERATIONS, extractRoleGrants(edited)).map((u) => u.operation.id)).toEqual(['registry.readManifestAbac']);
    });
  });
});
