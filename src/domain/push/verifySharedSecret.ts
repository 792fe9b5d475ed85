/**
 * Comparing a presented secret with the configured one in constant time. Both are hashed
 * first so the compared buffers always have the same length: neither the comparison's
 * time nor an early length check tells a caller how long the secret is.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** False when nothing was presented or no secret is configured (an empty secret would admit anyone). */
export function verifySharedSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || presented === '' || expected === '') return false;
  return timingSafeEqual(sha256(presented), sha256(expected));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
