/**
 * The push fields ACR sends, shared by its webhook body and the `data` of its Event Grid
 * events (the same `{ target, request, timestamp }` shape in both).
 */
import type { ImagePushed } from './imagePushed';
import {
  DIGEST_RULE,
  type JsonObject,
  MEDIA_TYPE_RULE,
  readOptionalSize,
  readOptionalString,
  readOptionalTimestamp,
  readRequiredObject,
  readRequiredString,
  REGISTRY_RULE,
  REPOSITORY_RULE,
  TAG_RULE,
  childField,
} from './untrustedFields';

export type AcrPushFields = Omit<ImagePushed, 'source' | 'deliveryId'>;

/**
 * Reads `target.{repository,tag,digest,mediaType,size}`, `request.host` and `timestamp`.
 * The digest is required: ACR always sends it for a push, and it is what pins the image.
 * `size` and `length` carry the same number in ACR's samples; `size` is preferred.
 */
export function readAcrPushFields(event: JsonObject, field: string): AcrPushFields {
  const target = readRequiredObject(event, 'target', field);
  const targetField = childField(field, 'target');
  const request = readRequiredObject(event, 'request', field);
  const repository = readRequiredString(target, 'repository', targetField, REPOSITORY_RULE);
  const tag = readOptionalString(target, 'tag', targetField, TAG_RULE);
  const digest = readRequiredString(target, 'digest', targetField, DIGEST_RULE);
  const mediaType = readOptionalString(target, 'mediaType', targetField, MEDIA_TYPE_RULE);
  const sizeBytes = readOptionalSize(target, 'size', targetField) ?? readOptionalSize(target, 'length', targetField);
  const registry = readRequiredString(request, 'host', childField(field, 'request'), REGISTRY_RULE);
  const pushedAt = readOptionalTimestamp(event, 'timestamp', field);
  return omitUndefined({ registry, repository, tag, digest, mediaType, sizeBytes, pushedAt });
}

/** Keeps events free of `key: undefined`, so they compare and serialise cleanly. */
export function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
