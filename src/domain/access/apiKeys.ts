/**
 * Harbormaster's API keys, for automation that cannot sign in. Each key has a name (what the
 * audit trail records: `key:<name>`) and a scope: `read` keys only look (dashboards, scripts
 * that poll status), `operate` keys may also act (CI deploying a tag). A leaked read key cannot
 * deploy, roll back or approve anything.
 *
 * The app keeps only the SHA-256 of each key (`HARBORMASTER_API_KEYS`:
 * `name:scope:sha256hex[,name:scope:sha256hex...]`), so the setting itself opens nothing. A key is
 * 32 random bytes, so a plain hash is enough: there is no dictionary to try against it. A caller
 * presents the key itself in `x-functions-key` (or `?code=`), the places Azure Functions keys go.
 * Every configured key is compared, in constant time, whatever matched first: the time taken
 * tells nothing about which key, or whether any, matched.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyScope } from './roles';

export interface ApiKey {
  readonly name: string;
  readonly scope: KeyScope;
  /** SHA-256 of the key, 32 bytes. */
  readonly sha256: Buffer;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const HASH = /^[0-9a-f]{64}$/;

/** Parses the setting; a problem never repeats the value (the message names the entry by position). */
export function parseApiKeys(text: string): { keys: ApiKey[] } | { problem: string } {
  const keys: ApiKey[] = [];
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  for (const [index, entry] of entries.entries()) {
    const [name, scope, hash, ...rest] = entry.split(':');
    const where = `entry ${index + 1}`;
    if (rest.length > 0 || hash === undefined) return { problem: `${where} must be name:scope:sha256hex` };
    if (!NAME.test(name)) return { problem: `${where}: the name must be 1-40 lowercase letters, digits and hyphens` };
    if (scope !== 'read' && scope !== 'operate') return { problem: `${where}: the scope must be "read" or "operate"` };
    if (!HASH.test(hash)) return { problem: `${where}: the hash must be 64 lowercase hex characters (the SHA-256 of the key, not the key)` };
    if (keys.some((k) => k.name === name)) return { problem: `${where}: the name "${name}" is used twice` };
    keys.push({ name, scope, sha256: Buffer.from(hash, 'hex') });
  }
  return { keys };
}

/** The key a caller presented, if it is one of `keys`. */
export function matchApiKey(presented: string | undefined, keys: readonly ApiKey[]): ApiKey | undefined {
  if (presented === undefined || presented === '') return undefined;
  const digest = sha256(presented);
  let matched: ApiKey | undefined;
  for (const key of keys) {
    // No early exit: every key is compared.
    if (timingSafeEqual(digest, key.sha256) && matched === undefined) matched = key;
  }
  return matched;
}

export function hashApiKey(key: string): string {
  return sha256(key).toString('hex');
}

/** A new key: 32 random bytes, base64url (43 characters, safe in a header and a URL). */
export function newApiKey(): string {
  return randomBytes(32).toString('base64url');
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
