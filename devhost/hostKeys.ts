/**
 * Function and master keys, as the Functions host checks them for `authLevel`.
 *
 * Keys come from app settings (Azure keeps them in its key store; locally they are settings):
 * - `DEVHOST_FUNCTION_KEY`: accepted by `function`-level functions.
 * - `DEVHOST_MASTER_KEY`: accepted by `function`- and `admin`-level functions and by the admin API.
 * A level whose key is not set refuses every request (devhost never invents a key nobody knows).
 * The key is read from the `x-functions-key` header or the `code` query parameter, as in Azure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const FUNCTION_KEY_SETTING = 'DEVHOST_FUNCTION_KEY';
export const MASTER_KEY_SETTING = 'DEVHOST_MASTER_KEY';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface HostKeys {
  functionKey?: string;
  masterKey?: string;
}

export function keysFromSettings(settings: Readonly<Record<string, string | undefined>>): HostKeys {
  const nonEmpty = (value: string | undefined): string | undefined => (value && value.length > 0 ? value : undefined);
  return { functionKey: nonEmpty(settings[FUNCTION_KEY_SETTING]), masterKey: nonEmpty(settings[MASTER_KEY_SETTING]) };
}

/** The key a caller presented: the header wins over the query parameter, as in Azure. */
export function presentedKey(headers: IncomingHttpHeaders, url: URL): string | undefined {
  const header = headers['x-functions-key'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader) return fromHeader;
  return url.searchParams.get('code') ?? undefined;
}

/** Compares in constant time; hashing first makes lengths equal so the length is not leaked either. */
function sameKey(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isAuthorized(level: AuthLevel, presented: string | undefined, keys: HostKeys): boolean {
  if (level === 'anonymous') return true;
  if (presented === undefined) return false;
  // Evaluate both comparisons regardless of the first result, so timing does not reveal which key matched.
  const master = keys.masterKey !== undefined && sameKey(presented, keys.masterKey);
  const fn = keys.functionKey !== undefined && sameKey(presented, keys.functionKey);
  return level === 'admin' ? master : master || fn;
}

export function toAuthLevel(value: unknown): AuthLevel {
  const lower = typeof value === 'string' ? value.toLowerCase() : 'anonymous';
  if (lower === 'anonymous' || lower === 'function' || lower === 'admin') return lower;
  throw new Error(`authLevel "${String(value)}" is not one of anonymous, function, admin`);
}
