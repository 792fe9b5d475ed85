// Health bodies, error messages and platform strings are written by other people's software and may
// carry secrets (connection strings in a stack trace, a token in a debug field). Whatever we quote
// from them goes through here: the text is shortened first, then anything secret-shaped is replaced.
// It is an allow-list at the word level: short ordinary words survive, long opaque runs never do.

/** Longest excerpt ever returned, in characters (the ellipsis included). */
export const MAX_EXCERPT_CHARS = 100;

// Only this much of the input is looked at, so the patterns below run on bounded text.
const SCAN_CHARS = 1_000;
const REDACTED = '***';

const SECRET_KEY = '(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|accountkey|sharedaccesskey|sharedaccesssignature|client[_-]?secret|sig|signature|auth|authorization|credential|credentials|cookie|session)';

const REDACTIONS: ReadonlyArray<[RegExp, string]> = [
  // userinfo in URLs: postgres://user:pass@host, ecto://postgres:PASSWORD@host
  [/([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, `$1${REDACTED}@`],
  // Authorization: Bearer x / Basic x (before the key rules, which would take only the scheme word as the value)
  [/\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // "password": "x"  /  'token': 'x'  (JSON-ish)
  [new RegExp(`(["']?[\\w.-]*${SECRET_KEY}[\\w.-]*["']?\\s*:\\s*)("[^"]*"|'[^']*'|[^\\s,;}]+)`, 'gi'), `$1"${REDACTED}"`],
  // Password=x; AccountKey=x; sig=x (connection strings, query strings)
  [new RegExp(`([\\w.-]*${SECRET_KEY}[\\w.-]*\\s*=\\s*)[^\\s;&,'"]+`, 'gi'), `$1${REDACTED}`],
  // JWTs
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED],
];

// Any long opaque run (keys, hashes, base64): 24+ characters without breaks, mixing letters and digits.
// Requiring both keeps long plain names (`database_connection_pool`) readable.
const OPAQUE_RUN = /[A-Za-z0-9+/_=-]{24,}/g;
const redactOpaque = (run: string): string => (/\d/.test(run) && /[A-Za-z]/.test(run) ? REDACTED : run);

/**
 * A short, single-line, secret-free excerpt of untrusted text, for reasons and logs.
 * Returns '' for empty input.
 */
export function sanitizeExcerpt(text: string, maxChars: number = MAX_EXCERPT_CHARS): string {
  // Control characters (and newlines) become spaces so an excerpt cannot forge log lines.
  let excerpt = text.slice(0, SCAN_CHARS).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  for (const [pattern, replacement] of REDACTIONS) excerpt = excerpt.replace(pattern, replacement);
  excerpt = excerpt.replace(OPAQUE_RUN, redactOpaque);
  const limit = Math.max(1, maxChars);
  return excerpt.length > limit ? `${excerpt.slice(0, limit - 1)}…` : excerpt;
}
