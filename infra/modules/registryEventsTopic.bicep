// The Event Grid system topic of one container registry (deployed in the registry's resource
// group and region). Its system-assigned identity writes undeliverable events to Harbormaster's
// dead-letter container (storage has shared keys disabled, so dead-lettering needs an identity).
// Azure allows one system topic per source: when the registry already has one, its name comes in
// as existingTopicName and that topic is used as it is (it must have a system-assigned identity).
// Delivery failures go to Log Analytics either way.
// AVM equivalent: br/public:avm/res/event-grid/system-topic.
targetScope = 'resourceGroup'

@description('Name of the container registry in this resource group.')
param registryName string

@description('Name of the system topic to create.')
param topicName string

@description('Name of the registry\'s existing system topic; empty creates topicName.')
param existingTopicName string = ''

@description('Log Analytics workspace receiving delivery failures.')
param workspaceId string

@description('Resource tags.')
param tags object = {}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

var adopt = !empty(existingTopicName)

resource createdTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = if (!adopt) {
  name: topicName
  location: registry.location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: registry.id
    topicType: 'Microsoft.ContainerRegistry.Registries'
  }
}

// Read only when adopted (ARM evaluates only the branch of if() that its condition picks).
resource adoptedTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: adopt ? existingTopicName : topicName
}

resource deliveryFailures 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'harbormaster'
  scope: adoptedTopic
  properties: {
    workspaceId: workspaceId
    logs: [
      { category: 'DeliveryFailures', enabled: true }
    ]
  }
  dependsOn: [createdTopic]
}

output name string = adopt ? adoptedTopic.name : createdTopic.name
output principalId string = adopt ? adoptedTopic.identity.principalId : createdTopic.identity.principalId
