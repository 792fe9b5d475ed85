/**
 * The canonical table of every Azure control-plane (ARM) and data-plane operation Harbormaster's
 * code performs, with the built-in role that permits it and the scope it targets.
 *
 * Why a table: the infrastructure (infra/*.bicep) grants Harbormaster's identities exactly what
 * this table lists and nothing more; `test/infra/rolesCoverOperations.test.ts` checks that every
 * row is covered by a role assignment the Bicep makes at a scope containing the row's target.
 * When you add an SDK call to an adapter, add its row here in the same change; the test then
 * tells you whether the Bicep already grants it.
 *
 * Rules the rows encode (keep them when you edit adapters):
 * - **Never send an `identity` block in a Container App update.** ARM then re-checks the caller's
 *   right to assign identities (`Microsoft.ManagedIdentity/userAssignedIdentities/assign/action`),
 *   which Container Apps Contributor does not include and Harbormaster deliberately does not hold.
 *   Updates PATCH only `template` / `configuration.ingress`.
 * - Updating an app re-validates its environment: `Microsoft.App/managedEnvironments/join/action`
 *   on the app's managed environment (Container Apps Contributor has it).
 * - Harbormaster reads image manifests with its own identity (verify step, reconcile timer): it
 *   needs AcrPull on each registry. The managed apps pull with their own identities, not ours.
 * - Blob index tags (backups carry them) need `blobs/tags/*` and `blobs/filter/action`; only
 *   Storage Blob Data Owner among built-in roles has them, so that role is granted on the
 *   backups container alone, never on the account.
 *
 * Principals: `harbormasterIdentity` (the Function app's user-assigned identity) and
 * `backupIdentity` (the backup Container Apps Job's identity). Names match the Bicep symbols of
 * their identity modules in infra/main.bicep.
 */

/** A Bicep identity module symbol in infra/main.bicep. */
export type PrincipalName = 'harbormasterIdentity' | 'backupIdentity';

/**
 * The named sets of Azure resources Harbormaster acts on. For sets supplied by the operator, the
 * name is the infra/main.bicep parameter listing them; for resources the Bicep creates, it is the
 * module symbol that creates them.
 */
export type TargetSet =
  | 'managedAppIds' // the Container Apps Harbormaster deploys (roles on each app, not its resource group)
  | 'managedEnvironmentIds' // the managed environments of those apps
  | 'migrationJobIds' // each app's manual-trigger migration job, and the jobs its hooks and job checks run
  | 'logAnalyticsWorkspaceIds' // the workspaces log-query analysis checks read
  | 'registryIds' // registries whose pushes Harbormaster follows
  | 'backupRunnerRegistryId' // the registry holding Harbormaster's backup runner image
  | 'backupDatabaseSecretNames' // the vault secrets holding the connection strings the backup runner reads
  | 'backupJob' // Harbormaster's backup Container Apps Job
  | 'keyVault' // Harbormaster's vault
  | 'storage' // Harbormaster's own storage account (and its containers/tables/queues)
  | 'durableTaskScheduler' // the Durable Task Scheduler and its task hub
  | 'monitoring'; // Application Insights

export interface OperationTarget {
  set: TargetSet;
  /** ARM resource type of the target; a role assigned on a parent type or on the resource group covers it. */
  resourceType: string;
}

export interface BuiltInRole {
  /** Role definition GUID (same in every Azure tenant). */
  id: string;
  /** ARM action patterns (`*` wildcards as Azure RBAC resolves them). */
  actions: readonly string[];
  dataActions: readonly string[];
  /** Where the GUID and permissions were checked. */
  source: string;
}

/**
 * The built-in roles the Bicep assigns, with the permissions that matter here. GUIDs verified
 * against Microsoft's built-in roles reference (a mirror of learn.microsoft.com
 * role-based-access-control/built-in-roles) unless `source` says otherwise.
 */
