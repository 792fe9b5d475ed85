// Harbormaster's own storage account: the Functions host's AzureWebJobsStorage (blobs, queues,
// tables), the Flex Consumption deployment package container, deployment/event/backup records,
// the backups container and the Event Grid dead-letter container.
// Shared key access is disabled: every client authenticates with Entra ID (managed identities).
// Backups survive a compromised identity: the internet-facing app must be able to delete backups
// (retention), so deletes are made recoverable instead of forbidden: blob versioning, blob soft
// delete and container soft delete keep what is deleted or overwritten for
// deleteRetentionInDays, and nobody can purge it sooner (permanent delete stays disabled).
// AVM equivalent: br/public:avm/res/storage/storage-account.
targetScope = 'resourceGroup'

@description('Name of the storage account (3-24 lowercase letters and digits).')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

@description('Container the Flex Consumption app is deployed from.')
param deploymentContainerName string

@description('Private container holding database backups.')
param backupsContainerName string

@description('Container receiving Event Grid events that could not be delivered within 24 hours.')
param deadLetterContainerName string

@description('Days a deleted or overwritten blob, and a deleted container, can be restored.')
@minValue(7)
@maxValue(365)
param deleteRetentionInDays int = 30

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: { enabled: true, days: deleteRetentionInDays, allowPermanentDelete: false }
    containerDeleteRetentionPolicy: { enabled: true, days: deleteRetentionInDays }
  }
}

// Versioning keeps every overwrite (the Functions host rewrites its own blobs often): previous
// versions older than the recovery window are removed, so it does not grow without bound.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'] }
            actions: {
              version: {
                delete: { daysAfterCreationGreaterThan: deleteRetentionInDays }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [blobService]
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource backupsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: backupsContainerName
  properties: { publicAccess: 'None' }
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: { publicAccess: 'None' }
}

output name string = account.name
output id string = account.id
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerName string = deploymentContainer.name
output backupsContainerName string = backupsContainer.name
output deadLetterContainerName string = deadLetterContainer.name
