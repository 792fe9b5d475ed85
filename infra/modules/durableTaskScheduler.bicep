// Durable Task Scheduler and one task hub: the Durable Functions backend (host.json
// storageProvider.type = azureManaged). Chosen over the Azure Storage provider because it needs
// no storage-account data roles for orchestration state (one data role on one task hub), keeps
// history out of Harbormaster's account, and has a dashboard for stuck orchestrations.
// AVM equivalent: none published at the time of writing.
targetScope = 'resourceGroup'

@description('Name of the scheduler (3-64 letters, digits, hyphens).')
param name string

@description('Name of the task hub (matches DURABLE_TASK_HUB).')
param taskHubName string

@description('Azure region.')
param location string

@description('Resource tags.')
param tags object = {}

@allowed(['Consumption', 'Dedicated'])
@description('Consumption is pay-per-use; Dedicated for steady high throughput.')
param skuName string = 'Consumption'

@description('Capacity units of a Dedicated scheduler (Dedicated requires one or more; Consumption takes none).')
@minValue(1)
param capacity int = 1

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: skuName == 'Dedicated' ? { name: skuName, capacity: capacity } : { name: skuName }
    // An empty list denies all traffic; access is still gated by Entra ID and RBAC.
    ipAllowlist: ['0.0.0.0/0']
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

output name string = scheduler.name
output taskHubName string = taskHub.name
output endpoint string = scheduler.properties.endpoint
