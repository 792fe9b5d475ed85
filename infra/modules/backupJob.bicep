// The backup runner: a manual-trigger Container Apps Job running Harbormaster's own image
// (Dockerfile.backup: Node plus postgresql-client of the configured major). Flex Consumption runs
// code, not containers, so pg_dump runs here; Harbormaster starts one execution per backup with a
// per-execution override (database, backup id, trigger) and waits for it.
// AVM equivalent: br/public:avm/res/app/job.
targetScope = 'resourceGroup'

@description('Name of the job.')
param name string

@description('Azure region (the environment\'s).')
param location string

@description('Resource tags.')
param tags object = {}

@description('Resource id of the Container Apps managed environment the job runs in.')
param environmentId string

@description('Runner image, e.g. myregistry.azurecr.io/harbormaster-backup:1.0.0.')
param image string

@description('Login server of the registry holding the image (empty: a public image).')
param registryServer string = ''

@description('Resource id of the backup runner\'s user-assigned identity.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Key Vault URI holding the database connection strings.')
param keyVaultUri string

@description('Blob endpoint of Harbormaster\'s storage account.')
param blobEndpoint string

@description('Table endpoint of Harbormaster\'s storage account (result records).')
param tableEndpoint string

@description('Container backups are written to.')
param backupsContainerName string

@description('Longest a backup may run, seconds.')
param replicaTimeoutSeconds int = 14400

@description('CPU cores per execution.')
param cpu string = '1.0'

@description('Memory per execution.')
param memory string = '2Gi'

resource job 'Microsoft.App/jobs@2024-03-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    configuration: {
      triggerType: 'Manual'
      manualTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
      }
      // A failed dump is reported, not retried blindly: the orchestration decides.
      replicaRetryLimit: 0
      replicaTimeout: replicaTimeoutSeconds
      registries: empty(registryServer) ? [] : [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'backup-runner'
          image: image
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          // Same names as the Function app's settings, so the runner reads them with the same
          // settings module. Per-backup values arrive as the execution's override.
          env: [
            { name: 'AZURE_CLIENT_ID', value: identityClientId }
            { name: 'HARBORMASTER_CREDENTIAL', value: 'managed-identity' }
            { name: 'HARBORMASTER_KEY_VAULT_URL', value: keyVaultUri }
            { name: 'HARBORMASTER_BACKUP_CONTAINER', value: backupsContainerName }
            { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
            { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
            { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
            { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
          ]
        }
      ]
    }
  }
}

output name string = job.name
output id string = job.id
