// Grants one built-in role on one Container Apps managed environment (its join permission is checked on every app update).
// Every role assignment in this deployment goes through a module in this folder, so
// test/infra can read who gets which role where (see src/adapters/azureOperations.ts).
// AVM equivalent: br/public:avm/ptn/authorization/resource-role-assignment.
targetScope = 'resourceGroup'

@description('Name of the managed environment in this resource group.')
param environmentName string

@description('Object (principal) id of the identity receiving the role.')
param principalId string

@description('Built-in role definition GUID.')
param roleDefinitionGuid string

@description('Why the identity holds this role, shown in the portal.')
param purpose string

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' existing = {
  name: environmentName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(environment.id, principalId, roleDefinitionGuid)
  scope: environment
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: purpose
  }
}
