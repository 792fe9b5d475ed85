// The shared secrets Harbormaster's webhooks check, stored in Key Vault. Values come in as
// secure parameters that azd generates once and then passes unchanged on every provision, so a
// provision rewrites the same value (no new version, no restart). A deliberate rotation changes
// the vault, the app's Key Vault references and the Event Grid subscriptions together.
// AVM equivalent: the `secrets` input of br/public:avm/res/key-vault/vault.
targetScope = 'resourceGroup'

@description('Name of the vault.')
param keyVaultName string

@secure()
@description('Secret Event Grid deliveries carry (Authorization: Bearer header).')
param eventGridWebhookSecret string

@secure()
@description('Secret ACR webhooks carry (Authorization header).')
param acrWebhookSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource eventGridSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'webhook-secret-eventgrid'
  properties: {
    value: eventGridWebhookSecret
    contentType: 'Harbormaster webhook secret (Event Grid)'
  }
}

resource acrSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'webhook-secret-acr'
  properties: {
    value: acrWebhookSecret
    contentType: 'Harbormaster webhook secret (ACR webhook)'
  }
}

// Versioned URIs: a new value is a new app setting, which restarts the app with it.
output eventGridSecretUri string = eventGridSecret.properties.secretUriWithVersion
output acrSecretUri string = acrSecret.properties.secretUriWithVersion
