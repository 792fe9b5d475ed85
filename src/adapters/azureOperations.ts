/**
 * The canonical table of every Azure control-plane (ARM) and data-plane operation Harbormaster's
 * code performs, with the built-in role that permits it and the scope it targets.
 *
 * Why a table: the infrastructure (infra/*.bicep) grants Harbormaster's identities exactly what
 * this table lists and nothing more; `test/infra/rolesCoverOperations.test.ts` checks that every
 * row is covered by a role assignment the Bicep makes at a scope containing the row's target.
 * Each row names the SDK calls that need it; `test/infra/operationsCatalog.test.ts` reads every
 * SDK call out of src/ and fails when one is in no row, so an adapter cannot make a new call
 * without its row here, and the role test then tells whether the Bicep already grants it.
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
 * - Blob index tags (backups carry them) need `blobs/tags/read` and `blobs/tags/write`; only
 *   Storage Blob Data Owner among built-in roles has both, so that role is granted on the
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

/**
 * Who performs an operation on Harbormaster's behalf when no code of ours calls an SDK for it:
 * - `functions-host`: the Functions host (AzureWebJobsStorage, the deployment package, telemetry);
 * - `durable-task-scheduler`: the Durable Functions extension on the task hub;
 * - `arm`: Azure Resource Manager itself, checking a linked resource when we change an app;
 * - `container-apps`: the Container Apps platform, pulling a job's image with the job's identity;
 * - `key-vault-references`: App Service resolving `@Microsoft.KeyVault(...)` app settings.
 */
export type Platform = 'functions-host' | 'durable-task-scheduler' | 'arm' | 'container-apps' | 'key-vault-references';

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
  /**
   * The SDK calls in src/ that need it, as test/infra/sdkCalls.ts reads them out of the code:
   * `arm-appcontainers:<operation group>.<method>`, or `<package>:<method>` for data-plane clients.
   * The test fails when code makes an SDK call no row lists, or a row lists a call no code makes.
   */
  calls?: readonly string[];
  /** Our module that performs it over plain HTTP, with no Azure SDK (the registry's token exchange). */
  http?: string;
  /** The platform component that performs it for us. */
  platform?: Platform;
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

const arm = (...calls: string[]): string[] => calls.map((call) => `arm-appcontainers:${call}`);
const tables = (...calls: string[]): string[] => calls.map((call) => `data-tables:${call}`);
const blobs = (...calls: string[]): string[] => calls.map((call) => `storage-blob:${call}`);

/** Migration jobs and the backup job go through the same gateway, so the same calls. */
function jobOperations(prefix: string, target: OperationTarget): AzureOperation[] {
  const rows: Array<[string, string, string[]]> = [
    ['get', 'Microsoft.App/jobs/read', arm('jobs.get')],
    ['start', 'Microsoft.App/jobs/start/action', arm('jobs.start')],
    ['getExecution', 'Microsoft.App/jobs/executions/read', arm('jobsExecutions.list')],
    ['stopExecution', 'Microsoft.App/jobs/stop/action', arm('jobs.beginStopExecutionAndWait', 'jobs.stopExecution')],
  ];
  return rows.map(([verb, action, calls]) => ({
    id: `${prefix}.${verb}`,
    action,
    plane: 'control',
    principal: 'harbormasterIdentity',
    target,
    role: 'Container Apps Jobs Operator',
    calls,
  }));
}