export const BUILT_IN_ROLES = {
  'Container Apps Contributor': {
    id: '358470bc-b998-42bd-ab17-a7e34c199c0f',
    actions: [
      'Microsoft.App/containerApps/*/action',
      'Microsoft.App/containerApps/*/delete',
      'Microsoft.App/containerApps/*/read',
      'Microsoft.App/containerApps/*/write',
      'Microsoft.App/managedEnvironments/*/read',
      'Microsoft.App/managedEnvironments/join/action',
      'Microsoft.App/managedEnvironments/read',
      'Microsoft.Authorization/*/read',
    ],
    dataActions: [],
    source: 'built-in roles reference (containers); actions from AzAdvertizer 358470bc',
  },
  'Container Apps Jobs Operator': {
    id: 'b9a307c4-5aa3-4b52-ba60-2b17c136cd7b',
    // "Read, start, and stop Container Apps jobs." Executions are read through jobs/*/read.
    actions: ['Microsoft.App/jobs/read', 'Microsoft.App/jobs/*/read', 'Microsoft.App/jobs/*/action'],
    dataActions: [],
    source: 'built-in roles reference (containers); action list from its description, not the role JSON',
  },
  'Monitoring Reader': {
    id: '43d0d8ad-25c7-4714-9337-8ba259a9fe05',
    actions: ['*/read', 'Microsoft.OperationalInsights/workspaces/search/action', 'Microsoft.Support/*'],
    dataActions: [],
    source: 'built-in roles reference (monitor)',
  },
  'Monitoring Metrics Publisher': {
    id: '3913510d-42f4-4e42-8a64-420c390055eb',
    actions: ['Microsoft.Insights/Register/Action', 'Microsoft.Resources/subscriptions/resourceGroups/read'],
    dataActions: ['Microsoft.Insights/Metrics/Write', 'Microsoft.Insights/Telemetry/Write'],
    source: 'built-in roles reference (monitor)',
  },
  'Key Vault Secrets User': {
    id: '4633458b-17de-408a-b874-0445c86b69e6',
    actions: [],
    dataActions: ['Microsoft.KeyVault/vaults/secrets/getSecret/action', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'],
    source: 'built-in roles reference (security)',
  },
  AcrPull: {
    id: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
    actions: ['Microsoft.ContainerRegistry/registries/pull/read'],
    dataActions: [],
    source: 'built-in roles reference (containers)',
  },
  // Registries in the "RBAC Registry + ABAC Repository Permissions" mode ignore AcrPull.
  'Container Registry Repository Reader': {
    id: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
    actions: [],
    dataActions: ['Microsoft.ContainerRegistry/registries/repositories/content/read', 'Microsoft.ContainerRegistry/registries/repositories/metadata/read'],
    source: 'ACR built-in roles directory reference (ABAC-enabled roles); GUID as assigned in public Bicep templates',
  },
  'Storage Blob Data Contributor': {
    id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    actions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/write',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    dataActions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action',
      'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action',
    ],
    source: 'built-in roles reference (storage)',
  },
  'Storage Blob Data Owner': {
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    actions: [
      'Microsoft.Storage/storageAccounts/blobServices/containers/*',
      'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action',
    ],
    dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
    source: 'built-in roles reference (storage); "the only built-in role with all three blob index tag operations"',
  },
  'Storage Queue Data Contributor': {
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    actions: [
      'Microsoft.Storage/storageAccounts/queueServices/queues/delete',
      'Microsoft.Storage/storageAccounts/queueServices/queues/read',
      'Microsoft.Storage/storageAccounts/queueServices/queues/write',
    ],
    dataActions: [
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/delete',
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/read',
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/write',
      'Microsoft.Storage/storageAccounts/queueServices/queues/messages/process/action',
    ],
    source: 'built-in roles reference (storage)',
  },
  'Storage Table Data Contributor': {
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    actions: [
      'Microsoft.Storage/storageAccounts/tableServices/tables/read',
      'Microsoft.Storage/storageAccounts/tableServices/tables/write',
      'Microsoft.Storage/storageAccounts/tableServices/tables/delete',
    ],
    dataActions: [
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/read',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/write',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action',
      'Microsoft.Storage/storageAccounts/tableServices/tables/entities/update/action',
    ],
    source: 'built-in roles reference (storage)',
  },
  'Durable Task Data Contributor': {
    id: '0ad04412-c4d5-4796-b79c-f76d14c8d402',
    actions: [],
    dataActions: ['Microsoft.DurableTask/*'],
    source: 'role JSON (azure-rbac-catalog 0ad04412); DTS identity docs',
  },
} as const satisfies Record<string, BuiltInRole>;

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLES;

