// The Event Grid system topic of one container registry (deployed in the registry's resource
// group and region). Its system-assigned identity writes undeliverable events to Harbormaster's
// dead-letter container (storage has shared keys disabled, so dead-lettering needs an identity).
// AVM equivalent: br/public:avm/res/event-grid/system-topic.
targetScope = 'resourceGroup'

@description('Name of the container registry in this resource group.')
param registryName string

@description('Name of the system topic.')
param topicName string

@description('Resource tags.')
param tags object = {}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
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

output name string = topic.name
output principalId string = topic.identity.principalId
