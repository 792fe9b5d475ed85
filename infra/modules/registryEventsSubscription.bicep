// Subscribes Harbormaster's webhook to one registry's ImagePushed events. Event Grid validates
// the endpoint when the subscription is created, so this needs the app's code deployed first:
// azure.yaml's postdeploy hook provisions again with enableEventGridSubscriptions=true.
// Retried for 24 hours; what still fails is dead-lettered to a blob container.
targetScope = 'resourceGroup'

@description('Name of the registry\'s system topic in this resource group.')
param topicName string

@description('Name of the subscription.')
param subscriptionName string = 'harbormaster-image-pushed'

@description('Webhook URL, without any key: the webhook authenticates deliveries by webhookSecret.')
param endpointUrl string

@secure()
@description('Shared secret sent as Authorization: Bearer <secret> (WEBHOOK_SECRET_EVENTGRID).')
param webhookSecret string

@description('Resource id of the storage account holding the dead-letter container.')
param deadLetterStorageAccountId string

@description('Dead-letter container name.')
param deadLetterContainerName string

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' existing = {
  name: topicName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.ContainerRegistry.ImagePushed'
      ]
    }
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: endpointUrl
        maxEventsPerBatch: 10
        preferredBatchSizeInKilobytes: 64
        // A static delivery property marked secret (hidden from readers of the subscription).
        // Not an aeg-* header: that prefix belongs to Event Grid's own system headers.
        deliveryAttributeMappings: [
          {
            name: 'Authorization'
            type: 'Static'
            properties: {
              value: 'Bearer ${webhookSecret}'
              isSecret: true
            }
          }
        ]
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output name string = subscription.name
