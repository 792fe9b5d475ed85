/**
 * `web`: an HTTP GET answering JSON, one number picked out of it by a dotted path (a boolean
 * counts as 1 or 0). Each try has the check's timeout; whether and when to try again is the one
 * retry rule (src/domain/retry: 408, 429, 5xx and network errors, backing off, waiting what a
 * 429 or 503 asks in Retry-After), up to `retries` more times, within the measurement's deadline.
 * Never quotes the answer's body in a reason (it could carry anything).
 *
 * `{{revisionFqdn}}` in the URL names the revision measured and `{{stableRevisionFqdn}}` the stable
 * one. A check whose condition names `stable` makes the same GET twice, at the same time and within
 * the same deadline: once as is, and once with `{{revisionFqdn}}` naming the stable revision, whose
 * number is `stable`. A revision's host name is its name followed by the environment's domain
 * (`<app>--<suffix>.<domain>`), so the stable one is the new one's with the first label changed.
 */
import { request, type Dispatcher } from 'undici';
import type { ProviderReading, WebProviderSpec } from '../../domain/analysis';
import { needsStable } from '../../domain/analysis';
import { decideRetry, type FailedAttempt, type RetryPolicy } from '../../domain/retry';
import type { AnalysisProvider, MeasureOptions, MeasureRequest } from './analysisProvider';

const MAX_BODY_BYTES = 256 * 1024;

/** A try that got no reading: what failed (for the retry rule) and how to say it. */
interface FailedTry {
  failure: Omit<FailedAttempt, 'attempt'>;
  reason: string;
}

export function createWebProvider(dispatcher: Dispatcher): AnalysisProvider {
  return {
    async measure(req: MeasureRequest, options: MeasureOptions): Promise<ProviderReading> {
      const spec = req.check.provider as WebProviderSpec;
      const compares = needsStable(req.check);
      const stableFqdn = stableFqdnOf(req);
      if ((compares || spec.url.includes('{{stableRevisionFqdn}}')) && !stableFqdn) {
        return { kind: 'no-data', reason: req.stableRevisionName ? `the stable revision's host name is not known (${req.stableRevisionName})` : 'no stable revision to compare with' };
      }
      const urlFor = (revisionFqdn: string | undefined): string =>
        spec.url.replaceAll('{{stableRevisionFqdn}}', stableFqdn ?? '').replaceAll('{{revisionFqdn}}', revisionFqdn ?? '');
      const deadline = Date.now() + options.timeoutInMs;
      const overall = AbortSignal.any([AbortSignal.timeout(options.timeoutInMs), ...(options.abortSignal ? [options.abortSignal] : [])]);
      const get = (url: string): Promise<ProviderReading> => getWithRetries(dispatcher, url, spec, overall, deadline);
      if (!compares) return get(urlFor(req.revisionFqdn));
      const [canary, stable] = await Promise.all([get(urlFor(req.revisionFqdn)), get(urlFor(stableFqdn))]);
      if (canary.kind !== 'value') return canary;
      if (stable.kind !== 'value') return { ...stable, reason: `stable revision: ${stable.reason}` };
      return { kind: 'value', value: canary.value, stable: stable.value, detail: `${canary.detail}; stable ${stable.detail}` };
    },
  };
}

/** The stable revision's own host name: the new revision's, with the revision name changed. */
function stableFqdnOf(req: MeasureRequest): string | undefined {
  if (!req.stableRevisionName || !req.revisionFqdn) return undefined;
  const prefix = `${req.revisionName.toLowerCase()}.`;
  if (!req.revisionFqdn.toLowerCase().startsWith(prefix)) return undefined;
  return `${req.stableRevisionName.toLowerCase()}.${req.revisionFqdn.slice(prefix.length)}`;
}

async function getWithRetries(dispatcher: Dispatcher, url: string, spec: WebProviderSpec, overall: AbortSignal, deadline: number): Promise<ProviderReading> {
  const host = safeHost(url);
  const policy: RetryPolicy = { maxAttempts: spec.retries + 1, baseDelayMs: 250, maxDelayMs: 5_000 };
  for (let attempt = 1; ; attempt++) {
    const tried = await tryOnce(dispatcher, url, spec, overall);
    if ('reading' in tried) return tried.reading;
    const decision = decideRetry({ attempt, ...tried.failure }, policy, new Date(), Math.random());
    const tries = `${attempt} ${attempt === 1 ? 'try' : 'tries'}`;
    if (!decision.retry) {
      // A status no retry can fix, on the first try, is the answer itself.
      const refused = attempt === 1 && tried.failure.status !== undefined;
      return { kind: 'error', reason: refused ? `GET ${host} answered ${tried.reason}` : `GET ${host}: ${tried.reason} (${tries})` };
    }
    // A wait past the measurement's deadline (a long Retry-After) would only end in its timeout.
    if (overall.aborted || Date.now() + decision.delayMs >= deadline) return { kind: 'error', reason: `GET ${host}: ${tried.reason}; no time left to try again (${tries})` };
    await sleep(decision.delayMs, overall);
  }
}

async function tryOnce(dispatcher: Dispatcher, url: string, spec: WebProviderSpec, overall: AbortSignal): Promise<{ reading: ProviderReading } | FailedTry> {
  const signal = AbortSignal.any([overall, AbortSignal.timeout(spec.timeoutSeconds * 1000)]);
  try {
    const response = await request(url, { method: 'GET', dispatcher, signal, headers: { accept: 'application/json' }, headersTimeout: spec.timeoutSeconds * 1000, bodyTimeout: spec.timeoutSeconds * 1000 });
    const status = response.statusCode;
    if (status >= 400) {
      await response.body.dump();
      return { failure: { status, headers: response.headers as Record<string, string | undefined> }, reason: `HTTP ${status}` };
    }
    const text = await readCapped(response.body);
    if (text === undefined) return { reading: { kind: 'error', reason: `the answer is over ${MAX_BODY_BYTES} bytes` } };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { reading: { kind: 'error', reason: 'the answer is not JSON' } };
    }
    const picked = pick(json, spec.jsonPath);
    if (typeof picked === 'boolean') return { reading: { kind: 'value', value: picked ? 1 : 0, detail: `${spec.jsonPath || 'answer'} = ${picked}` } };
    if (typeof picked === 'number' && Number.isFinite(picked)) return { reading: { kind: 'value', value: picked, detail: `${spec.jsonPath || 'answer'} = ${picked}` } };
    if (picked === undefined || picked === null) return { reading: { kind: 'no-data', reason: `the answer has no ${spec.jsonPath || 'value'}` } };
    return { reading: { kind: 'error', reason: `${spec.jsonPath || 'the answer'} is a ${Array.isArray(picked) ? 'list' : typeof picked}, not a number` } };
  } catch (error) {
    const name = (error as { name?: string })?.name;
    const code = (error as { code?: string })?.code;
    // The try's own timeout is a network timeout like any other (the measurement's deadline ends the loop).
    if (name === 'AbortError' || name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { failure: { errorCode: 'ETIMEDOUT' }, reason: `timed out after ${spec.timeoutSeconds} s` };
    return { failure: typeof code === 'string' ? { errorCode: code } : {}, reason: `could not be reached${typeof code === 'string' ? ` (${code.slice(0, 40)})` : ''}` };
  }
}

/** `a.b.0.c` into parsed JSON; undefined when any segment is missing. */
export function pick(json: unknown, path: string): unknown {
  if (!path) return json;
  let current: unknown = json;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy?.();
      return undefined;
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unreadable URL)';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
