import { parseDockerHubWebhook } from '../../../src/domain/push';
import { PLANTED_SECRET, readFixture, withField } from './webhookFixtures';

const sample = readFixture('dockerhub_webhook_push.json');

describe('parseDockerHubWebhook', () => {
  it('turns the documented push into ImagePushed on docker.io with repo_name and push_data.tag, and no digest (Docker Hub sends none)', () => {
    const result = parseDockerHubWebhook(sample);
    expect(result).toEqual({
      kind: 'pushed',
      push: {
        source: 'dockerhub',
        deliveryId: expect.stringMatching(/^dockerhub-[0-9a-f]{32}$/),
        registry: 'docker.io',
        repository: 'svendowideit/testhook',
        tag: 'latest',
        pushedAt: '2014-12-03T00:22:41.000Z',
      },
    });
    expect(result.kind === 'pushed' && 'digest' in result.push).toBe(false);
  });

  it.each([
    ['the same push delivered twice', sample, true],
    ['another tag', withField(sample, 'push_data.tag', 'v2'), false],
    ['another push time', withField(sample, 'push_data.pushed_at', 1417566162), false],
    ['another repository', withField(sample, 'repository.repo_name', 'svendowideit/other'), false],
  ])('derives the delivery id from repository, tag and push time: %s gets the same id? %s', (_case, other, same) => {
    const first = parseDockerHubWebhook(sample);
    const second = parseDockerHubWebhook(other);
    const ids = [first, second].map((r) => (r.kind === 'pushed' ? r.push.deliveryId : r.kind));
    expect(ids[0] === ids[1]).toBe(same);
  });

  describe('malformed bodies are invalid, naming the field', () => {
    it.each([
      ['an array', [sample], '(body)', 'must be a JSON object'],
      ['no push_data', withField(sample, 'push_data', undefined), 'push_data', 'is required'],
      ['no repository', withField(sample, 'repository', undefined), 'repository', 'is required'],
      ['no repo_name', withField(sample, 'repository.repo_name', undefined), 'repository.repo_name', 'is required'],
      ['a repo_name with a scheme', withField(sample, 'repository.repo_name', 'https://x/y'), 'repository.repo_name', expect.stringMatching(/^must be a repository name/)],
      ['no tag', withField(sample, 'push_data.tag', undefined), 'push_data.tag', 'is required'],
      ['an empty tag', withField(sample, 'push_data.tag', ''), 'push_data.tag', 'is required'],
      ['a tag with a colon', withField(sample, 'push_data.tag', 'a:b'), 'push_data.tag', expect.stringMatching(/^must be an image tag/)],
      ['no pushed_at', withField(sample, 'push_data.pushed_at', undefined), 'push_data.pushed_at', 'is required'],
      ['pushed_at as a string', withField(sample, 'push_data.pushed_at', '1417566161'), 'push_data.pushed_at', 'must be Unix seconds (a non-negative integer)'],
      ['pushed_at in milliseconds', withField(sample, 'push_data.pushed_at', 1417566161000), 'push_data.pushed_at', 'must be Unix seconds (a non-negative integer)'],
      ['an oversized repo_name', withField(sample, 'repository.repo_name', `a/${'b'.repeat(300)}`), 'repository.repo_name', 'must be at most 255 characters'],
    ])('%s', (_case, body, field, problem) => {
      expect(parseDockerHubWebhook(body)).toEqual({ kind: 'invalid', field, problem });
    });
  });

  it('never echoes the value of a malformed field', () => {
    for (const path of ['push_data.tag', 'repository.repo_name', 'push_data.pushed_at']) {
      const result = parseDockerHubWebhook(withField(sample, path, `${PLANTED_SECRET} x`));
      expect(result.kind).toBe('invalid');
      expect(JSON.stringify(result)).not.toContain(PLANTED_SECRET);
    }
  });
});
