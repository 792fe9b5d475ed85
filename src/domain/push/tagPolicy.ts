/**
 * Which tags an app follows. The config module stores exactly this shape.
 *
 * Semver policies read a tag as a version only when it is a full `MAJOR.MINOR.PATCH`, with an
 * optional leading `v`/`V` (`v1.2.3`), optional pre-release (`1.2.3-rc.1`) and build metadata
 * (`1.2.3+sha.abc`). Floating tags (`1`, `1.2`, `latest`, `sha-abc123`) never match a semver
 * policy: they move, so deploying them by version would be a lie. `semver.coerce` is not
 * used because it would read `sha-abc123` as version 123.0.0.
 */
import picomatch from 'picomatch';
import { gt, parse, satisfies, validRange, type SemVer } from 'semver';

export type TagPolicy =
  | { readonly kind: 'exact'; readonly tag: string }
  | { readonly kind: 'glob'; readonly pattern: string }
  | { readonly kind: 'semver'; readonly range: string; readonly allowPrerelease?: boolean };

/** A tag as a semantic version, or undefined when it is not a full version (see the module comment). */
export function parseVersionTag(tag: string): SemVer | undefined {
  const text = /^[vV]\d/.test(tag) ? tag.slice(1) : tag;
  if (!/^\d+\.\d+\.\d+(?:[-+].*)?$/.test(text)) return undefined;
  return parse(text) ?? undefined;
}

/**
 * Does the tag follow the policy? Pre-releases match a semver policy only when
 * `allowPrerelease` is true: then the range applies to them like to any version
 * (`includePrerelease`). Without it a pre-release never matches, even where node-semver would
 * let `>=1.2.3-rc.1` admit `1.2.3-rc.2`.
 */
export function tagMatches(policy: TagPolicy, tag: string): boolean {
  switch (policy.kind) {
    case 'exact':
      return tag === policy.tag;
    case 'glob':
      return picomatch.isMatch(tag, policy.pattern);
    case 'semver': {
      const version = parseVersionTag(tag);
      if (version === undefined || validRange(policy.range) === null) return false;
      const allowPrerelease = policy.allowPrerelease === true;
      if (version.prerelease.length > 0 && !allowPrerelease) return false;
      return satisfies(version, policy.range, { includePrerelease: allowPrerelease });
    }
  }
}

/**
 * Would deploying `candidateTag` move the app forward? Semver: only a strictly greater
 * version (never a downgrade, never the same version again, build metadata ignored as semver
 * says); when nothing is deployed or the current tag is not a version (an image deployed by
 * hand), any matching version is an upgrade. Exact and glob: always, since they have no order
 * and the newest push wins by time.
 */
export function isUpgrade(policy: TagPolicy, candidateTag: string, currentTag: string | undefined): boolean {
  if (policy.kind !== 'semver') return true;
  const candidate = parseVersionTag(candidateTag);
  if (candidate === undefined) return false;
  const current = currentTag === undefined ? undefined : parseVersionTag(currentTag);
  return current === undefined || gt(candidate, current);
}

/** A problem with the policy itself, for config validation; undefined when usable. */
export function checkTagPolicy(policy: TagPolicy): string | undefined {
  switch (policy.kind) {
    case 'exact':
      return policy.tag === '' ? 'tag must not be empty' : undefined;
    case 'glob':
      if (policy.pattern === '') return 'pattern must not be empty';
      try {
        picomatch.makeRe(policy.pattern);
        return undefined;
      } catch {
        return 'pattern is not a valid glob';
      }
    case 'semver':
      return validRange(policy.range) === null ? 'range is not a valid semver range' : undefined;
  }
}

/** Short text for reasons and logs, e.g. `semver ">=1.2 <2"`. */
export function describeTagPolicy(policy: TagPolicy): string {
  switch (policy.kind) {
    case 'exact':
      return `exact "${policy.tag}"`;
    case 'glob':
      return `glob "${policy.pattern}"`;
    case 'semver':
      return `semver "${policy.range}"${policy.allowPrerelease === true ? ' (pre-releases allowed)' : ''}`;
  }
}
