import { classifyError, classifyStatus, statusOf, type ErrorClass } from '../../../src/domain/retry';

// Shapes as they reach us, built without importing any SDK.
const restError = (statusCode: number | undefined, code?: string): Error =>
  Object.assign(new Error('rest'), { name: 'RestError', ...(statusCode === undefined ? {} : { statusCode }), ...(code ? { code } : {}) });
const systemError = (code: string): Error => Object.assign(new Error(code), { code });

describe('classifyError: transient or terminal', () => {
  it.each<[string, unknown, ErrorClass]>([
    ['RestError 429', restError(429, 'TooManyRequests'), 'transient'],
    ['RestError 500', restError(500, 'InternalServerError'), 'transient'],
    ['RestError 502', restError(502), 'transient'],
    ['RestError 503', restError(503), 'transient'],
    ['RestError 504', restError(504), 'transient'],
    ['RestError 408', restError(408), 'transient'],
    ['RestError 400', restError(400, 'InvalidParameter'), 'terminal'],
    ['RestError 401', restError(401, 'AuthenticationFailed'), 'terminal'],
    ['RestError 403', restError(403, 'AuthorizationFailed'), 'terminal'],
    ['RestError 404', restError(404, 'ResourceNotFound'), 'terminal'],
    ['RestError 409', restError(409, 'Conflict'), 'terminal'],
    ['RestError 501', restError(501), 'terminal'],
    ['RestError REQUEST_SEND_ERROR without a status', restError(undefined, 'REQUEST_SEND_ERROR'), 'transient'],
    ['RestError PARSE_ERROR without a status', restError(undefined, 'PARSE_ERROR'), 'terminal'],
    ['a status beats a transient-looking code', restError(404, 'ECONNRESET'), 'terminal'],
    ['ECONNRESET', systemError('ECONNRESET'), 'transient'],
    ['ETIMEDOUT', systemError('ETIMEDOUT'), 'transient'],
    ['ECONNREFUSED', systemError('ECONNREFUSED'), 'transient'],
    ['EAI_AGAIN', systemError('EAI_AGAIN'), 'transient'],
    ['undici connect timeout', systemError('UND_ERR_CONNECT_TIMEOUT'), 'transient'],
    ['fetch failed with ECONNRESET as its cause', new TypeError('fetch failed', { cause: systemError('ECONNRESET') }), 'transient'],
    ['an AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'terminal'],
    ['an AbortError wrapping a reset is still an abort', Object.assign(new Error('aborted'), { name: 'AbortError', cause: systemError('ECONNRESET') }), 'terminal'],
    ['a plain Error', new Error('bug'), 'terminal'],
    ['a string', 'ECONNRESET', 'terminal'],
    ['undefined', undefined, 'terminal'],
    ['a fetch-style response error', { status: 503 }, 'transient'],
    ['an error with response.status', { response: { status: 429 } }, 'transient'],
  ])('%s → %s', (_shape, err, expected) => {
    expect(classifyError(err)).toBe(expected);
  });

  it('stops following a cause cycle', () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(classifyError(a)).toBe('terminal');
  });
});

describe('classifyStatus', () => {
  it.each<[number, ErrorClass]>([[408, 'transient'], [429, 'transient'], [500, 'transient'], [599, 'transient'], [501, 'terminal'], [505, 'terminal'], [400, 'terminal'], [422, 'terminal'], [200, 'terminal']])('%i → %s', (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});

describe('statusOf', () => {
  it('prefers statusCode, then status, then response.status, and ignores non-HTTP numbers', () => {
    expect(statusOf({ statusCode: 429, status: 500 })).toBe(429);
    expect(statusOf({ status: 500 })).toBe(500);
    expect(statusOf({ response: { status: 404 } })).toBe(404);
    expect(statusOf({ statusCode: 0 })).toBeUndefined();
    expect(statusOf(null)).toBeUndefined();
  });
});
