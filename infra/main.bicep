// Harbormaster on Azure: `azd up` (or `az deployment group create -f infra/main.bicep`).
//
// What it creates, in one resource group: a Function app on Flex Consumption with one
// user-assigned identity, its storage account (shared keys disabled), a Durable Task Scheduler,
// Key Vault (RBAC), Log Analytics + Application Insights (Entra auth), the backup Container Apps
// Job with its own identity, and an Event Grid system topic per followed registry (or the
// registry's existing topic: Azure allows one system topic per source).
// What it grants: exactly the rows of src/adapters/azureOperations.ts, each scoped to the
// resources that row targets (test/infra/rolesCoverOperations.test.ts keeps the two in step).
// Every role assignment goes through infra/modules/roles/*.bicep.
targetScope = 'resourceGroup'

// ---------------------------------------------------------------- parameters

@minLength(1)
@maxLength(40)
@description('azd environment name; part of every resource name.')
param environmentName string

@description('Region for Harbormaster\'s resources (must offer Flex Consumption and the Durable Task Scheduler).')
param location string = resourceGroup().location

@description('Resource ids of the Container Apps Harbormaster deploys (Container Apps Contributor and Monitoring Reader on each app, not on its resource group).')
param managedAppIds array = []

@description('Resource ids of the managed environments of those apps (updates check their join permission).')
param managedEnvironmentIds array = []

@description('Resource ids of the apps\' migration Container Apps Jobs, and of the jobs their hooks and job checks run (Container Apps Jobs Operator on each).')
param migrationJobIds array = []

@description('Resource ids of the Log Analytics workspaces the apps\' log-query analysis checks read (Monitoring Reader on each).')
param logAnalyticsWorkspaceIds array = []

@description('Resource ids of the container registries whose pushes Harbormaster follows (AcrPull, Event Grid system topic).')
param registryIds array = []

@description('Those of registryIds whose role assignment permissions mode is "RBAC Registry + ABAC Repository Permissions": AcrPull does not apply there, so Harbormaster gets Container Registry Repository Reader instead.')
param abacRegistryIds array = []

@description('Existing Event Grid system topics to reuse, keyed by registry resource id ({ "<registry id>": "<topic name>" }). Azure allows one system topic per registry; a registry that already has one must be listed here. The topic must be in the registry\'s resource group and have a system-assigned identity (it writes dead letters).')
param registryTopicNames object = {}

@description('Resource id of the Container Apps managed environment the backup job runs in.')
param backupEnvironmentId string

@description('Region of that environment (the job must be in it).')
param backupEnvironmentLocation string = location

@description('Backup runner image built from Dockerfile.backup, e.g. myregistry.azurecr.io/harbormaster-backup:1.0.0.')
param backupRunnerImage string

@description('Resource id of the registry holding the runner image (empty for a public image).')
param backupRunnerRegistryId string = ''

@description('True when that registry uses ABAC repository permissions (Container Registry Repository Reader instead of AcrPull).')
param backupRunnerRegistryUsesAbac bool = false

@description('Key Vault secret names of the database connection strings the backup runner reads (databases[].connectionStringSecret). It gets Key Vault Secrets User on each of these secrets, not on the vault; each must exist before it is listed here.')
param backupDatabaseSecretNames array = []

@description('Create the Event Grid subscriptions. False on the first provision (the webhook must be deployed before Event Grid validates it); the postdeploy hook sets it.')
param enableEventGridSubscriptions bool = false

// The two webhook secrets have no default: azd generates each once (metadata type 'generate'),
// keeps it in the environment's configuration and passes the same value on every provision, so a
// provision does not change the secret (nor restart the app, nor break a hand-made ACR webhook).
// Rotation is deliberate: see infra/README.md. Without azd, pass them (and keep them).
@secure()
@metadata({ azd: { type: 'generate', config: { length: 48, noSpecial: true } } })
@description('Event Grid webhook secret, sent by the subscriptions as Authorization: Bearer <secret>.')
param eventGridWebhookSecret string

@secure()
@metadata({ azd: { type: 'generate', config: { length: 48, noSpecial: true } } })
@description('ACR webhook secret (for the optional ACR webhook, configured by hand).')
param acrWebhookSecret string

@description('Key Vault secret name of the Docker Hub webhook secret; empty leaves that source disabled.')
param dockerHubWebhookSecretName string = ''

@description('Key Vault secret name of the GitHub Container Registry webhook secret; empty leaves that source disabled.')
param ghcrWebhookSecretName string = ''

