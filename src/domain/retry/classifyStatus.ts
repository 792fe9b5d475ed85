// Transient or terminal: the one question a caller asks of a failed try before retrying it,
// from its HTTP status or, when there was no response, its network error code.

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
