import { applySignIn, signInFromSettings } from '../../devhost/signInStandIn';
import { parseClientPrincipal } from '../../src/domain/access';

const operator = signInFromSettings({ DEVHOST_SIGN_IN: 'operator' });

describe("devhost's stand-in for App Service sign-in", () => {
  it('signs a browser in as the local operator', () => {
    const headers = applySignIn({ 'sec-fetch-site': 'same-origin', accept: '*/*' }, operator);
    const principal = parseClientPrincipal(headers['x-ms-client-principal'] as string);
    expect(principal).toEqual({ kind: 'principal', principal: { name: 'local-operator', identityProvider: 'devhost', roles: ['Harbormaster.Reader', 'Harbormaster.Operator'] } });
    expect(headers['x-ms-client-principal-name']).toBe('local-operator');
    expect(headers.accept).toBe('*/*');
  });

  it('as a reader with DEVHOST_SIGN_IN=reader', () => {
    const headers = applySignIn({ 'sec-fetch-site': 'same-origin' }, signInFromSettings({ DEVHOST_SIGN_IN: 'reader' }));
    expect(parseClientPrincipal(headers['x-ms-client-principal'] as string)).toMatchObject({ principal: { name: 'local-reader', roles: ['Harbormaster.Reader'] } });
  });

  it('signs nobody in who is not a browser (curl, scripts, tests send no Sec-Fetch-Site)', () => {
    expect(applySignIn({ 'x-functions-key': 'k' }, operator)).toEqual({ 'x-functions-key': 'k' });
  });

  it('removes principal headers a client sent, as App Service does', () => {
    const forged = { 'x-ms-client-principal': 'forged', 'X-MS-CLIENT-PRINCIPAL-NAME': 'mallory', 'x-ms-client-principal-idp': 'aad' };
    expect(applySignIn(forged, operator)).toEqual({});
    const browser = applySignIn({ ...forged, 'sec-fetch-site': 'none' }, operator);
    expect(browser['x-ms-client-principal-name']).toBe('local-operator');
    expect(browser['X-MS-CLIENT-PRINCIPAL-NAME']).toBeUndefined();
  });

  it('is off unless DEVHOST_SIGN_IN is set: headers pass as sent (and the app does not trust them)', () => {
    expect(signInFromSettings({})).toBeUndefined();
    const headers = { 'x-ms-client-principal': 'anything', 'sec-fetch-site': 'same-origin' };
    expect(applySignIn(headers, undefined)).toBe(headers);
  });

  it('refuses a value it does not know', () => {
    expect(() => signInFromSettings({ DEVHOST_SIGN_IN: 'admin' })).toThrow('DEVHOST_SIGN_IN must be "operator" or "reader"');
  });
});
