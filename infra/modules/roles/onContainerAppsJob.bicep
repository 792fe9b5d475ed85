// Grants one built-in role on one Container Apps Job (migration jobs, the backup job).
// Every role assignment in this deployment goes through a module in this folder, so
// test/infra can read who gets which role where (see src/adapters/azureOperations.ts).
// AVM equivalent: br/public:avm/ptn/authorization/resource-role-assignment.
targetScope = 'resourceGroup'

@description('Name of the Container Apps Job in this resource group.')
param jobName string

@description('Object (principal) id of the identity receiving the role.')
param principalId string

@description('Built-in role definition GUID.')
param roleDefinitionGuid string

@description('Why the identity holds this role, shown in the portal.')
param purpose string

resource job 'Microsoft.App/jobs@2024-03-01' existing = {
  name: jobName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(job.id, principalId, roleDefinitionGuid)
  scope: job
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: purpose
  }
}
