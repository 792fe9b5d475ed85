/**
 * GitHub Container Registry pushes, from GitHub webhooks `package` and `registry_package`
 * (action `published`). The signature (`X-Hub-Signature-256`) is checked before this
 * parser runs, with `verifyGitHubSignature` over the raw body.
 *
 * Quirks of GitHub's published samples (test/fixtures/samples/SOURCES.md), handled on purpose:
 * - `package_type` says `npm` while `ecosystem` says `docker`: either naming a container is enough;
 * - `container_metadata.tag.name` is `""` for an untagged version: no tag;
 * - `container_metadata.tag.digest` can be a 40-hex git SHA behind `sha256:`: a candidate is
 *   used only when it is a real sha256 digest, else the next one (`package_version.version`);
 * - `package_version.created_at` can be Go's zero time `0001-01-01T00:00:00Z`: no push time.
 */
import { omitUndefined } from './acrPushFields';
import { headerValue, type HeaderSource } from './headerLookup';
import type { PushParseResult } from './imagePushed';
import { isSha256Digest } from './pushFieldRules';
import {
  asJsonObject,
  BODY_FIELD,
  catchInvalidField,
  checkString,
  childField,
  DELIVERY_ID_RULE,
  InvalidFieldError,
  type JsonObject,
  KEYWORD_RULE,
  MEDIA_TYPE_RULE,
  readOptionalObject,
  readOptionalSize,
  readOptionalString,
  readOptionalTimestamp,
  readRequiredObject,
  readRequiredString,
  REPOSITORY_RULE,
  TAG_RULE,
} from './untrustedFields';

export const GHCR_REGISTRY = 'ghcr.io';

const CONTAINER_PACKAGE_KINDS: ReadonlySet<string> = new Set(['container', 'docker']);
/** GitHub login and package name parts, before lowercasing and the repository rule. */
const NAME_PART_RULE = { maxLength: 200, expected: 'a name' };

export function parseGhcrWebhook(body: unknown, headers: HeaderSource | undefined): PushParseResult {
  return catchInvalidField((): PushParseResult => {
    const eventName = headerValue(headers, 'x-github-event');
    if (eventName === undefined || eventName === '') throw new InvalidFieldError('X-GitHub-Event', 'header is required');
    if (eventName === 'ping') return { kind: 'ignored', reason: 'GitHub ping event: the webhook was created or tested' };
    if (eventName !== 'package' && eventName !== 'registry_package') {
      return { kind: 'ignored', reason: 'GitHub event is not package or registry_package' };
    }
    const deliveryHeader = headerValue(headers, 'x-github-delivery');
    if (deliveryHeader === undefined || deliveryHeader === '') throw new InvalidFieldError('X-GitHub-Delivery', 'header is required');
    const deliveryId = checkString(deliveryHeader, 'X-GitHub-Delivery', DELIVERY_ID_RULE);

    const event = asJsonObject(body, BODY_FIELD);
    const action = readRequiredString(event, 'action', '', KEYWORD_RULE);
    if (action !== 'published') return { kind: 'ignored', reason: `GitHub ${eventName} action is not "published"` };

    // The payload key is the event name: `package` or `registry_package`.
    const pkg = readRequiredObject(event, eventName, '');
    if (!namesContainer(pkg, eventName)) return { kind: 'ignored', reason: `GitHub ${eventName} is not a container package` };

    const owner = readRequiredObject(pkg, 'owner', eventName);
    const ownerLogin = readRequiredString(owner, 'login', childField(eventName, 'owner'), NAME_PART_RULE);
    const packageName = readRequiredString(pkg, 'name', eventName, NAME_PART_RULE);
    // ghcr.io image names are lowercase; GitHub logins keep their case in payloads.
    const repository = checkString(`${ownerLogin}/${packageName}`.toLowerCase(), childField(eventName, 'name'), REPOSITORY_RULE);

    const versionField = childField(eventName, 'package_version');
    const version = readRequiredObject(pkg, 'package_version', eventName);
    const metadataField = childField(versionField, 'container_metadata');
    const metadata = readOptionalObject(version, 'container_metadata', versionField);
    const tagInfo = metadata ? readOptionalObject(metadata, 'tag', metadataField) : undefined;
    const manifest = metadata ? readOptionalObject(metadata, 'manifest', metadataField) : undefined;
    const tag = tagInfo ? readOptionalString(tagInfo, 'name', childField(metadataField, 'tag'), TAG_RULE) : undefined;
    const digest = firstSha256Digest([
      [tagInfo, 'digest', childField(metadataField, 'tag')],
      [version, 'version', versionField],
    ]);
    if (tag === undefined && digest === undefined) {
      return { kind: 'ignored', reason: 'GitHub package version has neither a tag nor a sha256 digest to deploy' };
    }
    const manifestField = childField(metadataField, 'manifest');
    const mediaType = manifest ? readOptionalString(manifest, 'media_type', manifestField, MEDIA_TYPE_RULE) : undefined;
    const sizeBytes = manifest ? readOptionalSize(manifest, 'size', manifestField) : undefined;
    const createdAt = readOptionalTimestamp(version, 'created_at', versionField);
    const pushedAt = createdAt !== undefined && createdAt >= '1970' ? createdAt : undefined;

    return {
      kind: 'pushed',
      push: omitUndefined({ source: 'ghcr', deliveryId, registry: GHCR_REGISTRY, repository, tag, digest, mediaType, sizeBytes, pushedAt }),
    };
  });
}

function namesContainer(pkg: JsonObject, eventName: string): boolean {
  return ['ecosystem', 'package_type'].some((key) => {
    const kind = readOptionalString(pkg, key, eventName, KEYWORD_RULE);
    return kind !== undefined && CONTAINER_PACKAGE_KINDS.has(kind.toLowerCase());
  });
}

/** The first candidate that is a sha256 digest; a candidate of the wrong type is malformed, a string that is not a digest is skipped. */
function firstSha256Digest(candidates: ReadonlyArray<readonly [JsonObject | undefined, string, string]>): string | undefined {
  for (const [holder, key, field] of candidates) {
    if (holder === undefined) continue;
    const value = readOptionalString(holder, key, field, { maxLength: 200, expected: 'a string' });
    if (isSha256Digest(value)) return value;
  }
  return undefined;
}
