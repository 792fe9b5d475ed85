// Grants one built-in role on one blob container (never the whole account).
// Every role assignment in this deployment goes through a module in this folder, so
// test/infra can read who gets which role where (see src/adapters/azureOperations.ts).
// AVM equivalent: br/public:avm/ptn/authorization/resource-role-assignment.
targetScope = 'resourceGroup'

@description('Name of the storage account in this resource group.')
param storageAccountName string

@description('Name of the blob container.')
param containerName string

@description('Object (principal) id of the identity receiving the role.')
param principalId string

@description('Built-in role definition GUID.')
param roleDefinitionGuid string

@description('Why the identity holds this role, shown in the portal.')
param purpose string

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  name: '${storageAccountName}/default/${containerName}'
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(container.id, principalId, roleDefinitionGuid)
  scope: container
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: purpose
  }
}
