// Log Analytics workspace and a workspace-based Application Insights component that accepts only
// Entra-authenticated telemetry (local auth disabled: no instrumentation key can write to it).
// AVM equivalents: br/public:avm/res/operational-insights/workspace, br/public:avm/res/insights/component.
targetScope = 'resourceGroup'

@description('Name of the Log Analytics workspace.')
param logAnalyticsName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

@description('Days Log Analytics keeps data.')
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: retentionInDays
  }
}

resource component 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

output workspaceId string = workspace.id
output applicationInsightsName string = component.name
output applicationInsightsId string = component.id
// The connection string names the component and its ingestion endpoint; with local auth disabled
// it is not a credential (telemetry also needs an Entra token for the identity).
output connectionString string = component.properties.ConnectionString
