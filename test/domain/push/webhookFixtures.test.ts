import { listWebhookFixtures } from './webhookFixtures';

// Every shared sample from a source these parsers handle is exercised by a parser test.
// A new sample in the folder fails this test until a test reads it.
const SAMPLES_TESTED_BY_PARSERS = [
  'acr_webhook_chart_delete.json', // parseAcrWebhook.test
  'acr_webhook_chart_push.json',
  'acr_webhook_delete.json',
  'acr_webhook_push.json',
  'acr_webhook_quarantine.json',
  'dockerhub_webhook_push.json', // parseDockerHubWebhook.test
  'eventgrid_SubscriptionValidationEvent.json', // parseEventGridDelivery.test
  'eventgrid_SubscriptionValidationResponse.json',
  'eventgrid_acr_ContainerRegistryImageDeletedEvent.sdk-java.json',
  'eventgrid_acr_ContainerRegistryImagePushedEvent.sdk-java.json',
  'eventgrid_acr_ImageDeleted.cloudevents.json',
  'eventgrid_acr_ImageDeleted.eventgridschema.docs.json',
  'eventgrid_acr_ImagePushed.cloudevents.json',
  'eventgrid_acr_ImagePushed.eventgridschema.docs.json',
  'github_package_published.docker.payload.json', // parseGhcrWebhook.test
  'github_registry_package_published.docker.payload.json',
];

describe('the shared webhook samples', () => {
  it('from ACR, Event Grid, Docker Hub and GitHub are all covered by a parser test', () => {
    const ours = listWebhookFixtures().filter((name) => /^(acr|eventgrid|dockerhub|github)_/.test(name));
    expect(ours).toEqual(SAMPLES_TESTED_BY_PARSERS);
  });
});
