import { parseEventGridDelivery, type EventGridDeliveryResult, type ImagePushed } from '../../../src/domain/push';
import { PLANTED_SECRET, readFixture, REAL_DIGEST, withField } from './webhookFixtures';

const notification = { 'aeg-event-type': 'Notification' };

/** The push every ImagePushed sample on the current Event Grid page describes. */
const docsPush: ImagePushed = {
  source: 'eventgrid',
  deliveryId: '831e1650-001e-001b-66ab-eeb76e069631',
  registry: 'demo.azurecr.io',
  repository: 'aci-helloworld',
  tag: 'v1',
  digest: REAL_DIGEST,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  sizeBytes: 3023,
  pushedAt: '2018-04-25T21:39:47.276Z',
};

function resultsOf(result: EventGridDeliveryResult) {
  if (result.kind !== 'batch') throw new Error(`expected a batch, got ${JSON.stringify(result)}`);
  return result.results;
}

const cloudEventPush = (readFixture('eventgrid_acr_ImagePushed.cloudevents.json') as unknown[])[0] as Record<string, unknown>;
const eventGridPush = (readFixture('eventgrid_acr_ImagePushed.eventgridschema.docs.json') as unknown[])[0] as Record<string, unknown>;
const fullTypeEventGridPush = withField(eventGridPush, 'eventType', 'Microsoft.ContainerRegistry.ImagePushed');

