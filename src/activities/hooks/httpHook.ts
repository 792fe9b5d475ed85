/**
 * An HTTP hook: POST the hook event as JSON to the configured URL. The body is signed with
 * HMAC-SHA256 under a Key Vault secret when the hook names one (`X-Harbormaster-Signature-256:
 * sha256=<hex>`, GitHub's scheme, so receivers can reuse their verification code); the delivery
 * id stays the same across tries so a receiver can drop duplicates.
 *
 * Each try has the hook's timeout; a timeout, a network error, 408, 429 or 5xx is tried again up to
 * `retries` times with exponential back-off, or after exactly the wait a 429/503 asks for in
 * Retry-After (a wait longer than the hook may take ends the call instead). Any 2xx passes; any
 * other answer fails. Reasons name the host and the status, never the URL's query, the body or the
 * secret.
 */
import { createHmac } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import { decideRetry, type RetryDecision } from '../../domain/retry';
import type { HookEvent, HookOutcome, HttpHookSpec } from '../../domain/hooks';

export const SIGNATURE_HEADER = 'x-harbormaster-signature-256';
export const DELIVERY_HEADER = 'x-harbormaster-delivery';
export const EVENT_HEADER = 'x-harbormaster-event';

/** The longest Retry-After a hook honours; asking for more ends the call. */
const MAX_ASKED_WAIT_MS = 60_000;

export interface HttpHookPorts {
  http: Dispatcher;
  readSecret: (name: string) => Promise<string>;
  now: () => Date;
  /** Jitter source in [0, 1) for the back-off. */
  random?: () => number;
}

export function createHttpHookCaller(ports: HttpHookPorts) {
  return async function callHttpHook(hook: HttpHookSpec, event: HookEvent): Promise<HookOutcome> {
    const url = hook.url.replaceAll('{{revisionFqdn}}', event.revisionFqdn ?? '');
    const host = safeHost(url);
    const body = JSON.stringify(event);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [EVENT_HEADER]: event.phase,
      [DELIVERY_HEADER]: `${event.deploymentId}:${event.phase}:${event.hook}`,
    };
    if (hook.secretName) {
      let secret: string;
      try {
        secret = await ports.readSecret(hook.secretName);
      } catch {
        return { ok: false, reason: `the signing secret "${hook.secretName}" could not be read from Key Vault` };
      }
      headers[SIGNATURE_HEADER] = signature(secret, body);
    }
    const attempts = hook.retries + 1;
    for (let attempt = 1; ; attempt++) {
      const tried = await postOnce(ports.http, url, body, headers, hook.timeoutSeconds);
      if (tried.status !== undefined && tried.status >= 200 && tried.status < 300) {
        return { ok: true, detail: `POST ${host} answered ${tried.status}${attempt > 1 ? ` (try ${attempt} of ${attempts})` : ''}` };
      }
      const decision: RetryDecision = decideRetry(
        { attempt, status: tried.status, headers: tried.headers, errorCode: tried.errorCode },
        { maxAttempts: attempts, baseDelayMs: 500, maxDelayMs: 10_000 },
        ports.now(),
        (ports.random ?? Math.random)(),
      );
      const what = tried.status !== undefined ? `answered ${tried.status}` : tried.timedOut ? `no answer within ${hook.timeoutSeconds} s` : `could not be reached (${tried.errorCode})`;
      if (!decision.retry) return { ok: false, reason: `POST ${host} ${what} (${attempt} of ${attempts} tries)` };
      if (decision.delayMs > MAX_ASKED_WAIT_MS) return { ok: false, reason: `POST ${host} ${what} and asked to wait ${Math.ceil(decision.delayMs / 1000)} s, longer than a hook may wait (${attempt} of ${attempts} tries)` };
      await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    }
  };
}

/** `sha256=<hex>` of the HMAC-SHA256 of the exact body sent. */
export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

interface Tried {
  status?: number;
  headers?: Record<string, string | undefined>;
  /** The network error's code (ETIMEDOUT for a try that timed out). */
  errorCode?: string;
  timedOut?: boolean;
}

async function postOnce(dispatcher: Dispatcher, url: string, body: string, headers: Record<string, string>, timeoutSeconds: number): Promise<Tried> {
  const timeoutMs = timeoutSeconds * 1000;
  try {
    const response = await request(url, { method: 'POST', dispatcher, body, headers, signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await response.body.dump();
    const answered: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers)) answered[name] = Array.isArray(value) ? value[0] : value;
    return { status: response.statusCode, headers: answered };
  } catch (error) {
    const name = (error as { name?: string })?.name;
    const code = (error as { code?: string })?.code;
    // A timeout is worth another try: report it with a code the retry rules count as transient.
    if (name === 'AbortError' || name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { errorCode: 'ETIMEDOUT', timedOut: true };
    return { errorCode: typeof code === 'string' ? code.slice(0, 40) : 'unknown network error' };
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unreadable URL)';
  }
}