@description('Application (client) id of the Entra ID app registration for signing in (app roles Harbormaster.Reader and Harbormaster.Operator; infra/README.md "Who may do what" creates it). Empty: no sign-in, API keys only.')
param entraClientId string = ''

@description('API keys for automation: name:scope:sha256hex entries, comma-separated, scope "read" or "operate" (`npm run api-key` makes one). Hashes only: the keys themselves never reach Azure.')
param apiKeyHashes string = ''

@description('Durable Task Scheduler SKU.')
@allowed(['Consumption', 'Dedicated'])
param durableTaskSchedulerSku string = 'Consumption'

@description('Capacity units of a Dedicated Durable Task Scheduler (ignored for Consumption).')
@minValue(1)
param durableTaskSchedulerCapacity int = 1

@description('Upper bound on Function app instances. Small on purpose: every instance can write to ARM for the apps it deploys, and ARM throttles per principal.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Key Vault purge protection. Keep it on for production; once on it cannot be turned off, and a deleted vault keeps its name for the retention period (then set keyVaultRecover or keyVaultNameSalt).')
param keyVaultPurgeProtection bool = true

@description('Recover a soft-deleted vault of the same name (its secrets come back) instead of creating one: for `azd up` after `azd down` without purge.')
param keyVaultRecover bool = false

@description('Changes the vault\'s name (and only its name) to step around a soft-deleted vault that cannot be purged or recovered.')
param keyVaultNameSalt string = ''

// ---------------------------------------------------------------- names

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName, application: 'harbormaster' }
var functionAppName = 'func-hm-${resourceToken}'
var backupJobName = 'job-hm-backup-${take(resourceToken, 10)}'
var taskHubName = 'harbormaster'
var deploymentContainerName = 'app-package-${resourceToken}'
var backupsContainerName = 'backups'
var deadLetterContainerName = 'eventgrid-deadletter'
var keyVaultToken = empty(keyVaultNameSalt) ? resourceToken : toLower(uniqueString(resourceToken, keyVaultNameSalt))

// Segments of the runner registry's id. ARM evaluates a module's scope and name even when its
// condition is false, so a conditional module must never index into a string that may be empty:
// without a registry, these are placeholders pointing at this resource group.
var backupRunnerRegistrySegments = split(empty(backupRunnerRegistryId) ? '${resourceGroup().id}/providers/Microsoft.ContainerRegistry/registries/none' : backupRunnerRegistryId, '/')

// Built-in role definition GUIDs (verified: see BUILT_IN_ROLES in src/adapters/azureOperations.ts).
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  containerRegistryRepositoryReader: 'b93aa761-3e63-49ed-ac28-beffa264f7ac'
  containerAppsContributor: '358470bc-b998-42bd-ab17-a7e34c199c0f'
  containerAppsJobsOperator: 'b9a307c4-5aa3-4b52-ba60-2b17c136cd7b'
  durableTaskDataContributor: '0ad04412-c4d5-4796-b79c-f76d14c8d402'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  monitoringReader: '43d0d8ad-25c7-4714-9337-8ba259a9fe05'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

// ---------------------------------------------------------------- Harbormaster's resources

module harbormasterIdentity 'modules/identity.bicep' = {
  name: 'harbormaster-identity'
  params: {
    name: 'id-harbormaster-${resourceToken}'
    location: location
    tags: tags
  }
}

