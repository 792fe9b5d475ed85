// Key Vault in RBAC mode for webhook secrets, notification URLs and database connection strings.
// Harbormaster reads them through Key Vault references and @azure/keyvault-secrets; nobody gets
// access policies. Its audit log (every secret read, by whom) goes to Log Analytics.
// AVM equivalent: br/public:avm/res/key-vault/vault.
targetScope = 'resourceGroup'

@description('Name of the vault (3-24 characters).')
param name string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

@description('Purge protection: a deleted vault (and its secrets) cannot be purged before the retention period ends. Once on, it cannot be turned off.')
param purgeProtection bool = true

@description('Recover a soft-deleted vault of this name instead of creating a new one.')
param recover bool = false

@description('Days a deleted vault is kept (and its name reserved).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

@description('Log Analytics workspace receiving the vault\'s audit events.')
param workspaceId string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  // enablePurgeProtection is sent only when on: ARM refuses false on a vault that has it, and a
  // vault without it simply omits it.
  properties: union({
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    createMode: recover ? 'recover' : 'default'
    publicNetworkAccess: 'Enabled'
  }, purgeProtection ? { enablePurgeProtection: true } : {})
}

resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'harbormaster'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      { categoryGroup: 'audit', enabled: true }
    ]
  }
}

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
