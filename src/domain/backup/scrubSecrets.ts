/**
 * Removes secrets from text that came from outside (pg_dump's stderr, driver errors) before it is
 * stored or logged: every known secret value verbatim, then anything shaped like a credential
 * (a URI's user:password@, `password=...`). Known values first, so a password containing `@` or
 * spaces is still caught whole.
 */
const REDACTED = '[redacted]';

export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 3).sort((a, b) => b.length - a.length);
  for (const secret of known) out = out.split(secret).join(REDACTED);
  out = out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*:)[^@\s]*@/gi, `$1${REDACTED}@`);
  out = out.replace(/(password\s*=\s*)('[^']*'|"[^"]*"|\S+)/gi, `$1${REDACTED}`);
  return out;
}

/** The last `maxChars` characters, starting at a line boundary when one is near. */
export function tail(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(text.length - maxChars);
  const newline = cut.indexOf('\n');
  return newline >= 0 && newline < 200 ? cut.slice(newline + 1) : cut;
}
