// One user-assigned managed identity.
// User-assigned (not system-assigned) so role assignments can be made before the app exists and
// survive its re-creation. AVM equivalent: br/public:avm/res/managed-identity/user-assigned-identity.
targetScope = 'resourceGroup'

@description('Name of the identity.')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
