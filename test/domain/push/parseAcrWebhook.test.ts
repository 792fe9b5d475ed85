import { parseAcrWebhook } from '../../../src/domain/push';
import { PLANTED_SECRET, readFixture, REAL_DIGEST, withField } from './webhookFixtures';

// The documented push sample has `xxxx` placeholders in its digest; replacing them with hex
// gives the same payload with a digest a registry could really send.
const docsPush = readFixture('acr_webhook_push.json');
const realPush = withField(docsPush, 'target.digest', REAL_DIGEST);

describe('parseAcrWebhook', () => {
  it('turns a push into ImagePushed with the login server, repository, tag, digest, media type, size and time', () => {
    expect(parseAcrWebhook(realPush, {})).toEqual({
      kind: 'pushed',
      push: {
        source: 'acr',
        deliveryId: 'cb8c3971-9adc-488b-xxxx-43cbb4974ff5',
        registry: 'myregistry.azurecr.io',
        repository: 'hello-world',
        tag: 'v1',
        digest: REAL_DIGEST,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        sizeBytes: 524,
        pushedAt: '2023-11-17T16:52:01.343Z',
      },
    });
  });

  it('rejects the documented sample as it is, because its digest has xxxx placeholders', () => {
    expect(parseAcrWebhook(docsPush, {})).toEqual({
      kind: 'invalid',
      field: 'target.digest',
      problem: "must be 'sha256:' followed by 64 lowercase hex characters",
    });
  });

  it.each([
    ['acr_webhook_delete.json', /"delete"/],
    ['acr_webhook_chart_push.json', /Helm chart/],
    ['acr_webhook_chart_delete.json', /Helm chart/],
    ['acr_webhook_quarantine.json', /quarantined/],
  ])('acknowledges and ignores the documented sample %s with a reason', (file, reason) => {
    const result = parseAcrWebhook(readFixture(file), {});
    expect(result.kind).toBe('ignored');
    expect(result.kind === 'ignored' && result.reason).toMatch(reason);
  });

  it.each([
    ['ping', /test delivery/],
    ['some_future_action', /not one Harbormaster handles/],
  ])('ignores action %s', (action, reason) => {
    const result = parseAcrWebhook({ action }, {});
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringMatching(reason) });
  });

  it('keeps a push by digest without a tag', () => {
    const result = parseAcrWebhook(withField(realPush, 'target.tag', undefined));
    expect(result.kind === 'pushed' && result.push.tag).toBeUndefined();
    expect(result.kind === 'pushed' && result.push.digest).toBe(REAL_DIGEST);
  });

  it('lowercases the login server and reads `length` when `size` is absent', () => {
    const variant = withField(withField(realPush, 'request.host', 'MyRegistry.AzureCR.io'), 'target.size', undefined);
    const result = parseAcrWebhook(variant);
    expect(result.kind === 'pushed' && [result.push.registry, result.push.sizeBytes]).toEqual(['myregistry.azurecr.io', 524]);
  });

  describe('malformed bodies are invalid, naming the field', () => {
    it.each([
      ['a JSON array', [realPush], '(body)', 'must be a JSON object'],
      ['a string', 'push', '(body)', 'must be a JSON object'],
      ['null', null, '(body)', 'must be a JSON object'],
      ['no action', withField(realPush, 'action', undefined), 'action', 'is required'],
      ['a numeric action', withField(realPush, 'action', 1), 'action', 'must be a string'],
      ['no id', withField(realPush, 'id', undefined), 'id', 'is required'],
      ['an id with spaces', withField(realPush, 'id', 'a b'), 'id', expect.stringMatching(/^must be an id/)],
      ['no target', withField(realPush, 'target', undefined), 'target', 'is required'],
      ['a target that is a string', withField(realPush, 'target', 'x'), 'target', 'must be a JSON object'],
      ['no repository', withField(realPush, 'target.repository', undefined), 'target.repository', 'is required'],
      ['an uppercase repository', withField(realPush, 'target.repository', 'Hello'), 'target.repository', expect.stringMatching(/^must be a repository name/)],
      ['a repository with ..', withField(realPush, 'target.repository', 'a/../b'), 'target.repository', expect.stringMatching(/^must be a repository name/)],
      ['an oversized repository', withField(realPush, 'target.repository', 'a'.repeat(256)), 'target.repository', 'must be at most 255 characters'],
      ['a tag starting with -', withField(realPush, 'target.tag', '-v1'), 'target.tag', expect.stringMatching(/^must be an image tag/)],
      ['an oversized tag', withField(realPush, 'target.tag', 'v'.repeat(129)), 'target.tag', 'must be at most 128 characters'],
      ['a numeric tag', withField(realPush, 'target.tag', 1), 'target.tag', 'must be a string'],
      ['no digest', withField(realPush, 'target.digest', undefined), 'target.digest', 'is required'],
      ['a sha512 digest', withField(realPush, 'target.digest', `sha512:${'a'.repeat(128)}`), 'target.digest', 'must be at most 71 characters'],
      ['an uppercase-hex digest', withField(realPush, 'target.digest', REAL_DIGEST.toUpperCase()), 'target.digest', expect.stringMatching(/^must be 'sha256:'/)],
      ['a short digest', withField(realPush, 'target.digest', 'sha256:91ef6'), 'target.digest', expect.stringMatching(/^must be 'sha256:'/)],
      ['a negative size', withField(realPush, 'target.size', -1), 'target.size', 'must be a non-negative integer'],
      ['a fractional size', withField(realPush, 'target.size', 1.5), 'target.size', 'must be a non-negative integer'],
      ['a media type without a slash', withField(realPush, 'target.mediaType', 'manifest'), 'target.mediaType', 'must be a media type (type/subtype)'],
      ['no request', withField(realPush, 'request', undefined), 'request', 'is required'],
      ['no request.host', withField(realPush, 'request.host', undefined), 'request.host', 'is required'],
      ['a host with a path', withField(realPush, 'request.host', 'evil.io/x'), 'request.host', expect.stringMatching(/^must be a registry host/)],
      ['a timestamp that is not a date', withField(realPush, 'timestamp', 'yesterday'), 'timestamp', 'must be an ISO 8601 date-time'],
      ['a timestamp of 1 MB', withField(realPush, 'timestamp', '2'.repeat(1_000_000)), 'timestamp', 'must be at most 64 characters'],
    ])('%s', (_case, body, field, problem) => {
      expect(parseAcrWebhook(body, {})).toEqual({ kind: 'invalid', field, problem });
    });
  });

  it.each(['target.digest', 'target.repository', 'target.tag', 'request.host', 'id', 'timestamp', 'target.mediaType'])(
    'never echoes the value of a malformed %s',
    (field) => {
      const result = parseAcrWebhook(withField(realPush, field, `${PLANTED_SECRET} `.repeat(3)));
      expect(result.kind).toBe('invalid');
      expect(JSON.stringify(result)).not.toContain(PLANTED_SECRET);
    },
  );
});
