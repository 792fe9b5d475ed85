// Transient or terminal: the one question a caller asks of a failure before retrying it.
// Read structurally (no SDK import) from the shapes that reach us: the Azure SDK's RestError
// (`statusCode`, `code`), Node system errors (`code`), fetch/undici errors (the code on `cause`),
// and AbortError (cancelled on purpose: never retried).

export type ErrorClass = 'transient' | 'terminal';

/**
 * Network failure codes worth retrying. Node's own (the set core-rest-pipeline's exponential strategy
 * retries, plus EAI_AGAIN, EPIPE and unreachable networks), undici's timeouts and socket errors, and
 * the SDK's REQUEST_SEND_ERROR (a RestError raised when the request could not be sent).
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNABORTED', 'ENOTFOUND', 'ENOENT', 'EAI_AGAIN',
  'EPIPE', 'ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
  'REQUEST_SEND_ERROR',
]);

/**
 * HTTP statuses: 408, 429 and 5xx are transient, except 501 (Not Implemented) and 505 (HTTP Version
 * Not Supported), which no retry can fix. Every other status (other 4xx, and anything unexpected) is terminal.
 */
export function classifyStatus(status: number): ErrorClass {
  if (status === 408 || status === 429) return 'transient';
  if (status >= 500 && status <= 599 && status !== 501 && status !== 505) return 'transient';
  return 'terminal';
}

export function isTransientErrorCode(code: string | undefined): boolean {
  return code !== undefined && TRANSIENT_ERROR_CODES.has(code);
}

// How deep to follow `cause`: fetch wraps the system error once; a few levels cover our own wrapping.
const MAX_CAUSE_DEPTH = 4;

/** Transient when a retry may succeed; terminal otherwise (including anything unrecognised). */
export function classifyError(err: unknown): ErrorClass {
  let current: unknown = err;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH && isObject(current); depth++) {
    if (current.name === 'AbortError') return 'terminal';
    const status = statusOf(current);
    if (status !== undefined) return classifyStatus(status);
    if (typeof current.code === 'string' && isTransientErrorCode(current.code)) return 'transient';
    current = current.cause;
  }
  return 'terminal';
}

/** The HTTP status an error carries: RestError `statusCode`, or `status`, or `response.status`. */
export function statusOf(err: unknown): number | undefined {
  if (!isObject(err)) return undefined;
  const response = isObject(err.response) ? err.response : undefined;
  for (const candidate of [err.statusCode, err.status, response?.status]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 100 && candidate <= 599) return candidate;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
