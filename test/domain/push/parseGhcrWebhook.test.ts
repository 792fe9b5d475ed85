import { parseGhcrWebhook } from '../../../src/domain/push';
import { PLANTED_SECRET, readFixture, withField } from './webhookFixtures';

const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const packageSample = readFixture('github_package_published.docker.payload.json');
const registryPackageSample = readFixture('github_registry_package_published.docker.payload.json');
const headersFor = (event: string) => ({ 'X-GitHub-Event': event, 'X-GitHub-Delivery': DELIVERY });

// In both samples `container_metadata.tag.digest` is `sha256:` + a 40-hex git SHA, and
// `package_version.version` is the real 64-hex digest.
const VERSION_DIGEST = 'sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498';

describe('parseGhcrWebhook', () => {
  it.each([
    ['package', packageSample],
    ['registry_package', registryPackageSample],
  ])('turns the %s published sample into ImagePushed on ghcr.io (lowercase owner/name, empty tag → none, the real sha256 digest)', (event, body) => {
    expect(parseGhcrWebhook(body, headersFor(event))).toEqual({
      kind: 'pushed',
      push: {
        source: 'ghcr',
        deliveryId: DELIVERY,
        registry: 'ghcr.io',
        repository: 'codertocat/hello-world-npm',
        digest: VERSION_DIGEST,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        sizeBytes: 1782,
      },
    });
  });

  const key = 'registry_package';
  const tagged = withField(withField(registryPackageSample, `${key}.package_version.container_metadata.tag.name`, 'v1.4.0'), `${key}.package_version.container_metadata.tag.digest`, 'sha256:' + 'ab'.repeat(32));

  it('takes the tag name and prefers container_metadata.tag.digest when it is a real sha256 digest', () => {
    const result = parseGhcrWebhook(tagged, headersFor(key));
    expect(result.kind === 'pushed' && [result.push.tag, result.push.digest]).toEqual(['v1.4.0', 'sha256:' + 'ab'.repeat(32)]);
  });

  it('reads a real creation time but not Go\'s zero time', () => {
    const dated = withField(tagged, `${key}.package_version.created_at`, '2024-05-01T10:00:00Z');
    const result = parseGhcrWebhook(dated, headersFor(key));
    expect(result.kind === 'pushed' && result.push.pushedAt).toBe('2024-05-01T10:00:00.000Z');
    const zero = parseGhcrWebhook(tagged, headersFor(key));
    expect(zero.kind === 'pushed' && zero.push.pushedAt).toBeUndefined();
  });

  it('keeps a tag with no usable digest, to be resolved from the registry', () => {
    const noDigest = withField(withField(tagged, `${key}.package_version.container_metadata.tag.digest`, 'sha256:abc'), `${key}.package_version.version`, '1.4.0');
    const result = parseGhcrWebhook(noDigest, headersFor(key));
    expect(result.kind === 'pushed' && [result.push.tag, result.push.digest]).toEqual(['v1.4.0', undefined]);
  });

  it.each([
    ['a ping', 'ping', registryPackageSample, /ping/],
    ['a push event', 'push', registryPackageSample, /not package or registry_package/],
    ['an updated package', key, withField(registryPackageSample, 'action', 'updated'), /not "published"/],
    ['an npm package', key, withField(withField(registryPackageSample, `${key}.ecosystem`, 'npm'), `${key}.package_type`, 'npm'), /not a container package/],
    ['a version without tag or digest', key, withField(registryPackageSample, `${key}.package_version.version`, '1.0.0'), /neither a tag nor a sha256 digest/],
  ])('ignores %s with a reason', (_case, event, body, reason) => {
    expect(parseGhcrWebhook(body, headersFor(event))).toEqual({ kind: 'ignored', reason: expect.stringMatching(reason) });
  });

  it.each([
    ['CONTAINER', 'CONTAINER'],
    ['container', 'npm'],
    ['npm', 'docker'],
  ])('accepts ecosystem %s with package_type %s as a container package', (ecosystem, packageType) => {
    const body = withField(withField(registryPackageSample, `${key}.ecosystem`, ecosystem), `${key}.package_type`, packageType);
    expect(parseGhcrWebhook(body, headersFor(key)).kind).toBe('pushed');
  });

  describe('malformed deliveries are invalid, naming the field', () => {
    it.each([
      ['no X-GitHub-Event', {}, registryPackageSample, 'X-GitHub-Event', 'header is required'],
      ['no X-GitHub-Delivery', { 'x-github-event': key }, registryPackageSample, 'X-GitHub-Delivery', 'header is required'],
      ['a delivery id with spaces', { 'x-github-event': key, 'x-github-delivery': 'a b' }, registryPackageSample, 'X-GitHub-Delivery', expect.stringMatching(/^must be an id/)],
      ['a body that is an array', headersFor(key), [registryPackageSample], '(body)', 'must be a JSON object'],
      ['no action', headersFor(key), withField(registryPackageSample, 'action', undefined), 'action', 'is required'],
      ['the payload under the other event name', headersFor('package'), registryPackageSample, 'package', 'is required'],
      ['no owner', headersFor(key), withField(registryPackageSample, `${key}.owner`, undefined), `${key}.owner`, 'is required'],
      ['no name', headersFor(key), withField(registryPackageSample, `${key}.name`, undefined), `${key}.name`, 'is required'],
      ['a name with spaces', headersFor(key), withField(registryPackageSample, `${key}.name`, 'hello world'), `${key}.name`, expect.stringMatching(/^must be a repository name/)],
      ['no package_version', headersFor(key), withField(registryPackageSample, `${key}.package_version`, undefined), `${key}.package_version`, 'is required'],
      ['a numeric tag digest', headersFor(key), withField(registryPackageSample, `${key}.package_version.container_metadata.tag.digest`, 5), `${key}.package_version.container_metadata.tag.digest`, 'must be a string'],
      ['a tag of 1 MB', headersFor(key), withField(registryPackageSample, `${key}.package_version.container_metadata.tag.name`, 't'.repeat(1_000_000)), `${key}.package_version.container_metadata.tag.name`, 'must be at most 128 characters'],
    ])('%s', (_case, headers, body, field, problem) => {
      expect(parseGhcrWebhook(body, headers)).toEqual({ kind: 'invalid', field, problem });
    });
  });

  it('never echoes the value of a malformed field', () => {
    const result = parseGhcrWebhook(withField(registryPackageSample, `${key}.package_version.container_metadata.tag.name`, PLANTED_SECRET + ' x'), headersFor(key));
    expect(result.kind).toBe('invalid');
    expect(JSON.stringify(result)).not.toContain(PLANTED_SECRET);
  });
});
