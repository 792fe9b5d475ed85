/**
 * devhost standing in for App Service authentication (Entra ID sign-in in Azure), so that
 * `npm start` opens straight into the dashboard with nobody to sign in.
 *
 * `DEVHOST_SIGN_IN` = `operator` | `reader` turns it on, as enabling authentication does in Azure:
 * - the app is told it runs behind sign-in (`WEBSITE_AUTH_ENABLED=True`, as App Service sets it);
 * - any `x-ms-client-principal*` header a client sends is removed (App Service does the same, which
 *   is why the app may trust the header);
 * - a request from a browser gets a local principal with that role (`local-operator`, holding
 *   Harbormaster.Operator, or `local-reader`). Browsers say so by sending `Sec-Fetch-Site`; curl,
 *   scripts and tests do not, so they still need an API key and get 401 without one.
 * Unset, devhost passes headers through and the app trusts no principal header. Only devhost
 * does any of this: the app only reads the header, as it does in Azure.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { encodeClientPrincipal, OPERATOR_ROLE, READER_ROLE } from '../src/domain/access';

export const SIGN_IN_SETTING = 'DEVHOST_SIGN_IN';

export interface SignInStandIn {
  readonly name: string;
  readonly roles: readonly string[];
}

const ROLES: Record<string, SignInStandIn> = {
  operator: { name: 'local-operator', roles: [OPERATOR_ROLE] },
  reader: { name: 'local-reader', roles: [READER_ROLE] },
};

export function signInFromSettings(settings: Readonly<Record<string, string | undefined>>): SignInStandIn | undefined {
  const value = settings[SIGN_IN_SETTING]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  const standIn = ROLES[value];
  if (!standIn) throw new Error(`${SIGN_IN_SETTING} must be "operator" or "reader" (unset: no sign-in stand-in)`);
  return standIn;
}

/** The headers the app sees: principal headers only from devhost, and only for a browser. */
export function applySignIn(headers: IncomingHttpHeaders, standIn: SignInStandIn | undefined): IncomingHttpHeaders {
  if (!standIn) return headers;
  const result: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith('x-ms-client-principal')) result[name] = value;
  }
  if (headers['sec-fetch-site'] !== undefined) {
    result['x-ms-client-principal'] = encodeClientPrincipal({ name: standIn.name, roles: standIn.roles, identityProvider: 'devhost' });
    result['x-ms-client-principal-name'] = standIn.name;
    result['x-ms-client-principal-idp'] = 'devhost';
  }
  return result;
}
