// Harbormaster's Function app on Flex Consumption (Linux, Node 22), running as one user-assigned
// managed identity. Everything it talks to is reached with that identity: storage
// (AzureWebJobsStorage__*), the Durable Task Scheduler, Key Vault (references below and
// @azure/keyvault-secrets), Application Insights (Entra auth), ARM and the registries.
// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not be app settings there.
// AVM equivalents: br/public:avm/res/web/serverfarm, br/public:avm/res/web/site.
targetScope = 'resourceGroup'

@description('Name of the Function app (also its host name: <name>.azurewebsites.net).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region (must offer Flex Consumption).')
param location string

@description('Resource tags; azd finds the app through azd-service-name.')
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Storage account blob endpoint (https://<account>.blob.core.windows.net/).')
param blobEndpoint string

@description('Storage account queue endpoint.')
param queueEndpoint string

@description('Storage account table endpoint.')
param tableEndpoint string

@description('Container the deployment package is uploaded to.')
param deploymentContainerName string

@description('Container database backups are written to.')
param backupsContainerName string

@description('Durable Task Scheduler endpoint (https://...durabletask.io).')
param durableTaskSchedulerEndpoint string

@description('Durable Task hub name.')
param durableTaskHubName string

@secure()
@description('Application Insights connection string (not a credential once local auth is disabled, but kept out of deployment logs anyway).')
param applicationInsightsConnectionString string

@description('Key Vault URI (https://<vault>.vault.azure.net/).')
param keyVaultUri string

@description('Versioned URI of the Key Vault secret holding the Event Grid webhook secret.')
param eventGridWebhookSecretUri string

@description('Versioned URI of the Key Vault secret holding the ACR webhook secret.')
param acrWebhookSecretUri string

@description('Name of a Key Vault secret holding the Docker Hub webhook secret; empty leaves the source disabled.')
param dockerHubWebhookSecretName string = ''

@description('Name of a Key Vault secret holding the GitHub Container Registry webhook secret; empty leaves the source disabled.')
param ghcrWebhookSecretName string = ''

@description('Apps configuration file inside the deployed package.')
param configPath string = 'config/apps.json'

@description('Name of the backup Container Apps Job.')
param backupJobName string

@description('Resource group of the backup job.')
param backupJobResourceGroup string

@description('Subscription of the backup job.')
param backupJobSubscriptionId string

@description('Memory per instance (MB): 512, 2048 or 4096.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Upper bound on Flex Consumption instances (Flex accepts 1 to 1000). Kept small: each instance may write to ARM for the apps it deploys.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Log Analytics workspace receiving the app\'s function logs.')
param workspaceId string

@description('Application (client) id of the Entra ID app registration people sign in through (App Service authentication); empty: no sign-in, API keys only.')
param entraClientId string = ''

@description('Tenant of that app registration.')
param entraTenantId string = tenant().tenantId

@description('API keys for automation as name:scope:sha256hex entries, comma-separated (hashes, never keys; see infra/README.md "Who may do what").')
param apiKeyHashes string = ''

// Settings every deployment has. Secrets are Key Vault references resolved with the app's identity
// (keyVaultReferenceIdentity below); versioned URIs make a rotated secret restart the app with
// the new value at once, instead of after the 24-hour reference cache.
var coreAppSettings = [
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
  { name: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING', value: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}' }
  { name: 'DURABLE_TASK_HUB', value: durableTaskHubName }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD;ClientId=${identityClientId}' }
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'HARBORMASTER_CREDENTIAL', value: 'managed-identity' }
  // The host refuses a larger body (413) before it reaches a function: no route of ours reads more than an Event Grid batch.
  { name: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT', value: '1048576' }
  { name: 'HARBORMASTER_CONFIG_PATH', value: configPath }
  { name: 'HARBORMASTER_KEY_VAULT_URL', value: keyVaultUri }
  { name: 'HARBORMASTER_BACKUP_CONTAINER', value: backupsContainerName }
  { name: 'HARBORMASTER_BACKUP_JOB_NAME', value: backupJobName }
  { name: 'HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP', value: backupJobResourceGroup }
  { name: 'HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID', value: backupJobSubscriptionId }
  { name: 'HARBORMASTER_API_KEYS', value: apiKeyHashes }
  { name: 'WEBHOOK_SECRET_EVENTGRID', value: '@Microsoft.KeyVault(SecretUri=${eventGridWebhookSecretUri})' }
  { name: 'WEBHOOK_SECRET_ACR', value: '@Microsoft.KeyVault(SecretUri=${acrWebhookSecretUri})' }
]

// Sources that stay disabled (401) unless their secret exists in the vault: a reference to a
// missing secret would hand the app the reference text itself as the "secret".
var dockerHubAppSettings = empty(dockerHubWebhookSecretName) ? [] : [
  { name: 'WEBHOOK_SECRET_DOCKERHUB', value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${dockerHubWebhookSecretName})' }
]
var ghcrAppSettings = empty(ghcrWebhookSecretName) ? [] : [
  { name: 'WEBHOOK_SECRET_GHCR', value: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${ghcrWebhookSecretName})' }
]

// Sign-in without a client secret: App Service authentication proves the app registration's
// identity with a token of the app's managed identity (a federated credential on the
// registration trusts it; infra/README.md "Who may do what" creates it). The platform reads
// these two settings; the app never does.
var signInAppSettings = empty(entraClientId) ? [] : [
  { name: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID', value: identityClientId }
  { name: 'WEBSITE_AUTH_AAD_ALLOWED_TENANTS', value: entraTenantId }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat(coreAppSettings, dockerHubAppSettings, ghcrAppSettings, signInAppSettings)
    }
  }
}

// Microsoft Entra ID sign-in in front of the app (App Service authentication, "Easy Auth").
// Anonymous requests still reach the app, which decides (src/functions/http/apiRoute.ts): API
// keys for automation, a signed-in user's app roles for people, public routes for health,
// badges and webhooks. The platform validates the session and hands the app the user as the
// x-ms-client-principal header, removing any copy a client sent; WEBSITE_AUTH_ENABLED tells the
// app it may trust it. The webhooks are left out entirely: their senders put a shared secret in
// the Authorization header, which the platform must not take for a sign-in token.
resource signIn 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(entraClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
      excludedPaths: [
        '/api/webhooks/acr'
        '/api/webhooks/eventgrid'
        '/api/webhooks/dockerhub'
        '/api/webhooks/ghcr'
      ]
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: entraClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${entraTenantId}/v2.0'
          clientSecretSettingName: 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
        }
        validation: {
          allowedAudiences: [
            entraClientId
            'api://${entraClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: { enabled: false }
      cookieExpiration: { convention: 'FixedTime', timeToExpiration: '08:00:00' }
    }
    httpSettings: {
      requireHttps: true
      forwardProxy: { convention: 'NoProxy' }
    }
  }
}

// Deployment goes through the deployment container with the app's identity (azd, zip deploy);
// nothing needs a publishing user name and password, so basic authentication is off for both.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource logs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'harbormaster'
  scope: site
  properties: {
    workspaceId: workspaceId
    logs: [
      { category: 'FunctionAppLogs', enabled: true }
    ]
  }
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
