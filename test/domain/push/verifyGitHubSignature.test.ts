import { createHmac } from 'node:crypto';
import { verifyGitHubSignature } from '../../../src/domain/push';
import { readFixtureText } from './webhookFixtures';

// GitHub's documented test vector ("Validating webhook deliveries"; SOURCES.md).
const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');
const SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyGitHubSignature', () => {
  it("accepts GitHub's documented test vector", () => {
    expect(verifyGitHubSignature(BODY, SIGNATURE, SECRET)).toBe(true);
  });

  it.each([
    ['the hex in uppercase', true, 'sha256=' + SIGNATURE.slice('sha256='.length).toUpperCase(), SECRET, BODY],
    ['surrounding whitespace', true, ` ${SIGNATURE} `, SECRET, BODY],
    ['another secret', false, SIGNATURE, 'It is a secret to everybody', BODY],
    ['a body changed by one byte', false, SIGNATURE, SECRET, Buffer.from('Hello, World?')],
    ['the body re-serialised with a trailing newline', false, SIGNATURE, SECRET, Buffer.from('Hello, World!\n')],
    ['one hex digit changed', false, SIGNATURE.slice(0, -1) + '8', SECRET, BODY],
    ['no header', false, undefined, SECRET, BODY],
    ['an empty header', false, '', SECRET, BODY],
    ['the bare hex without sha256=', false, SIGNATURE.slice('sha256='.length), SECRET, BODY],
    ['a legacy sha1= signature', false, 'sha1=' + createHmac('sha1', SECRET).update(BODY).digest('hex'), SECRET, BODY],
    ['a truncated signature', false, SIGNATURE.slice(0, 40), SECRET, BODY],
    ['a signature too long', false, SIGNATURE + '00', SECRET, BODY],
    ['non-hex characters', false, 'sha256=' + 'z'.repeat(64), SECRET, BODY],
    ['no secret configured, even with a signature made with the empty key', false, 'sha256=' + createHmac('sha256', '').update(BODY).digest('hex'), '', BODY],
  ])('with %s → %s', (_case, expected, header, secret, body) => {
    expect(verifyGitHubSignature(body, header, secret)).toBe(expected);
  });

  it('verifies the raw bytes of a real sample payload, not its parsed form', () => {
    const raw = Buffer.from(readFixtureText('github_registry_package_published.docker.payload.json'), 'utf8');
    const header = 'sha256=' + createHmac('sha256', 'webhook-secret').update(raw).digest('hex');
    expect(verifyGitHubSignature(raw, header, 'webhook-secret')).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
    expect(verifyGitHubSignature(reserialised, header, 'webhook-secret')).toBe(false);
  });
});