describe('parseEventGridDelivery', () => {
  it.each([
    ['the CloudEvents batch sample', 'eventgrid_acr_ImagePushed.cloudevents.json'],
    // Known doc error (SOURCES.md): `eventType: "ImagePushed"` without the namespace; accepted.
    ['the Event Grid schema sample with the short eventType of the 2018 doc', 'eventgrid_acr_ImagePushed.eventgridschema.docs.json'],
  ])('turns %s into ImagePushed (registry from data.request.host, digest and tag from data.target)', (_name, file) => {
    expect(parseEventGridDelivery(readFixture(file), notification)).toEqual({ kind: 'batch', results: [{ kind: 'pushed', push: docsPush }] });
  });

  it('reads the full Microsoft.ContainerRegistry.ImagePushed type in the Event Grid schema', () => {
    expect(resultsOf(parseEventGridDelivery([fullTypeEventGridPush], notification))).toEqual([{ kind: 'pushed', push: docsPush }]);
  });

  it('reads a single CloudEvent that is not in an array', () => {
    expect(resultsOf(parseEventGridDelivery(cloudEventPush, notification))).toEqual([{ kind: 'pushed', push: docsPush }]);
  });

  it.each([
    'eventgrid_acr_ImageDeleted.cloudevents.json',
    'eventgrid_acr_ImageDeleted.eventgridschema.docs.json',
    'eventgrid_acr_ContainerRegistryImageDeletedEvent.sdk-java.json',
  ])('ignores the ImageDeleted sample %s', (file) => {
    expect(resultsOf(parseEventGridDelivery(readFixture(file), notification))).toEqual([
      { kind: 'ignored', reason: expect.stringMatching(/ImageDeleted/) },
    ]);
  });

  it.each([
    ['Microsoft.ContainerRegistry.ChartPushed', /Helm chart/],
    ['Microsoft.ContainerRegistry.ChartDeleted', /Helm chart/],
    ['Microsoft.Storage.BlobCreated', /not a container registry push/],
  ])('ignores %s', (type, reason) => {
    expect(resultsOf(parseEventGridDelivery([{ ...cloudEventPush, type }]))).toEqual([{ kind: 'ignored', reason: expect.stringMatching(reason) }]);
  });

  it("rejects the Azure SDK for Java sample's synthetic digest `digest1`, naming the event in the batch", () => {
    expect(resultsOf(parseEventGridDelivery(readFixture('eventgrid_acr_ContainerRegistryImagePushedEvent.sdk-java.json'), notification))).toEqual([
      { kind: 'invalid', field: '[0].data.target.digest', problem: "must be 'sha256:' followed by 64 lowercase hex characters" },
    ]);
  });

  it('reads the SDK sample with a real digest, taking `test` as its registry host and the offset timestamp in UTC', () => {
    const sample = (readFixture('eventgrid_acr_ContainerRegistryImagePushedEvent.sdk-java.json') as unknown[])[0];
    const fixed = withField(withField(sample, 'data.target.digest', REAL_DIGEST), 'data.target.mediaType', 'application/vnd.oci.image.manifest.v1+json');
    expect(resultsOf(parseEventGridDelivery([fixed]))).toEqual([
      {
        kind: 'pushed',
        push: {
          source: 'eventgrid',
          deliveryId: '56afc886-767b-d359-d59e-0da7877166b2',
          registry: 'test',
          repository: 'test',
          tag: 'test',
          digest: REAL_DIGEST,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          sizeBytes: 20,
          pushedAt: '2018-06-20T19:00:33.612Z',
        },
      },
    ]);
  });

  it('falls back to the envelope time when data.timestamp is absent', () => {
    const result = resultsOf(parseEventGridDelivery([withField(cloudEventPush, 'data.timestamp', undefined)]));
    expect(result[0].kind === 'pushed' && result[0].push.pushedAt).toBe('2018-04-25T21:39:47.654Z');
  });

  it('returns one result per event of a batch, in order, a bad event not spoiling the good ones', () => {
    const deleted = (readFixture('eventgrid_acr_ImageDeleted.cloudevents.json') as unknown[])[0];
    const second = withField(withField(cloudEventPush, 'id', 'second'), 'data.target.tag', 'v2');
    const results = resultsOf(parseEventGridDelivery([cloudEventPush, deleted, 'not an event', second, withField(cloudEventPush, 'data', undefined)]));
    expect(results.map((r) => r.kind)).toEqual(['pushed', 'ignored', 'invalid', 'pushed', 'invalid']);
    expect(results[2]).toEqual({ kind: 'invalid', field: '[2]', problem: 'must be a JSON object' });
    expect(results[3].kind === 'pushed' && [results[3].push.deliveryId, results[3].push.tag]).toEqual(['second', 'v2']);
    expect(results[4]).toEqual({ kind: 'invalid', field: '[4].data', problem: 'is required' });
  });

  describe('the subscription validation handshake', () => {
    const validationEvent = readFixture('eventgrid_SubscriptionValidationEvent.json');
    const expectedResponse = readFixture('eventgrid_SubscriptionValidationResponse.json') as { validationResponse: string };

    it('yields the code the documented response echoes, and the validation URL', () => {
      const results = resultsOf(parseEventGridDelivery(validationEvent, { 'aeg-event-type': 'SubscriptionValidation' }));
      expect(results).toEqual([
        { kind: 'validation', validationCode: expectedResponse.validationResponse, validationUrl: expect.stringMatching(/^https:\/\/rp-eastus2\.eventgrid\.azure\.net:553\//) },
      ]);
    });

    it('is read from the body alone when the aeg-event-type header is absent', () => {
      expect(resultsOf(parseEventGridDelivery(validationEvent))[0].kind).toBe('validation');
    });

    it('is refused inside a delivery whose header says Notification', () => {
      expect(resultsOf(parseEventGridDelivery(validationEvent, notification))).toEqual([
        { kind: 'invalid', field: '[0].eventType', problem: expect.stringMatching(/not SubscriptionValidation/) },
      ]);
    });

    it('is required when the header says SubscriptionValidation', () => {
      expect(parseEventGridDelivery([cloudEventPush], { 'AEG-Event-Type': 'SubscriptionValidation' })).toEqual({
        kind: 'invalid',
        field: 'aeg-event-type',
        problem: 'says SubscriptionValidation but the body has no validation event',
      });
    });

    it.each([
      ['no code', 'data.validationCode', undefined, '[0].data.validationCode', 'is required'],
      ['a code with spaces', 'data.validationCode', 'a b', '[0].data.validationCode', 'must be a validation code of letters, digits and -'],
      ['an http URL', 'data.validationUrl', 'http://example.com/validate', '[0].data.validationUrl', 'must be an https URL'],
    ])('with %s is invalid', (_case, path, value, field, problem) => {
      const event = withField((validationEvent as unknown[])[0], path, value);
      expect(resultsOf(parseEventGridDelivery([event]))).toEqual([{ kind: 'invalid', field, problem }]);
    });
  });

  describe('malformed deliveries', () => {
    it.each([
      ['a string', 'hello', '(body)', 'must be a JSON array of events or a single CloudEvent object'],
      ['null', null, '(body)', 'must be a JSON array of events or a single CloudEvent object'],
      ['an empty batch', [], '(body)', 'must contain at least one event'],
      ['a batch over 5,000 events', new Array(5001).fill(cloudEventPush), '(body)', 'must contain at most 5000 events'],
    ])('%s is invalid as a whole', (_case, body, field, problem) => {
      expect(parseEventGridDelivery(body)).toEqual({ kind: 'invalid', field, problem });
    });

    it.each([
      ['no type', withField(cloudEventPush, 'type', undefined), '[0].type', 'is required'],
      ['a CloudEvents specversion 0.3', withField(cloudEventPush, 'specversion', '0.3'), '[0].specversion', 'must be "1.0"'],
      ['no eventType (Event Grid schema)', withField(fullTypeEventGridPush, 'eventType', undefined), '[0].eventType', 'is required'],
      ['an eventType of 1 MB', withField(fullTypeEventGridPush, 'eventType', 'x'.repeat(1_000_000)), '[0].eventType', 'must be at most 200 characters'],
      ['no id', withField(cloudEventPush, 'id', undefined), '[0].id', 'is required'],
      ['no data.request', withField(cloudEventPush, 'data.request', undefined), '[0].data.request', 'is required'],
      ['a numeric host', withField(cloudEventPush, 'data.request.host', 42), '[0].data.request.host', 'must be a string'],
      ['a digest of the wrong algorithm', withField(cloudEventPush, 'data.target.digest', 'md5:abc'), '[0].data.target.digest', expect.stringMatching(/^must be 'sha256:'/)],
      ['an array as target', withField(cloudEventPush, 'data.target', []), '[0].data.target', 'must be a JSON object'],
    ])('an event with %s is invalid, naming the field', (_case, event, field, problem) => {
      expect(resultsOf(parseEventGridDelivery([event]))).toEqual([{ kind: 'invalid', field, problem }]);
    });

    it('a single CloudEvent names its fields without a batch index', () => {
      expect(resultsOf(parseEventGridDelivery(withField(cloudEventPush, 'data.target.digest', 'x')))).toEqual([
        { kind: 'invalid', field: 'data.target.digest', problem: expect.any(String) },
      ]);
    });

    it('never echoes the value of a malformed field', () => {
      const results = resultsOf(
        parseEventGridDelivery(
          ['data.target.digest', 'data.target.repository', 'data.request.host', 'id', 'type'].map((path) => withField(cloudEventPush, path, `${PLANTED_SECRET} `.repeat(60))),
        ),
      );
      expect(results.every((r) => r.kind === 'invalid')).toBe(true);
      expect(JSON.stringify(results)).not.toContain(PLANTED_SECRET);
    });
  });
});