export interface AzureOperation {
  /** Stable id, `<area>.<verb>`. */
  id: string;
  /** The ARM (control plane) action or data action the call needs. */
  action: string;
  plane: 'control' | 'data';
  principal: PrincipalName;
  target: OperationTarget;
  /** The least-privileged built-in role that permits it, as assigned by the Bicep. */
  role: BuiltInRoleName;
  /** Which code performs it (module or step), for whoever changes that code. */
  usedBy: string;
}

const APP = { set: 'managedAppIds', resourceType: 'Microsoft.App/containerApps' } as const;
const ENVIRONMENT = { set: 'managedEnvironmentIds', resourceType: 'Microsoft.App/managedEnvironments' } as const;
const MIGRATION_JOB = { set: 'migrationJobIds', resourceType: 'Microsoft.App/jobs' } as const;
const BACKUP_JOB = { set: 'backupJob', resourceType: 'Microsoft.App/jobs' } as const;
const WORKSPACE = { set: 'logAnalyticsWorkspaceIds', resourceType: 'Microsoft.OperationalInsights/workspaces' } as const;
const VAULT = { set: 'keyVault', resourceType: 'Microsoft.KeyVault/vaults' } as const;
const ACCOUNT = { set: 'storage', resourceType: 'Microsoft.Storage/storageAccounts' } as const;
const BACKUPS_CONTAINER = { set: 'storage', resourceType: 'Microsoft.Storage/storageAccounts/blobServices/containers' } as const;
const BLOB = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';
const QUEUE_MESSAGES = 'Microsoft.Storage/storageAccounts/queueServices/queues/messages';
const ENTITIES = 'Microsoft.Storage/storageAccounts/tableServices/tables/entities';

function jobOperations(prefix: string, target: OperationTarget, usedBy: string): AzureOperation[] {
  const rows: Array<[string, string]> = [
    ['get', 'Microsoft.App/jobs/read'],
    ['start', 'Microsoft.App/jobs/start/action'],
    ['getExecution', 'Microsoft.App/jobs/executions/read'],
    ['stopExecution', 'Microsoft.App/jobs/stop/action'],
  ];
  return rows.map(([verb, action]) => ({
    id: `${prefix}.${verb}`,
    action,
    plane: 'control',
    principal: 'harbormasterIdentity',
    target,
    role: 'Container Apps Jobs Operator',
    usedBy,
  }));
}

