import { digestOfImage, servingRevision } from '../../../src/domain/rollout';

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
});
