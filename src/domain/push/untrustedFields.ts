/**
 * Reading fields out of an untrusted JSON body. Each reader either returns a value that
 * passed its rule or throws `InvalidFieldError` naming the field and the rule. Parsers
 * catch it once at their boundary (`catchInvalidField`) and return a `PushInvalid`.
 * Messages name fields and rules only, never a value from the body: bodies can carry
 * secrets (a mistyped token, a callback URL) and attackers can make them huge.
 */
import type { PushInvalid } from './imagePushed';
import {
  DELIVERY_ID_PATTERN,
  MAX_DELIVERY_ID_LENGTH,
  MAX_KEYWORD_LENGTH,
  MAX_MEDIA_TYPE_LENGTH,
  MAX_REGISTRY_LENGTH,
  MAX_REPOSITORY_LENGTH,
  MAX_TIMESTAMP_LENGTH,
  MEDIA_TYPE_PATTERN,
  REGISTRY_HOST_PATTERN,
  REPOSITORY_PATTERN,
  SHA256_DIGEST_PATTERN,
  TAG_PATTERN,
} from './pushFieldRules';

export class InvalidFieldError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'InvalidFieldError';
  }
}

/** Runs a parse; an `InvalidFieldError` becomes a `PushInvalid`, anything else is a bug and propagates. */
export function catchInvalidField<T>(parse: () => T): T | PushInvalid {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidFieldError) return { kind: 'invalid', field: error.field, problem: error.problem };
    throw error;
  }
}

/** The name used for the body itself when the body as a whole is wrong. */
export const BODY_FIELD = '(body)';

export function childField(parent: string, key: string): string {
  if (parent === '' || parent === BODY_FIELD) return key;
  return key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`;
}

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asJsonObject(value: unknown, field: string): JsonObject {
  if (!isJsonObject(value)) throw new InvalidFieldError(field, 'must be a JSON object');
  return value;
}

export function readRequiredObject(parent: JsonObject, key: string, parentField: string): JsonObject {
  const field = childField(parentField, key);
  const value = parent[key];
  if (value === undefined || value === null) throw new InvalidFieldError(field, 'is required');
  return asJsonObject(value, field);
}

export function readOptionalObject(parent: JsonObject, key: string, parentField: string): JsonObject | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  return asJsonObject(value, childField(parentField, key));
}

/** How a string field is checked. `expected` completes "must be ..." */
export interface StringRule {
  readonly maxLength: number;
  readonly pattern?: RegExp;
  readonly expected: string;
  /** Applied before the pattern (e.g. host names are case-insensitive, so lowercased). */
  readonly normalize?: (value: string) => string;
}

export const DIGEST_RULE: StringRule = { maxLength: 71, pattern: SHA256_DIGEST_PATTERN, expected: "'sha256:' followed by 64 lowercase hex characters" };
export const TAG_RULE: StringRule = { maxLength: 128, pattern: TAG_PATTERN, expected: 'an image tag (letters, digits, _ . -, at most 128, not starting with . or -)' };
export const REPOSITORY_RULE: StringRule = {
  maxLength: MAX_REPOSITORY_LENGTH,
  pattern: REPOSITORY_PATTERN,
  expected: 'a repository name (lowercase path components of letters, digits and separators . _ __ -)',
};
export const REGISTRY_RULE: StringRule = {
  maxLength: MAX_REGISTRY_LENGTH,
  pattern: REGISTRY_HOST_PATTERN,
  expected: 'a registry host name with an optional port',
  normalize: (value) => value.toLowerCase(),
};
export const MEDIA_TYPE_RULE: StringRule = { maxLength: MAX_MEDIA_TYPE_LENGTH, pattern: MEDIA_TYPE_PATTERN, expected: 'a media type (type/subtype)' };
export const DELIVERY_ID_RULE: StringRule = { maxLength: MAX_DELIVERY_ID_LENGTH, pattern: DELIVERY_ID_PATTERN, expected: 'an id of letters, digits and . _ : -' };
/** Action names and event types: compared against known constants, so only their size is checked. */
export const KEYWORD_RULE: StringRule = { maxLength: MAX_KEYWORD_LENGTH, expected: 'a short name' };

export function checkString(value: unknown, field: string, rule: StringRule): string {
  if (typeof value !== 'string') throw new InvalidFieldError(field, 'must be a string');
  if (value.length > rule.maxLength) throw new InvalidFieldError(field, `must be at most ${rule.maxLength} characters`);
  const normalized = rule.normalize ? rule.normalize(value) : value;
  if (rule.pattern && !rule.pattern.test(normalized)) throw new InvalidFieldError(field, `must be ${rule.expected}`);
  return normalized;
}

export function readRequiredString(parent: JsonObject, key: string, parentField: string, rule: StringRule): string {
  const field = childField(parentField, key);
  const value = parent[key];
  if (value === undefined || value === null || value === '') throw new InvalidFieldError(field, 'is required');
  return checkString(value, field, rule);
}

/** Absent, null and '' all mean "not given". */
export function readOptionalString(parent: JsonObject, key: string, parentField: string, rule: StringRule): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null || value === '') return undefined;
  return checkString(value, childField(parentField, key), rule);
}

export function readOptionalSize(parent: JsonObject, key: string, parentField: string): number | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidFieldError(childField(parentField, key), 'must be a non-negative integer');
  }
  return value;
}

/** ISO 8601 date-time (any offset, any fraction digits); returned in UTC `toISOString` form. */
export function readOptionalTimestamp(parent: JsonObject, key: string, parentField: string): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null || value === '') return undefined;
  const field = childField(parentField, key);
  const text = checkString(value, field, { maxLength: MAX_TIMESTAMP_LENGTH, expected: 'an ISO 8601 date-time' });
  const millis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(millis)) throw new InvalidFieldError(field, 'must be an ISO 8601 date-time');
  return new Date(millis).toISOString();
}
