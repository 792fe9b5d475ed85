/**
 * GitHub webhook signatures: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
 * keyed with the webhook secret. The HMAC must be computed over the exact bytes received,
 * before any JSON parsing. Compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_HEADER_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * False when the header is missing or malformed, or when no secret is configured (an empty
 * key would let anyone sign). The legacy SHA-1 `X-Hub-Signature` is not accepted.
 */
export function verifyGitHubSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (secret === '' || header === undefined) return false;
  const match = SIGNATURE_HEADER_PATTERN.exec(header.trim());
  if (match === null) return false;
  const presented = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // Both are 32 bytes here, so timingSafeEqual cannot throw on a length mismatch.
  return timingSafeEqual(presented, expected);
}
