import { classifyStatus, isTransientErrorCode, type ErrorClass } from '../../../src/domain/retry';

describe('classifyStatus', () => {
  it.each<[number, ErrorClass]>([[408, 'transient'], [429, 'transient'], [500, 'transient'], [599, 'transient'], [501, 'terminal'], [505, 'terminal'], [400, 'terminal'], [422, 'terminal'], [200, 'terminal']])('%i → %s', (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});

describe('isTransientErrorCode', () => {
  it.each<[string | undefined, boolean]>([
    ['ECONNRESET', true], ['ETIMEDOUT', true], ['ECONNREFUSED', true], ['EAI_AGAIN', true], ['UND_ERR_CONNECT_TIMEOUT', true], ['REQUEST_SEND_ERROR', true],
    ['PARSE_ERROR', false], ['UND_ERR_ABORTED', false], ['ERR_INVALID_URL', false], [undefined, false],
  ])('%s → %s', (code, expected) => {
    expect(isTransientErrorCode(code)).toBe(expected);
  });
});
