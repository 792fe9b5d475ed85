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

describe('role assignments in infra/ cover src/adapters/azureOperations.ts', () => {
  it('reads the grants out of main.bicep', () => {
    expect(grants.length).toBeGreaterThanOrEqual(15);
    for (const grant of grants) expect(roleNameForId(grant.roleGuid)).toBeDefined();
    expect(grants).toContainEqual(
      expect.objectContaining({ module: 'migrationJobs', set: 'migrationJobIds', scopeType: 'Microsoft.App/jobs', principal: 'harbormasterIdentity' }),
    );
    expect(grants).toContainEqual(expect.objectContaining({ module: 'managedApps', set: 'managedAppResourceGroupIds', scopeType: 'resourceGroup' }));
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
    const unneeded = grants
      .filter((g) => (PRINCIPALS as readonly string[]).includes(g.principal))
      .filter((g) => !AZURE_OPERATIONS.some((op) => grantCovers(g, op)))
      .map((g: RoleGrant) => `${g.module}: ${roleNameForId(g.roleGuid)} on ${g.set} (${g.scopeType})`);
    expect(unneeded).toEqual([]);
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
      expect(uncovered).toEqual(expect.arrayContaining(['keyVault.getSecret', 'keyVault.listSecrets', 'backupRunner.getConnectionString']));
    });

    it('reports metrics reads when Monitoring Reader is scoped to Harbormaster\'s own resource group instead', () => {
      const edited = withMain((m) =>
        m.replace(/module managedAppMetrics [^\n]*\n  name: [^\n]*\n  scope: [^\n]*\n/, (block) => block.replace(/  scope: [^\n]*\n/, '')),
      );
      const uncovered = findUncoveredOperations(AZURE_OPERATIONS, extractRoleGrants(edited));
      expect(uncovered.map((u) => u.operation.id)).toEqual(['metrics.list']);
    });
  });
});
