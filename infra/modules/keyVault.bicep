// Key Vault in RBAC mode for webhook secrets, notification URLs and database connection strings.
// Harbormaster reads them through Key Vault references and @azure/keyvault-secrets; nobody gets
// access policies. AVM equivalent: br/public:avm/res/key-vault/vault.
targetScope = 'resourceGroup'

@description('Name of the vault (3-24 characters).')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
