// Grants one built-in role on one Application Insights component.
// Every role assignment in this deployment goes through a module in this folder, so
// test/infra can read who gets which role where (see src/adapters/azureOperations.ts).
// AVM equivalent: br/public:avm/ptn/authorization/resource-role-assignment.
targetScope = 'resourceGroup'

@description('Name of the Application Insights component in this resource group.')
param componentName string

@description('Object (principal) id of the identity receiving the role.')
param principalId string

@description('Built-in role definition GUID.')
param roleDefinitionGuid string

@description('Why the identity holds this role, shown in the portal.')
param purpose string

resource component 'Microsoft.Insights/components@2020-02-02' existing = {
  name: componentName
}

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(component.id, principalId, roleDefinitionGuid)
  scope: component
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleDefinitionGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: purpose
  }
}
