import { checkTagPolicy, describeTagPolicy, isUpgrade, parseVersionTag, tagMatches, type TagPolicy } from '../../../src/domain/push';

const exact = (tag: string): TagPolicy => ({ kind: 'exact', tag });
const glob = (pattern: string): TagPolicy => ({ kind: 'glob', pattern });
const semver = (range: string, allowPrerelease?: boolean): TagPolicy => ({ kind: 'semver', range, allowPrerelease });

describe('tagMatches', () => {
  describe('exact: the one tag, case-sensitive', () => {
    it.each([
      ['latest', 'latest', true],
      ['latest', 'Latest', false],
      ['v1', 'v1.0', false],
    ])('exact %s vs tag %s → %s', (policyTag, tag, expected) => {
      expect(tagMatches(exact(policyTag), tag)).toBe(expected);
    });
  });

  describe('glob: picomatch patterns over the whole tag', () => {
    it.each([
      ['main-*', 'main-4f2a9c1', true],
      ['main-*', 'feature-main-1', false],
      ['*', 'anything_at_all', true],
      ['v1.*', 'v1.2.3', true],
      ['v1.*', 'v10.0.0', false],
      ['release-+([0-9])', 'release-42', true],
      ['release-+([0-9])', 'release-42a', false],
      ['{staging,prod}', 'prod', true],
      ['sha-?????', 'sha-abcde', true],
    ])('glob %s vs tag %s → %s', (pattern, tag, expected) => {
      expect(tagMatches(glob(pattern), tag)).toBe(expected);
    });
  });

  describe('semver: full versions in range, v prefix allowed, floating tags never', () => {
    it.each([
      ['^1.2.0', '1.4.0', true],
      ['^1.2.0', 'v1.4.0', true],
      ['^1.2.0', 'V1.4.0', true],
      ['^1.2.0', '2.0.0', false],
      ['^1.2.0', '1.1.9', false],
      ['>=1.0.0 <2.0.0', '1.9.9+build.7', true],
      ['*', '0.0.1', true],
      ['^1.2.0', '1.4', false], // floating minor tag
      ['^1.2.0', '1', false],
      ['*', 'latest', false],
      ['*', 'sha-abc123', false], // semver.coerce would read 123.0.0
      ['*', 'vv1.2.3', false],
      ['*', '01.2.3', false], // leading zero: not semver
      ['not a range', '1.2.3', false],
    ])('semver %s vs tag %s → %s', (range, tag, expected) => {
      expect(tagMatches(semver(range), tag)).toBe(expected);
    });
  });

  describe('semver pre-releases only when allowed', () => {
    it.each([
      ['^1.2.0', '1.5.0-rc.1', false, false],
      ['^1.2.0', '1.5.0-rc.1', true, true],
      // node-semver alone would admit this one: the comparator names a pre-release of 1.5.0.
      ['>=1.5.0-rc.1', '1.5.0-rc.2', false, false],
      ['>=1.5.0-rc.1', '1.5.0-rc.2', true, true],
      ['^1.2.0', '2.0.0-rc.1', true, false], // allowed, but still out of range
      ['^1.2.0', '1.5.0', true, true], // allowing pre-releases does not exclude releases
    ])('semver %s vs %s with allowPrerelease=%s → %s', (range, tag, allowPrerelease, expected) => {
      expect(tagMatches(semver(range, allowPrerelease), tag)).toBe(expected);
    });
  });
});

describe('isUpgrade', () => {
  it.each([
    ['semver: a newer patch', semver('^1.0.0'), '1.2.4', '1.2.3', true],
    ['semver: a newer minor, v-prefixed against bare', semver('^1.0.0'), 'v1.3.0', '1.2.9', true],
    ['semver: the same version is not an upgrade', semver('^1.0.0'), '1.2.3', 'v1.2.3', false],
    ['semver: the same version with other build metadata is not an upgrade', semver('^1.0.0'), '1.2.3+b2', '1.2.3+b1', false],
    ['semver: never a downgrade', semver('^1.0.0'), '1.2.2', '1.2.3', false],
    ['semver: a release after its pre-release', semver('^1.0.0', true), '1.3.0', '1.3.0-rc.2', true],
    ['semver: a pre-release of an already released version is a downgrade', semver('^1.0.0', true), '1.3.0-rc.3', '1.3.0', false],
    ['semver: anything when nothing is deployed', semver('^1.0.0'), '1.0.0', undefined, true],
    ['semver: anything when the deployed tag is not a version', semver('^1.0.0'), '1.0.0', 'latest', true],
    ['semver: a candidate that is not a version never', semver('*'), 'latest', '1.0.0', false],
    ['exact: always (newest push wins by time)', exact('latest'), 'latest', 'latest', true],
    ['glob: always, whatever the order of names', glob('main-*'), 'main-aaa', 'main-zzz', true],
  ])('%s', (_rule, policy, candidate, current, expected) => {
    expect(isUpgrade(policy, candidate, current)).toBe(expected);
  });
});

describe('parseVersionTag', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3-rc.1+build', '1.2.3-rc.1'],
    ['1.2', undefined],
    ['v', undefined],
    ['1.2.3.4', undefined],
  ])('%s → %s', (tag, version) => {
    expect(parseVersionTag(tag)?.version).toBe(version);
  });
});

describe('checkTagPolicy and describeTagPolicy', () => {
  it.each([
    [exact('latest'), undefined, 'exact "latest"'],
    [exact(''), 'tag must not be empty', 'exact ""'],
    [glob('main-*'), undefined, 'glob "main-*"'],
    [glob(''), 'pattern must not be empty', 'glob ""'],
    [semver('^1.2'), undefined, 'semver "^1.2"'],
    [semver('^1.2', true), undefined, 'semver "^1.2" (pre-releases allowed)'],
    [semver('one point two'), 'range is not a valid semver range', 'semver "one point two"'],
  ])('%j: problem %s, described as %s', (policy, problem, description) => {
    expect(checkTagPolicy(policy)).toBe(problem);
    expect(describeTagPolicy(policy)).toBe(description);
  });
});
