import { encodeClientPrincipal, parseClientPrincipal } from '../../../src/domain/access';

const ROLE_URI = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

/** A header as App Service builds it for an Entra ID sign-in. */
function header(body: unknown): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

const entraUser = (roles: Array<{ typ: string; val: string }>) =>
  header({
    auth_typ: 'aad',
    claims: [
      { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: '6f1c2a3b-0000-4000-8000-000000000001' },
      { typ: 'name', val: 'Ada Lovelace' },
      { typ: 'preferred_username', val: 'ada@contoso.com' },
      { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: '00000000-0000-0000-0000-000000000000' },
      ...roles,
    ],
    name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
    role_typ: ROLE_URI,
  });

describe('parseClientPrincipal: the signed-in user App Service hands the app', () => {
  it.each([
    ['an operator (Entra app roles arrive as "roles" claims)', [{ typ: 'roles', val: 'Harbormaster.Operator' }], ['Harbormaster.Reader', 'Harbormaster.Operator']],
    ['a reader', [{ typ: 'roles', val: 'Harbormaster.Reader' }], ['Harbormaster.Reader']],
    ['a role under the role_typ URI', [{ typ: ROLE_URI, val: 'Harbormaster.Reader' }], ['Harbormaster.Reader']],
    ['roles of other applications only', [{ typ: 'roles', val: 'Contoso.Admin' }], []],
    ['no role at all', [], []],
    ['a role name in another case (roles are case-sensitive)', [{ typ: 'roles', val: 'harbormaster.operator' }], []],
  ])('%s → %j', (_case, roles, expected) => {
    const parsed = parseClientPrincipal(entraUser(roles));
    expect(parsed).toEqual({ kind: 'principal', principal: expect.objectContaining({ roles: expected }) });
  });

  it('names the user by sign-in name and keeps the object id', () => {
    const parsed = parseClientPrincipal(entraUser([]));
    expect(parsed).toEqual({ kind: 'principal', principal: { name: 'ada@contoso.com', objectId: '6f1c2a3b-0000-4000-8000-000000000001', identityProvider: 'aad', roles: [] } });
  });

  it('falls back to x-ms-client-principal-name, then the object id, when no claim names the user', () => {
    const bare = header({ auth_typ: 'aad', claims: [{ typ: 'oid', val: 'oid-1' }] });
    expect(parseClientPrincipal(bare, 'bob@contoso.com')).toMatchObject({ principal: { name: 'bob@contoso.com' } });
    expect(parseClientPrincipal(bare)).toMatchObject({ principal: { name: 'oid-1' } });
  });

  it.each([
    ['not Base64 JSON', '%%%not-base64%%%'],
    ['JSON without claims', header({ auth_typ: 'aad' })],
    ['claims naming nobody', header({ auth_typ: 'aad', claims: [{ typ: 'roles', val: 'Harbormaster.Operator' }] })],
    ['an oversized header', 'A'.repeat(40 * 1024)],
  ])('refuses %s', (_case, value) => {
    expect(parseClientPrincipal(value).kind).toBe('invalid');
  });

  it('keeps control characters out of the name (it goes into records and log lines)', () => {
    const forged = header({ auth_typ: 'aad', claims: [{ typ: 'name', val: 'mallory\n{"level":"info"}' }] });
    expect(parseClientPrincipal(forged)).toMatchObject({ principal: { name: 'mallory {"level":"info"}' } });
  });

  it('reads back what encodeClientPrincipal (devhost\'s stand-in) writes', () => {
    const value = encodeClientPrincipal({ name: 'local-operator', roles: ['Harbormaster.Operator'], identityProvider: 'devhost' });
    expect(parseClientPrincipal(value)).toEqual({ kind: 'principal', principal: { name: 'local-operator', identityProvider: 'devhost', roles: ['Harbormaster.Reader', 'Harbormaster.Operator'] } });
  });
});
