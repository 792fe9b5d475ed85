import { baselineRelease, chooseRollbackTarget, digestOfImage, parseImageReference, servingRevision } from '../../../src/domain/rollout';

describe('the one answer to "which revision serves"', () => {
  it.each([
    ['Multiple: the revision with the most traffic', { activeRevisionsMode: 'Multiple' as const, traffic: [{ revisionName: 'a', weight: 90 }, { revisionName: 'b', weight: 10 }] }, 'a'],
    ['Multiple: a revision at 0 % serves nobody, however new', { activeRevisionsMode: 'Multiple' as const, traffic: [{ revisionName: 'new', weight: 0 }, { revisionName: 'old', weight: 100 }], latestReadyRevisionName: 'new' }, 'old'],
    ['Multiple: no weighted revision, nothing serves', { activeRevisionsMode: 'Multiple' as const, traffic: [{ revisionName: 'x', weight: 0 }], latestReadyRevisionName: 'x' }, undefined],
    ['Single with ingress: the one the traffic names', { activeRevisionsMode: 'Single' as const, traffic: [{ revisionName: 'b', weight: 100 }], latestReadyRevisionName: 'b' }, 'b'],
    ['Single without ingress (a worker): the latest ready revision', { activeRevisionsMode: 'Single' as const, traffic: [], latestReadyRevisionName: 'w2', latestRevisionName: 'w3' }, 'w2'],
  ])('%s', (_name, app, expected) => {
    expect(servingRevision(app)).toBe(expected);
  });

  it('reads the digest out of a pinned image only', () => {
    const digest = 'sha256:' + 'a'.repeat(64);
    expect(digestOfImage(`r.azurecr.io/app@${digest}`)).toBe(digest);
    expect(digestOfImage('r.azurecr.io/app:1.0')).toBeUndefined();
    expect(digestOfImage(undefined)).toBeUndefined();
  });

  it.each([
    ['a tag', 'r.azurecr.io/team/app:main-initial', { tag: 'main-initial' }],
    ['a tag and a digest', `r.azurecr.io/app:4.1.0@sha256:${'b'.repeat(64)}`, { tag: '4.1.0', digest: `sha256:${'b'.repeat(64)}` }],
    ['a registry with a port and no tag', 'localhost:5000/app', {}],
    ['a registry with a port and a tag', 'localhost:5000/app:1.2', { tag: '1.2' }],
  ])('reads the tag and digest of an image reference with %s', (_name, image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });
});

describe('the baseline release', () => {
  it('carries the tag it was serving under, so a rollback can name it like any other release', () => {
    const baseline = { app: 'sound-forge', revisionName: 'sfa--initial', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...baselineRelease('r.azurecr.io/sfa:main-initial') };
    const failed = { app: 'sound-forge', revisionName: 'sfa--r2', verdict: 'failed' as const, tag: '4.3.0', createdAt: '2026-01-02T00:00:00Z', updatedAt: '2026-01-02T00:00:00Z' };
    const plan = chooseRollbackTarget(
      { containerAppName: 'sfa', mode: 'Multiple', serving: 'sfa--r2', releases: [baseline, failed], revisions: [{ name: 'sfa--initial', provisioningState: 'Provisioned', active: true }, { name: 'sfa--r2', provisioningState: 'Provisioned', active: true }], policy: 'keep-schema' },
      { release: 'main-initial' },
    );
    expect(plan).toMatchObject({ ok: true, target: { revisionName: 'sfa--initial', tag: 'main-initial', verdict: 'baseline' } });
  });
});
