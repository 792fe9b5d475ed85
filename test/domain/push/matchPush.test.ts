import { DUPLICATE_REASON, matchPush, type DeployedImages, type ImagePushed, type TrackedApp } from '../../../src/domain/push';

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);

const push = (overrides: Partial<ImagePushed>): ImagePushed => ({
  source: 'acr',
  deliveryId: 'delivery-1',
  registry: 'myreg.azurecr.io',
  repository: 'shop',
  tag: 'v1.3.0',
  digest: D2,
  ...overrides,
});

// The seeds' shapes: web and worker from one image, a web and an AI app from two images.
const apps: TrackedApp[] = [
  { name: 'shop-web', image: { registry: 'myreg.azurecr.io', repository: 'shop', tagPolicy: { kind: 'semver', range: '^1.0.0' } } },
  { name: 'shop-worker', image: { registry: 'MyReg.AzureCR.io', repository: 'shop', tagPolicy: { kind: 'semver', range: '^1.0.0' } } },
  { name: 'shop-staging', image: { registry: 'myreg.azurecr.io', repository: 'shop', tagPolicy: { kind: 'glob', pattern: 'main-*' } } },
  { name: 'ai', image: { registry: 'myreg.azurecr.io', repository: 'shop-ai', tagPolicy: { kind: 'exact', tag: 'latest' } } },
  { name: 'proxy', image: { registry: 'docker.io', repository: 'library/nginx', tagPolicy: { kind: 'glob', pattern: '1.*' } } },
];

const deployedNothing: DeployedImages = {};

describe('matchPush', () => {
  it('deploys every app tracking the image whose policy the tag matches (web and worker from one image)', () => {
    expect(matchPush(push({}), apps, deployedNothing)).toEqual([
      { app: 'shop-web', decision: 'deploy', reason: 'tag "v1.3.0" matches tag policy semver "^1.0.0"' },
      { app: 'shop-worker', decision: 'deploy', reason: 'tag "v1.3.0" matches tag policy semver "^1.0.0"' },
      { app: 'shop-staging', decision: 'ignored', reason: 'tag "v1.3.0" does not match tag policy glob "main-*"' },
    ]);
  });

  it.each([
    ['another repository', push({ repository: 'blog' })],
    ['the same repository on another registry', push({ registry: 'other.azurecr.io' })],
    ['a repository that only shares a prefix', push({ repository: 'shop-a' })],
  ])('concerns no app for %s', (_case, pushed) => {
    expect(matchPush(pushed, apps, deployedNothing)).toEqual([]);
  });

  it.each([
    ['docker.io with the official short name', { registry: 'docker.io', repository: 'nginx' }],
    ['index.docker.io', { registry: 'index.docker.io', repository: 'library/nginx' }],
    ['registry-1.docker.io', { registry: 'registry-1.docker.io', repository: 'nginx' }],
  ])('treats Docker Hub aliases as one registry: %s', (_case, where) => {
    const result = matchPush(push({ ...where, tag: '1.27', digest: undefined, source: 'dockerhub' }), apps, deployedNothing);
    expect(result).toEqual([{ app: 'proxy', decision: 'deploy', reason: 'tag "1.27" matches tag policy glob "1.*"; digest to be resolved from the registry' }]);
  });

  it.each([
    ['a push without a tag', push({ tag: undefined }), {}, 'ignored', /^push has no tag/],
    ['a digest already deployed', push({}), { 'shop-web': { tag: 'v1.2.0', digest: D2 } }, 'ignored', new RegExp(`^${DUPLICATE_REASON}$`)],
    ['the same digest re-delivered with the tag already deployed (duplicate before upgrade)', push({}), { 'shop-web': { tag: 'v1.3.0', digest: D2 } }, 'ignored', /^duplicate/],
    ['an older version', push({ tag: '1.1.0' }), { 'shop-web': { tag: 'v1.2.0', digest: D1 } }, 'ignored', /^not an upgrade: "1.1.0" is not newer than the deployed "v1.2.0"$/],
    ['the same version rebuilt (other digest)', push({ tag: 'v1.2.0' }), { 'shop-web': { tag: '1.2.0', digest: D1 } }, 'ignored', /^not an upgrade/],
    ['a newer version over another digest', push({}), { 'shop-web': { tag: 'v1.2.0', digest: D1 } }, 'deploy', /matches/],
    ['a version when the app runs a non-version tag', push({}), { 'shop-web': { tag: 'latest', digest: D1 } }, 'deploy', /matches/],
    ['a push without digest (Docker Hub) over a deployed digest', push({ digest: undefined }), { 'shop-web': { tag: 'v1.2.0', digest: D1 } }, 'deploy', /digest to be resolved/],
  ])('shop-web: %s → %s', (_case, pushed, current, decision, reason) => {
    const web = matchPush(pushed, apps, current).find((m) => m.app === 'shop-web');
    expect(web).toEqual({ app: 'shop-web', decision, reason: expect.stringMatching(reason) });
  });

  it('judges each app against what that app runs: a duplicate for one can deploy another', () => {
    const current = { 'shop-web': { tag: 'v1.3.0', digest: D2 }, 'shop-worker': { tag: 'v1.2.0', digest: D1 } };
    expect(matchPush(push({}), apps, current).map((m) => [m.app, m.decision])).toEqual([
      ['shop-web', 'ignored'],
      ['shop-worker', 'deploy'],
      ['shop-staging', 'ignored'],
    ]);
  });

  it('re-deploys an exact tag pushed again with a new digest (newest push wins by time)', () => {
    const result = matchPush(push({ repository: 'shop-ai', tag: 'latest', digest: D2 }), apps, { ai: { tag: 'latest', digest: D1 } });
    expect(result).toEqual([{ app: 'ai', decision: 'deploy', reason: 'tag "latest" matches tag policy exact "latest"' }]);
  });
});
