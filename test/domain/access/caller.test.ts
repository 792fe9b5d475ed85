import { decideAccess, encodeClientPrincipal, hashApiKey, identifyCaller, parseApiKeys, type ApiKey, type CallerPolicy } from '../../../src/domain/access';

const operateKey = 'operate-key-0123456789abcdefghijklmnopqrstuv';
const readKey = 'read-key-0123456789abcdefghijklmnopqrstuvwxyz';
const apiKeys = (parseApiKeys(`ci:operate:${hashApiKey(operateKey)},status-page:read:${hashApiKey(readKey)}`) as { keys: ApiKey[] }).keys;
const behindSignIn: CallerPolicy = { keys: apiKeys, trustPrincipal: true };
const noSignIn: CallerPolicy = { keys: apiKeys, trustPrincipal: false };
const principal = (roles: string[], name = 'ada@contoso.com') => ({ 'x-ms-client-principal': encodeClientPrincipal({ name, roles }) });

describe('who is calling, and may they', () => {
  it.each([
    // case, headers, query, policy, access, expected status (or the caller's name when allowed)
    ['nobody', {}, {}, behindSignIn, 'read', 401],
    ['a read key, looking', { 'x-functions-key': readKey }, {}, behindSignIn, 'read', 'key:status-page'],
    ['a read key, acting', { 'x-functions-key': readKey }, {}, behindSignIn, 'operate', 403],
    ['an operate key, acting', { 'x-functions-key': operateKey }, {}, behindSignIn, 'operate', 'key:ci'],
    ['an operate key in ?code=', {}, { code: operateKey }, behindSignIn, 'operate', 'key:ci'],
    ['a wrong key', { 'x-functions-key': 'nope' }, {}, behindSignIn, 'read', 401],
    ['a wrong key beside an operator\'s principal (no fall-back)', { 'x-functions-key': 'nope', ...principal(['Harbormaster.Operator']) }, {}, behindSignIn, 'read', 401],
    ['a reader, looking', principal(['Harbormaster.Reader']), {}, behindSignIn, 'read', 'ada@contoso.com'],
    ['a reader, acting', principal(['Harbormaster.Reader']), {}, behindSignIn, 'operate', 403],
    ['an operator, acting', principal(['Harbormaster.Operator']), {}, behindSignIn, 'operate', 'ada@contoso.com'],
    ['a user without a Harbormaster role, looking', principal([]), {}, behindSignIn, 'read', 403],
    ['a principal header without sign-in in front (anyone could send it)', principal(['Harbormaster.Operator']), {}, noSignIn, 'operate', 401],
    ['a malformed principal header', { 'x-ms-client-principal': 'garbage' }, {}, behindSignIn, 'read', 401],
  ] as const)('%s → %s', (_case, headers, query, policy, access, expected) => {
    const decision = decideAccess(identifyCaller({ headers, query }, policy), access);
    if (typeof expected === 'number') expect(decision).toMatchObject({ allowed: false, status: expected });
    else expect(decision).toMatchObject({ allowed: true, caller: { name: expected } });
  });

  it('says what a refused caller lacks, naming the caller but never a key', () => {
    const decision = decideAccess(identifyCaller({ headers: { 'x-functions-key': readKey } }, behindSignIn), 'operate');
    expect(decision).toEqual({ allowed: false, status: 403, detail: 'key:status-page may not act here: this needs Harbormaster.Operator (or an operate key)' });
    expect(JSON.stringify(decision)).not.toContain(readKey);
  });
});
