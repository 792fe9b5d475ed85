// Grants one built-in role on one Durable Task Scheduler task hub.
// Every role assignment in this deployment goes through a module in this folder, so
// test/infra can read who gets which role where (see src/adapters/azureOperations.ts).
// AVM equivalent: br/public:avm/ptn/authorization/resource-role-assignment.
targetScope = 'resourceGroup'

@description('Name of the Durable Task Scheduler in this resource group.')
param schedulerName string

@description('Name of the task hub.')
param taskHubName string

@description('Object (principal) id of the identity receiving the role.')
param principalId string

@description('Built-in role definition GUID.')
param roleDefinitionGuid string

@description('Why the identity holds this role, shown in the portal.')
param purpose string

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' existing = {
  name: '${schedulerName}/${taskHubName}'
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, principalId, roleDefinitionGuid)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: purpose
  }
}