export const AZURE_OPERATIONS: readonly AzureOperation[] = [
  // Container Apps: deploy, health-wait, promote, rollback, sweeps.
  ...(
    [
      ['containerApps.get', 'Microsoft.App/containerApps/read', arm('containerApps.get')],
      ['containerApps.update', 'Microsoft.App/containerApps/write', arm('containerApps.update')],
      ['revisions.list', 'Microsoft.App/containerApps/revisions/read', arm('containerAppsRevisions.listRevisions', 'containerAppsRevisions.getRevision')],
      ['revisions.activate', 'Microsoft.App/containerApps/revisions/activate/action', arm('containerAppsRevisions.activateRevision')],
      ['revisions.deactivate', 'Microsoft.App/containerApps/revisions/deactivate/action', arm('containerAppsRevisions.deactivateRevision')],
      ['revisions.restart', 'Microsoft.App/containerApps/revisions/restart/action', arm('containerAppsRevisions.restartRevision')],
    ] as const
  ).map(([id, action, calls]): AzureOperation => ({
    id,
    action,
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: APP,
    role: 'Container Apps Contributor',
    calls,
  })),
  // ARM re-validates an app's environment on every update of the app.
  {
    id: 'managedEnvironments.get',
    action: 'Microsoft.App/managedEnvironments/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: ENVIRONMENT,
    role: 'Container Apps Contributor',
    platform: 'arm',
  },
  {
    id: 'managedEnvironments.join',
    action: 'Microsoft.App/managedEnvironments/join/action',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: ENVIRONMENT,
    role: 'Container Apps Contributor',
    platform: 'arm',
  },
  ...jobOperations('migrationJobs', MIGRATION_JOB),
  ...jobOperations('backupJob', BACKUP_JOB),
  {
    id: 'metrics.list',
    action: 'Microsoft.Insights/metrics/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: APP,
    role: 'Monitoring Reader',
    calls: ['monitor-query-metrics:queryResources'],
  },
  {
    id: 'logs.query',
    action: 'Microsoft.OperationalInsights/workspaces/query/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: WORKSPACE,
    role: 'Monitoring Reader',
    calls: ['monitor-query-logs:queryWorkspace'],
  },
  // Registries: verify and reconcile read manifests through the ACR token exchange.
  {
    id: 'registry.readManifest',
    action: 'Microsoft.ContainerRegistry/registries/pull/read',
    plane: 'control',
    principal: 'harbormasterIdentity',
    target: { set: 'registryIds', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'AcrPull',
    http: 'src/adapters/registry/ociRegistryClient.ts',
  },
  {
    id: 'registry.readManifestAbac',
    action: 'Microsoft.ContainerRegistry/registries/repositories/content/read',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: { set: 'registryIds', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'Container Registry Repository Reader',
    http: 'src/adapters/registry/ociRegistryClient.ts',
  },
  // Key Vault: webhook secrets (app settings), notification URLs, database connection strings.
  {
    id: 'keyVault.getSecret',
    action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: VAULT,
    role: 'Key Vault Secrets User',
    calls: ['keyvault-secrets:getSecret'],
    platform: 'key-vault-references',
  },
  // Own storage: the Functions host (AzureWebJobsStorage, Flex deployment package, queues) ...
  ...(
    [
      ['storage.blobRead', `${BLOB}/read`, 'Storage Blob Data Contributor'],
      ['storage.blobWrite', `${BLOB}/write`, 'Storage Blob Data Contributor'],
      ['storage.blobDelete', `${BLOB}/delete`, 'Storage Blob Data Contributor'],
      ['storage.queueRead', `${QUEUE_MESSAGES}/read`, 'Storage Queue Data Contributor'],
      ['storage.queueWrite', `${QUEUE_MESSAGES}/write`, 'Storage Queue Data Contributor'],
      ['storage.queueDelete', `${QUEUE_MESSAGES}/delete`, 'Storage Queue Data Contributor'],
    ] as const
  ).map(([id, action, role]): AzureOperation => ({
    id,
    action,
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: ACCOUNT,
    role,
    platform: 'functions-host',
  })),
  // ... and Harbormaster's own records in Table storage.
  ...(
    [
      ['storage.tableCreate', 'Microsoft.Storage/storageAccounts/tableServices/tables/write', tables('createTable')],
      ['storage.tableList', 'Microsoft.Storage/storageAccounts/tableServices/tables/read', tables('listTables')],
      ['storage.entityRead', `${ENTITIES}/read`, tables('getEntity', 'listEntities')],
      ['storage.entityWrite', `${ENTITIES}/write`, tables('createEntity', 'upsertEntity', 'updateEntity', 'submitTransaction')],
      ['storage.entityDelete', `${ENTITIES}/delete`, tables('deleteEntity', 'submitTransaction')],
    ] as const
  ).map(([id, action, calls]): AzureOperation => ({
    id,
    action,
    plane: action.endsWith('/tables/write') || action.endsWith('/tables/read') ? 'control' : 'data',
    principal: 'harbormasterIdentity',
    target: ACCOUNT,
    role: 'Storage Table Data Contributor',
    calls,
  })),
  // Backups container: status, retention, restore read, delete and find backups by their index tags.
  ...(
    [
      ['backups.read', `${BLOB}/read`, blobs('download', 'exists', 'getProperties', 'listBlobsFlat')],
      ['backups.delete', `${BLOB}/delete`, blobs('deleteIfExists')],
      ['backups.readTags', `${BLOB}/tags/read`, blobs('getTags')],
    ] as const
  ).map(([id, action, calls]): AzureOperation => ({
    id,
    action,
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: BACKUPS_CONTAINER,
    role: 'Storage Blob Data Owner',
    calls,
  })),
  {
    id: 'durableTask.orchestrations',
    action: 'Microsoft.DurableTask/schedulers/taskHubs/orchestrations/read',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: { set: 'durableTaskScheduler', resourceType: 'Microsoft.DurableTask/schedulers/taskHubs' },
    role: 'Durable Task Data Contributor',
    platform: 'durable-task-scheduler',
  },
  {
    id: 'appInsights.telemetry',
    action: 'Microsoft.Insights/Telemetry/Write',
    plane: 'data',
    principal: 'harbormasterIdentity',
    target: { set: 'monitoring', resourceType: 'Microsoft.Insights/components' },
    role: 'Monitoring Metrics Publisher',
    platform: 'functions-host',
  },
  // The backup runner (its own identity, inside the backup job).
  {
    id: 'backupRunner.pullImage',
    action: 'Microsoft.ContainerRegistry/registries/pull/read',
    plane: 'control',
    principal: 'backupIdentity',
    target: { set: 'backupRunnerRegistryId', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'AcrPull',
    platform: 'container-apps',
  },
  {
    id: 'backupRunner.pullImageAbac',
    action: 'Microsoft.ContainerRegistry/registries/repositories/content/read',
    plane: 'data',
    principal: 'backupIdentity',
    target: { set: 'backupRunnerRegistryId', resourceType: 'Microsoft.ContainerRegistry/registries' },
    role: 'Container Registry Repository Reader',
    platform: 'container-apps',
  },
  {
    id: 'backupRunner.getConnectionString',
    action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
    plane: 'data',
    principal: 'backupIdentity',
    target: { set: 'backupDatabaseSecretNames', resourceType: 'Microsoft.KeyVault/vaults/secrets' },
    role: 'Key Vault Secrets User',
    calls: ['keyvault-secrets:getSecret'],
  },
  // The runner streams pg_dump into a block blob with metadata and index tags, reads it back to
  // verify, and removes a failed one.
  ...(
    [
      ['backupRunner.createContainer', 'Microsoft.Storage/storageAccounts/blobServices/containers/write', 'control', blobs('createIfNotExists')],
      ['backupRunner.upload', `${BLOB}/write`, 'data', blobs('uploadStream', 'setMetadata')],
      ['backupRunner.readBack', `${BLOB}/read`, 'data', blobs('download')],
      ['backupRunner.deleteFailed', `${BLOB}/delete`, 'data', blobs('deleteIfExists')],
      ['backupRunner.writeTags', `${BLOB}/tags/write`, 'data', blobs('setTags')],
    ] as const
  ).map(([id, action, plane, calls]): AzureOperation => ({
    id,
    action,
    plane,
    principal: 'backupIdentity',
    target: BACKUPS_CONTAINER,
    role: 'Storage Blob Data Owner',
    calls,
  })),
  // The runner moves its backup's record forward (read, then a conditional write).
  ...(
    [
      ['backupRunner.readRecord', `${ENTITIES}/read`, tables('getEntity')],
      ['backupRunner.writeRecord', `${ENTITIES}/write`, tables('createEntity', 'updateEntity', 'upsertEntity')],
    ] as const
  ).map(([id, action, calls]): AzureOperation => ({
    id,
    action,
    plane: 'data',
    principal: 'backupIdentity',
    target: ACCOUNT,
    role: 'Storage Table Data Contributor',
    calls,
  })),
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