export const AZURE_OPERATIONS: readonly AzureOperation[] = [
  // Container Apps (src/adapters/containerApps/armContainerAppsGateway.ts)
  ...(
    [
      ['containerApps.get', 'Microsoft.App/containerApps/read'],
      ['containerApps.update', 'Microsoft.App/containerApps/write'],
      ['revisions.list', 'Microsoft.App/containerApps/revisions/read'],
      ['revisions.activate', 'Microsoft.App/containerApps/revisions/activate/action'],
      ['revisions.deactivate', 'Microsoft.App/containerApps/revisions/deactivate/action'],
      ['revisions.restart', 'Microsoft.App/containerApps/revisions/restart/action'],
      ['replicas.list', 'Microsoft.App/containerApps/revisions/replicas/read'],
    ] as const
  ).map(([id, action]): AzureOperation => ({
    id,
    action,
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: APP,
    role: 'Container Apps Contributor',
    usedBy: 'deploy, health-wait, promote, rollback (ArmContainerAppsGateway)',
  })),
  {
    id: 'managedEnvironments.get',
    action: 'Microsoft.App/managedEnvironments/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: ENVIRONMENT,
    role: 'Container Apps Contributor',
    usedBy: 'deploy (app update re-validates the environment)',
  },
  {
    id: 'managedEnvironments.join',
    action: 'Microsoft.App/managedEnvironments/join/action',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: ENVIRONMENT,
    role: 'Container Apps Contributor',
    usedBy: 'deploy (every containerApps update)',
  },
  ...jobOperations('migrationJobs', MIGRATION_JOB, 'migration step, job hooks and job analysis checks: start with a per-execution override, wait, stop on deadline'),
  ...jobOperations('backupJob', BACKUP_JOB, 'backup orchestration: start the runner, wait, stop on deadline'),
  {
    id: 'metrics.list',
    action: 'Microsoft.Insights/metrics/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: APP,
    role: 'Monitoring Reader',
    usedBy: 'sweeps and health (@azure/monitor-query-metrics on the apps)',
  },
  {
    id: 'logs.query',
    action: 'Microsoft.OperationalInsights/workspaces/query/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: WORKSPACE,
    role: 'Monitoring Reader',
    usedBy: 'log-query analysis checks (@azure/monitor-query-logs queryWorkspace)',
  },
  // Registries: verify and reconcile read manifests through the ACR token exchange.
  {
    id: 'registry.readManifest',
    action: 'Microsoft.ContainerRegistry/registries/pull/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: { set: 'registryIds', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'AcrPull',
    usedBy: 'build-verify, reconcile timer (OciRegistryClient)',
  },
  {
    id: 'registry.readManifestAbac',
    action: 'Microsoft.ContainerRegistry/registries/repositories/content/read',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: { set: 'registryIds', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'Container Registry Repository Reader',
    usedBy: 'the same reads on a registry with ABAC repository permissions (abacRegistryIds)',
  },
  // Key Vault: webhook secrets, notification URLs, database connection strings.
  {
    id: 'keyVault.getSecret',
    action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: VAULT,
    role: 'Key Vault Secrets User',
    usedBy: 'Key Vault references in app settings; @azure/keyvault-secrets reads',
  },
  {
    id: 'keyVault.listSecrets',
    action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: VAULT,
    role: 'Key Vault Secrets User',
    usedBy: 'status checks that configured secrets exist',
  },
  // Own storage: Functions host (AzureWebJobsStorage, Flex deployment package) and product records.
  ...(
    [
      ['storage.blobRead', `${BLOB}/read`, 'Storage Blob Data Contributor'],
      ['storage.blobWrite', `${BLOB}/write`, 'Storage Blob Data Contributor'],
      ['storage.blobDelete', `${BLOB}/delete`, 'Storage Blob Data Contributor'],
      ['storage.queueRead', `${QUEUE_MESSAGES}/read`, 'Storage Queue Data Contributor'],
      ['storage.queueWrite', `${QUEUE_MESSAGES}/write`, 'Storage Queue Data Contributor'],
      ['storage.queueDelete', `${QUEUE_MESSAGES}/delete`, 'Storage Queue Data Contributor'],
      ['storage.tableCreate', 'Microsoft.Storage/storageAccounts/tableServices/tables/write', 'Storage Table Data Contributor'],
      ['storage.entityRead', `${ENTITIES}/read`, 'Storage Table Data Contributor'],
      ['storage.entityWrite', `${ENTITIES}/write`, 'Storage Table Data Contributor'],
      ['storage.entityDelete', `${ENTITIES}/delete`, 'Storage Table Data Contributor'],
    ] as const
  ).map(([id, action, role]): AzureOperation => ({
    id,
    action,
    plane: action.endsWith('tables/write') ? 'control' : 'data',
    principal: 'harbormasterIdentity',
    target: ACCOUNT,
    role,
    usedBy: 'Functions host (AzureWebJobsStorage) and deployment/event/backup records',
  })),
  // Backups container: retention reads, deletes and finds by index tags.
  ...(
    [
      ['backups.read', `${BLOB}/read`],
      ['backups.delete', `${BLOB}/delete`],
      ['backups.readTags', `${BLOB}/tags/read`],
      ['backups.findByTags', `${BLOB}/filter/action`],
    ] as const
  ).map(([id, action]): AzureOperation => ({
    id,
    action,
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: BACKUPS_CONTAINER,
    role: 'Storage Blob Data Owner',
    usedBy: 'backup status, retention, restore',
  })),
  {
    id: 'durableTask.orchestrations',
    action: 'Microsoft.DurableTask/schedulers/taskHubs/orchestrations/read',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: { set: 'durableTaskScheduler', resourceType: 'Microsoft.DurableTask/schedulers/taskHubs' },
    role: 'Durable Task Data Contributor',
    usedBy: 'Durable Functions host (storageProvider azureManaged)',
  },
  {
    id: 'appInsights.telemetry',
    action: 'Microsoft.Insights/Telemetry/Write',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: { set: 'monitoring', resourceType: 'Microsoft.Insights/components' },
    role: 'Monitoring Metrics Publisher',
    usedBy: 'Functions host telemetry with Entra auth (APPLICATIONINSIGHTS_AUTHENTICATION_STRING)',
  },
  // The backup runner (its own identity, inside the backup job).
  {
    id: 'backupRunner.pullImage',
    action: 'Microsoft.ContainerRegistry/registries/pull/read',
    plane: 'control',
    principal: 'backupIdentity',
    target: { set: 'backupRunnerRegistryId', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'AcrPull',
    usedBy: 'Container Apps pulling the runner image',
  },
  {
    id: 'backupRunner.pullImageAbac',
    action: 'Microsoft.ContainerRegistry/registries/repositories/content/read',
    plane: 'data',
    principal: 'backupIdentity',
    target: { set: 'backupRunnerRegistryId', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'Container Registry Repository Reader',
    usedBy: 'the same pull from a registry with ABAC repository permissions (backupRunnerRegistryUsesAbac)',
  },
  {
    id: 'backupRunner.getConnectionString',
    action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    plane: 'data',
    principal: 'backupIdentity',
    target: { set: 'backupDatabaseSecretNames', resourceType: 'Microsoft.KeyVault/vaults/secrets' },
    role: 'Key Vault Secrets User',
    usedBy: 'runner reads the database connection string (and no other secret)',
  },
  ...(
    [
      ['backupRunner.upload', `${BLOB}/write`],
      ['backupRunner.readBack', `${BLOB}/read`],
      ['backupRunner.deleteFailed', `${BLOB}/delete`],
      ['backupRunner.writeTags', `${BLOB}/tags/write`],
    ] as const
  ).map(([id, action]): AzureOperation => ({
    id,
    action,
    plane: 'data',
    principal: 'backupIdentity',
    target: BACKUPS_CONTAINER,
    role: 'Storage Blob Data Owner',
    usedBy: 'runner streams pg_dump into a block blob with index tags, verifies, removes failures',
  })),
  {
    id: 'backupRunner.writeRecord',
    action: `${ENTITIES}/write`,
    plane: 'data',
    principal: 'backupIdentity',
    target: ACCOUNT,
    role: 'Storage Table Data Contributor',
    usedBy: 'runner writes its result record',
  },
];

/**
 * Whether an Azure RBAC action pattern matches an action. Case-insensitive; `*` matches any run
 * of characters, and a `/*` segment may also match nothing (`containerApps/*\/write` covers
 * `containerApps/write`, as ARM resolves Container Apps Contributor).
 */
export function actionMatches(pattern: string, action: string): boolean {
  const escaped = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('\u0000');
  const source = escaped.replace(/\/\u0000\//g, '(?:/.*/|/)').replace(/\u0000/g, '.*');
  return new RegExp(`^${source}$`).test(action.toLowerCase());
}

/** Whether a built-in role's permissions include the operation's action. */
export function roleAllows(roleName: BuiltInRoleName, operation: Pick<AzureOperation, 'action' | 'plane'>): boolean {
  const role: BuiltInRole = BUILT_IN_ROLES[roleName];
  const patterns = operation.plane === 'data' ? role.dataActions : role.actions;
  return patterns.some((pattern) => actionMatches(pattern, operation.action));
}

/** The role name for a role definition GUID, if it is one of ours. */
export function roleNameForId(id: string): BuiltInRoleName | undefined {
  const wanted = id.toLowerCase();
  return (Object.keys(BUILT_IN_ROLES) as BuiltInRoleName[]).find((name) => BUILT_IN_ROLES[name].id === wanted);
}
