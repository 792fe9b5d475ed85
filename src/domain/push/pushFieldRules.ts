/**
 * What a valid field of a push looks like. The patterns follow the OCI distribution
 * spec (repository names, tags, digests), so anything that passes can be used in a
 * registry URL or a log line as it is.
 */

/** Only sha256 digests: it is what ACR, Docker Hub and GHCR compute, and it pins the image. */
export const SHA256_DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
/** OCI distribution spec tag grammar. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** OCI distribution spec repository grammar (lowercase path components). */
export const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** A DNS host name with an optional port (registry login server), already lowercased. */
export const REGISTRY_HOST_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?$/;
/** RFC 6838 media type (`type/subtype`, with `+suffix`), no parameters. */
export const MEDIA_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** Delivery ids are GUIDs or similar opaque tokens. */
export const DELIVERY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export const MAX_REPOSITORY_LENGTH = 255;
export const MAX_REGISTRY_LENGTH = 260;
export const MAX_DELIVERY_ID_LENGTH = 200;
export const MAX_MEDIA_TYPE_LENGTH = 255;
/** Names of actions and event types are short; anything longer is not one. */
export const MAX_KEYWORD_LENGTH = 200;
export const MAX_TIMESTAMP_LENGTH = 64;

export function isSha256Digest(value: unknown): value is string {
  return typeof value === 'string' && SHA256_DIGEST_PATTERN.test(value);
}

export function isValidTag(value: unknown): value is string {
  return typeof value === 'string' && TAG_PATTERN.test(value);
}

export function isValidRepository(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_REPOSITORY_LENGTH && REPOSITORY_PATTERN.test(value);
}

export function isValidRegistryHost(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_REGISTRY_LENGTH && REGISTRY_HOST_PATTERN.test(value);
}
