// Harbormaster on Azure: `azd up` (or `az deployment group create -f infra/main.bicep`).
//
// What it creates, in one resource group: a Function app on Flex Consumption with one
// user-assigned identity, its storage account (shared keys disabled), a Durable Task Scheduler,
// Key Vault (RBAC), Log Analytics + Application Insights (Entra auth), the backup Container Apps
// Job with its own identity, and an Event Grid system topic per followed registry.
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

@description('Resource ids of the resource groups holding the Container Apps Harbormaster deploys (Container Apps Contributor and Monitoring Reader there).')
param managedAppResourceGroupIds array = []

@description('Resource ids of the managed environments of those apps (updates check their join permission).')
param managedEnvironmentIds array = []

@description('Resource ids of the apps\' migration Container Apps Jobs (Container Apps Jobs Operator on each).')
param migrationJobIds array = []

@description('Resource ids of the container registries whose pushes Harbormaster follows (AcrPull, Event Grid system topic).')
param registryIds array = []

@description('Resource id of the Container Apps managed environment the backup job runs in.')
param backupEnvironmentId string

@description('Region of that environment (the job must be in it).')
param backupEnvironmentLocation string = location

@description('Backup runner image built from Dockerfile.backup, e.g. myregistry.azurecr.io/harbormaster-backup:1.0.0.')
param backupRunnerImage string

@description('Resource id of the registry holding the runner image (empty for a public image).')
param backupRunnerRegistryId string = ''

@description('Create the Event Grid subscriptions. False on the first provision (the webhook must be deployed before Event Grid validates it); the postdeploy hook sets it.')
param enableEventGridSubscriptions bool = false

@secure()
@description('Event Grid webhook secret; a fresh one on every provision unless given.')
param eventGridWebhookSecret string = newGuid()

@secure()
@description('ACR webhook secret (for the optional ACR webhook); a fresh one on every provision unless given.')
param acrWebhookSecret string = newGuid()

@description('Key Vault secret name of the Docker Hub webhook secret; empty leaves that source disabled.')
param dockerHubWebhookSecretName string = ''

@description('Key Vault secret name of the GitHub Container Registry webhook secret; empty leaves that source disabled.')
param ghcrWebhookSecretName string = ''

@description('Durable Task Scheduler SKU.')
@allowed(['Consumption', 'Dedicated'])
param durableTaskSchedulerSku string = 'Consumption'

// ---------------------------------------------------------------- names

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName, application: 'harbormaster' }
var functionAppName = 'func-hm-${resourceToken}'
var taskHubName = 'harbormaster'
var deploymentContainerName = 'app-package-${resourceToken}'
var backupsContainerName = 'backups'
var deadLetterContainerName = 'eventgrid-deadletter'

// Built-in role definition GUIDs (verified: see BUILT_IN_ROLES in src/adapters/azureOperations.ts).
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
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
    name: 'kv-hm-${take(resourceToken, 17)}'
    location: location
    tags: tags
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
  }
}

module backupJob 'modules/backupJob.bicep' = {
  name: 'backup-job'
  params: {
    name: 'job-hm-backup-${take(resourceToken, 10)}'
    location: backupEnvironmentLocation
    tags: tags
    environmentId: backupEnvironmentId
    image: backupRunnerImage
    registryServer: empty(backupRunnerRegistryId) ? '' : split(backupRunnerImage, '/')[0]
    identityId: backupIdentity.outputs.id
    identityClientId: backupIdentity.outputs.clientId
    keyVaultUri: keyVault.outputs.uri
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    backupsContainerName: storage.outputs.backupsContainerName
  }
  // The job pulls its image at the first execution; AcrPull must exist by then.
  dependsOn: [backupRunnerPull]
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
    backupJobName: backupJob.outputs.name
    backupJobResourceGroup: resourceGroup().name
    backupJobSubscriptionId: subscription().subscriptionId
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
  scope: resourceGroup(split(backupRunnerRegistryId, '/')[2], split(backupRunnerRegistryId, '/')[4])
  params: {
    registryName: last(split(backupRunnerRegistryId, '/'))
    principalId: backupIdentity.outputs.principalId
    roleDefinitionGuid: roles.acrPull
    purpose: 'Backup runner: pull its image'
  }
}

module backupRunnerSecrets 'modules/roles/onKeyVault.bicep' = {
  name: 'role-backup-secrets'
  params: {
    keyVaultName: keyVault.outputs.name
    principalId: backupIdentity.outputs.principalId
    roleDefinitionGuid: roles.keyVaultSecretsUser
    purpose: 'Backup runner: database connection strings'
  }
}

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

module managedApps 'modules/roles/onResourceGroup.bicep' = [for rgId in managedAppResourceGroupIds: {
  name: 'role-hm-apps-${uniqueString(rgId)}'
  scope: resourceGroup(split(rgId, '/')[2], split(rgId, '/')[4])
  params: {
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.containerAppsContributor
    purpose: 'Harbormaster: deploy, promote and roll back Container Apps'
  }
}]

module managedAppMetrics 'modules/roles/onResourceGroup.bicep' = [for rgId in managedAppResourceGroupIds: {
  name: 'role-hm-metrics-${uniqueString(rgId)}'
  scope: resourceGroup(split(rgId, '/')[2], split(rgId, '/')[4])
  params: {
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.monitoringReader
    purpose: 'Harbormaster: read the apps\' metrics in sweeps'
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

module registryPull 'modules/roles/onRegistry.bicep' = [for registryId in registryIds: {
  name: 'role-hm-pull-${uniqueString(registryId)}'
  scope: resourceGroup(split(registryId, '/')[2], split(registryId, '/')[4])
  params: {
    registryName: last(split(registryId, '/'))
    principalId: harbormasterIdentity.outputs.principalId
    roleDefinitionGuid: roles.acrPull
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

module registrySubscriptions 'modules/registryEventsSubscription.bicep' = [for (registryId, i) in registryIds: if (enableEventGridSubscriptions) {
  name: 'eventgrid-sub-${uniqueString(registryId)}'
  scope: resourceGroup(split(registryId, '/')[2], split(registryId, '/')[4])
  params: {
    topicName: registryTopics[i].outputs.name
    // The function key is read here, after the app exists; it never appears in outputs.
    endpointUrl: 'https://${functionApp.outputs.defaultHostName}/api/webhooks/eventgrid?code=${enableEventGridSubscriptions ? listKeys(resourceId('Microsoft.Web/sites/host', functionAppName, 'default'), '2024-04-01').functionKeys.default : ''}'
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
output EVENT_GRID_SUBSCRIPTIONS_ENABLED bool = enableEventGridSubscriptions