module backupIdentity 'modules/identity.bicep' = {
  name: 'backup-identity'
  params: {
    name: 'id-hm-backup-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-hm-${resourceToken}'
    applicationInsightsName: 'appi-hm-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'sthm${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    backupsContainerName: backupsContainerName
    deadLetterContainerName: deadLetterContainerName
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'key-vault'
  params: {
    name: 'kv-hm-${take(keyVaultToken, 17)}'
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
    recover: keyVaultRecover
    workspaceId: monitoring.outputs.workspaceId
  }
}

module webhookSecrets 'modules/webhookSecrets.bicep' = {
  name: 'webhook-secrets'
  params: {
    keyVaultName: keyVault.outputs.name
    eventGridWebhookSecret: eventGridWebhookSecret
    acrWebhookSecret: acrWebhookSecret
  }
}

module durableTaskScheduler 'modules/durableTaskScheduler.bicep' = {
  name: 'durable-task-scheduler'
  params: {
    name: 'dts-hm-${resourceToken}'
    taskHubName: taskHubName
    location: location
    tags: tags
    skuName: durableTaskSchedulerSku
    capacity: durableTaskSchedulerCapacity
  }
}

module backupJob 'modules/backupJob.bicep' = {
  name: 'backup-job'
  params: {
    name: backupJobName
    location: backupEnvironmentLocation
    tags: tags
    environmentId: backupEnvironmentId
    image: backupRunnerImage
    registryServer: empty(backupRunnerRegistryId) ? '' : first(split(backupRunnerImage, '/'))
    identityId: backupIdentity.outputs.id
    identityClientId: backupIdentity.outputs.clientId
    keyVaultUri: keyVault.outputs.uri
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    backupsContainerName: storage.outputs.backupsContainerName
  }
  // The job pulls its image at each execution, the first one started by Harbormaster. The pull
  // grant is made first, and the job waits for the Function app too (minutes on a first
  // provision), which gives the assignment time to propagate before anything can start the job.
  dependsOn: [backupRunnerPull, functionApp]
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'function-app'
  params: {
    name: functionAppName
    planName: 'plan-hm-${resourceToken}'
    location: location
    tags: union(tags, { 'azd-service-name': 'harbormaster' })
    identityId: harbormasterIdentity.outputs.id
    identityClientId: harbormasterIdentity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    backupsContainerName: storage.outputs.backupsContainerName
    durableTaskSchedulerEndpoint: durableTaskScheduler.outputs.endpoint
    durableTaskHubName: durableTaskScheduler.outputs.taskHubName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    keyVaultUri: keyVault.outputs.uri
    eventGridWebhookSecretUri: webhookSecrets.outputs.eventGridSecretUri
    acrWebhookSecretUri: webhookSecrets.outputs.acrSecretUri
    dockerHubWebhookSecretName: dockerHubWebhookSecretName
    ghcrWebhookSecretName: ghcrWebhookSecretName
    // By name, not from the job module: the job is created after the app (see its dependsOn).
    backupJobName: backupJobName
    backupJobResourceGroup: resourceGroup().name
    backupJobSubscriptionId: subscription().subscriptionId
    maximumInstanceCount: maximumInstanceCount
    workspaceId: monitoring.outputs.workspaceId
    entraClientId: entraClientId
    apiKeyHashes: apiKeyHashes
  }
  // The host reads storage, the task hub and Key Vault at start: grant first.
  dependsOn: [hostBlobs, hostQueues, hostTables, taskHubAccess, secretsRead]
}

// ---------------------------------------------------------------- Harbormaster's own resources: grants

module hostBlobs 'modules/roles/onStorageAccount.bicep' = {
  name: 'role-hm-blobs'
  params: {
    storageAccountName: storage.outputs.name
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.storageBlobDataContributor
    purpose: 'Harbormaster: Functions host blobs and the deployment package'
  }
}

module hostQueues 'modules/roles/onStorageAccount.bicep' = {
  name: 'role-hm-queues'
  params: {
    storageAccountName: storage.outputs.name
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.storageQueueDataContributor
    purpose: 'Harbormaster: Functions host queues'
  }
}

module hostTables 'modules/roles/onStorageAccount.bicep' = {
  name: 'role-hm-tables'
  params: {
    storageAccountName: storage.outputs.name
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.storageTableDataContributor
    purpose: 'Harbormaster: deployment, event and backup records'
  }
}

module backupsManage 'modules/roles/onBlobContainer.bicep' = {
  name: 'role-hm-backups'
  params: {
    storageAccountName: storage.outputs.name
    containerName: storage.outputs.backupsContainerName
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.storageBlobDataOwner
    purpose: 'Harbormaster: backup status, retention (index tags) and restore'
  }
}

module taskHubAccess 'modules/roles/onDurableTaskHub.bicep' = {
  name: 'role-hm-taskhub'
  params: {
    schedulerName: durableTaskScheduler.outputs.name
    taskHubName: durableTaskScheduler.outputs.taskHubName
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.durableTaskDataContributor
    purpose: 'Harbormaster: Durable Functions backend'
  }
}

module secretsRead 'modules/roles/onKeyVault.bicep' = {
  name: 'role-hm-secrets'
  params: {
    keyVaultName: keyVault.outputs.name
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.keyVaultSecretsUser
    purpose: 'Harbormaster: Key Vault references and secret reads'
  }
}

module telemetryPublish 'modules/roles/onApplicationInsights.bicep' = {
  name: 'role-hm-telemetry'
  params: {
    componentName: monitoring.outputs.applicationInsightsName
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.monitoringMetricsPublisher
    purpose: 'Harbormaster: telemetry with Entra auth'
  }
}

module backupJobOperate 'modules/roles/onContainerAppsJob.bicep' = {
  name: 'role-hm-backup-job'
  params: {
    jobName: backupJob.outputs.name
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.containerAppsJobsOperator
    purpose: 'Harbormaster: start, watch and stop backup executions'
  }
}

// ---------------------------------------------------------------- the backup runner's grants

module backupRunnerPull 'modules/roles/onRegistry.bicep' = if (!empty(backupRunnerRegistryId)) {
  name: 'role-backup-pull'
  scope: resourceGroup(backupRunnerRegistrySegments[2], backupRunnerRegistrySegments[4])
  params: {
    registryName: last(backupRunnerRegistrySegments)
    principalId: backupIdentity.outputs.principalId
    roleDefinitionGuid: backupRunnerRegistryUsesAbac ? roles.containerRegistryRepositoryReader : roles.acrPull
    purpose: 'Backup runner: pull its image'
  }
}

// One grant per connection-string secret: the runner cannot read the webhook secrets or any
// other secret in the vault.
module backupRunnerSecrets 'modules/roles/onKeyVaultSecret.bicep' = [for secretName in backupDatabaseSecretNames: {
  name: 'role-backup-secret-${uniqueString(secretName)}'
  params: {
    keyVaultName: keyVault.outputs.name
    secretName: secretName
    principalId: backupIdentity.outputs.principalId
    roleDefinitionGuid: roles.keyVaultSecretsUser
    purpose: 'Backup runner: one database connection string'
  }
}]

module backupRunnerBlobs 'modules/roles/onBlobContainer.bicep' = {
  name: 'role-backup-blobs'
  params: {
    storageAccountName: storage.outputs.name
    containerName: storage.outputs.backupsContainerName
    principalId: backupIdentity.outputs.principalId
    roleDefinitionGuid: roles.storageBlobDataOwner
    purpose: 'Backup runner: upload dumps with index tags, verify, remove failures'
  }
}

module backupRunnerRecords 'modules/roles/onStorageAccount.bicep' = {
  name: 'role-backup-records'
  params: {
    storageAccountName: storage.outputs.name
    principalId: backupIdentity.outputs.principalId
    roleDefinitionGuid: roles.storageTableDataContributor
    purpose: 'Backup runner: result records'
  }
}

// ---------------------------------------------------------------- the managed estate: grants

module managedApps 'modules/roles/onContainerApp.bicep' = [for appId in managedAppIds: {
  name: 'role-hm-apps-${uniqueString(appId)}'
  scope: resourceGroup(split(appId, '/')[2], split(appId, '/')[4])
  params: {
    containerAppName: last(split(appId, '/'))
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.containerAppsContributor
    purpose: 'Harbormaster: deploy, promote and roll back this Container App'
  }
}]

module managedAppMetrics 'modules/roles/onContainerApp.bicep' = [for appId in managedAppIds: {
  name: 'role-hm-metrics-${uniqueString(appId)}'
  scope: resourceGroup(split(appId, '/')[2], split(appId, '/')[4])
  params: {
    containerAppName: last(split(appId, '/'))
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.monitoringReader
    purpose: 'Harbormaster: read this app\'s metrics in sweeps'
  }
}]

module managedEnvironments 'modules/roles/onManagedEnvironment.bicep' = [for environmentId in managedEnvironmentIds: {
  name: 'role-hm-env-${uniqueString(environmentId)}'
  scope: resourceGroup(split(environmentId, '/')[2], split(environmentId, '/')[4])
  params: {
    environmentName: last(split(environmentId, '/'))
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.containerAppsContributor
    purpose: 'Harbormaster: app updates join the environment'
  }
}]

module migrationJobs 'modules/roles/onContainerAppsJob.bicep' = [for jobId in migrationJobIds: {
  name: 'role-hm-migration-${uniqueString(jobId)}'
  scope: resourceGroup(split(jobId, '/')[2], split(jobId, '/')[4])
  params: {
    jobName: last(split(jobId, '/'))
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.containerAppsJobsOperator
    purpose: 'Harbormaster: run migrations with a per-execution override'
  }
}]

module logQueryWorkspaces 'modules/roles/onLogAnalyticsWorkspace.bicep' = [for workspaceId in logAnalyticsWorkspaceIds: {
  name: 'role-hm-logs-${uniqueString(workspaceId)}'
  scope: resourceGroup(split(workspaceId, '/')[2], split(workspaceId, '/')[4])
  params: {
    workspaceName: last(split(workspaceId, '/'))
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.monitoringReader
    purpose: 'Harbormaster: run the log-query analysis checks'
  }
}]

module registryPull 'modules/roles/onRegistry.bicep' = [for registryId in registryIds: {
  name: 'role-hm-pull-${uniqueString(registryId)}'
  scope: resourceGroup(split(registryId, '/')[2], split(registryId, '/')[4])
  params: {
    registryName: last(split(registryId, '/'))
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: contains(abacRegistryIds, registryId) ? roles.containerRegistryRepositoryReader : roles.acrPull
    purpose: 'Harbormaster: read manifests to verify and reconcile pushes'
  }
}]

// ---------------------------------------------------------------- registry push events

module registryTopics 'modules/registryEventsTopic.bicep' = [for registryId in registryIds: {
  name: 'eventgrid-topic-${uniqueString(registryId)}'
  scope: resourceGroup(split(registryId, '/')[2], split(registryId, '/')[4])
  params: {
    registryName: last(split(registryId, '/'))
    topicName: 'evgt-${last(split(registryId, '/'))}-harbormaster'
    existingTopicName: contains(registryTopicNames, registryId) ? registryTopicNames[registryId] : ''
    workspaceId: monitoring.outputs.workspaceId
    tags: tags
  }
}]

module deadLetterWrite 'modules/roles/onBlobContainer.bicep' = [for (registryId, i) in registryIds: {
  name: 'role-deadletter-${uniqueString(registryId)}'
  params: {
    storageAccountName: storage.outputs.name
    containerName: storage.outputs.deadLetterContainerName
    principalId: registryTopics[i].outputs.principalId
    roleDefinitionGuid: roles.storageBlobDataContributor
    purpose: 'Event Grid: dead-letter undeliverable pushes'
  }
}]

// The endpoint carries no key: the webhook is anonymous at the Functions level and checks the
// Event Grid secret itself, delivered in the Authorization header. A function or host key in
// this URL would be readable by anyone who can read the subscription, and the host key opens
// every function-key route (deploy, rollback, approve, backups).
module registrySubscriptions 'modules/registryEventsSubscription.bicep' = [for (registryId, i) in registryIds: if (enableEventGridSubscriptions) {
  name: 'eventgrid-sub-${uniqueString(registryId)}'
  scope: resourceGroup(split(registryId, '/')[2], split(registryId, '/')[4])
  params: {
    topicName: registryTopics[i].outputs.name
    endpointUrl: 'https://${functionApp.outputs.defaultHostName}/api/webhooks/eventgrid'
    webhookSecret: eventGridWebhookSecret
    deadLetterStorageAccountId: storage.outputs.id
    deadLetterContainerName: storage.outputs.deadLetterContainerName
  }
  dependsOn: [deadLetterWrite]
}]

// ---------------------------------------------------------------- outputs (azd stores them in .azure/<env>/.env)

output AZURE_LOCATION string = location
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.defaultHostName}'
output WEBHOOK_URL_EVENTGRID string = 'https://${functionApp.outputs.defaultHostName}/api/webhooks/eventgrid'
output WEBHOOK_URL_ACR string = 'https://${functionApp.outputs.defaultHostName}/api/webhooks/acr'
output WEBHOOK_URL_DOCKERHUB string = 'https://${functionApp.outputs.defaultHostName}/api/webhooks/dockerhub'
output WEBHOOK_URL_GHCR string = 'https://${functionApp.outputs.defaultHostName}/api/webhooks/ghcr'
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URI string = keyVault.outputs.uri
output BACKUP_JOB_NAME string = backupJob.outputs.name
output BACKUP_RUNNER_IMAGE string = backupRunnerImage
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output DURABLE_TASK_SCHEDULER_ENDPOINT string = durableTaskScheduler.outputs.endpoint
output HARBORMASTER_IDENTITY_CLIENT_ID string = harbormasterIdentity.outputs.clientId
output HARBORMASTER_IDENTITY_PRINCIPAL_ID string = harbormasterIdentity.outputs.principalId
output BACKUP_IDENTITY_PRINCIPAL_ID string = backupIdentity.outputs.principalId
output EVENT_GRID_SUBSCRIPTIONS_ENABLED bool = enableEventGridSubscriptions
output SIGN_IN_REDIRECT_URI string = 'https://${functionApp.outputs.defaultHostName}/.auth/login/aad/callback'
