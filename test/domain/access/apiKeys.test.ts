import { hashApiKey, matchApiKey, newApiKey, parseApiKeys, type ApiKey } from '../../../src/domain/access';

const ciKey = 'ci-key-0123456789abcdefghijklmnopqrstuvwxyz';
const dashboardKey = 'dashboard-key-0123456789abcdefghijklmnopqrstuv';
const setting = `ci:operate:${hashApiKey(ciKey)}, grafana:read:${hashApiKey(dashboardKey)}`;

function keys(): ApiKey[] {
  const parsed = parseApiKeys(setting);
  if (!('keys' in parsed)) throw new Error(parsed.problem);
  return parsed.keys;
}

describe('API keys: names, scopes and hashes in HARBORMASTER_API_KEYS', () => {
  it('parses name:scope:sha256 entries', () => {
    expect(keys().map((k) => [k.name, k.scope])).toEqual([['ci', 'operate'], ['grafana', 'read']]);
  });

  it.each([
    ['a key in place of its hash', `ci:operate:${ciKey}`, 'entry 1: the hash must be 64 lowercase hex characters (the SHA-256 of the key, not the key)'],
    ['an unknown scope', `ci:admin:${hashApiKey(ciKey)}`, 'entry 1: the scope must be "read" or "operate"'],
    ['a missing part', `ci:${hashApiKey(ciKey)}`, 'entry 1 must be name:scope:sha256hex'],
    ['a bad name', `CI Bot:read:${hashApiKey(ciKey)}`, 'entry 1: the name must be 1-40 lowercase letters, digits and hyphens'],
    ['a name used twice', `ci:read:${hashApiKey(ciKey)},ci:operate:${hashApiKey(dashboardKey)}`, 'entry 2: the name "ci" is used twice'],
  ])('refuses %s, without repeating the value', (_case, value, problem) => {
    const parsed = parseApiKeys(value);
    expect(parsed).toEqual({ problem });
    expect(problem).not.toContain(ciKey);
  });

  it.each([
    ['the operate key', ciKey, 'ci'],
    ['the read key', dashboardKey, 'grafana'],
    ['a wrong key', 'ci-key-0123456789abcdefghijklmnopqrstuvwxyZ', undefined],
    ['the hash itself (the setting is not a key)', hashApiKey(ciKey), undefined],
    ['nothing', undefined, undefined],
    ['an empty key', '', undefined],
  ])('matches %s → %s', (_case, presented, name) => {
    expect(matchApiKey(presented, keys())?.name).toBe(name);
  });

  it('makes keys of 32 random bytes, base64url', () => {
    const a = newApiKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newApiKey()).not.toBe(a);
  });
});
