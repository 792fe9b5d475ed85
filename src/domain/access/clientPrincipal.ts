/**
 * The signed-in user as App Service authentication hands it to the app: the
 * `x-ms-client-principal` header, Base64 of
 * `{ "auth_typ": "aad", "claims": [{ "typ": "...", "val": "..." }], "name_typ": "...", "role_typ": "..." }`.
 * The platform sets it after validating the session or token, and removes any copy a client
 * sent; so it is trusted only where that platform runs in front of the app (see caller.ts).
 *
 * Entra ID's app roles arrive as claims of type `roles` (the token's own claim name), while
 * `role_typ` names the long role URI; claims of either type count as roles.
 */
import { effectiveRoles, type HarbormasterRole } from './roles';

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';
export const CLIENT_PRINCIPAL_NAME_HEADER = 'x-ms-client-principal-name';

const ROLE_CLAIM = 'roles';
const ROLE_URI = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';
const OBJECT_ID_CLAIMS = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];
/** Claims that name a person, in the order a name is looked for after `name_typ`. */
const NAME_CLAIMS = ['preferred_username', 'name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'];
const MAX_HEADER_CHARS = 32 * 1024;
const MAX_NAME_CHARS = 200;

export interface ClientPrincipal {
  /** What the audit trail records: the user's sign-in name (UPN or e-mail), else the object id. */
  readonly name: string;
  /** The Entra object id, when the token carried one. */
  readonly objectId?: string;
  readonly identityProvider: string;
  readonly roles: HarbormasterRole[];
}

interface Claim {
  typ: string;
  val: string;
}

export type ParsedPrincipal = { kind: 'principal'; principal: ClientPrincipal } | { kind: 'invalid'; reason: string };

/** `header` is the Base64 value; `nameHeader` the plain `x-ms-client-principal-name`, a fallback for the name. */
export function parseClientPrincipal(header: string, nameHeader?: string): ParsedPrincipal {
  if (header.length > MAX_HEADER_CHARS) return { kind: 'invalid', reason: 'the client principal is too large' };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: 'the client principal is not Base64 JSON' };
  }
  if (typeof decoded !== 'object' || decoded === null || !Array.isArray((decoded as { claims?: unknown }).claims)) {
    return { kind: 'invalid', reason: 'the client principal has no claims' };
  }
  const body = decoded as { auth_typ?: unknown; claims: unknown[]; name_typ?: unknown; role_typ?: unknown };
  const claims = body.claims.filter((c): c is Claim => typeof c === 'object' && c !== null && typeof (c as Claim).typ === 'string' && typeof (c as Claim).val === 'string');
  const roleTypes = new Set([ROLE_CLAIM, ROLE_URI, ...(typeof body.role_typ === 'string' ? [body.role_typ] : [])]);
  const roles = effectiveRoles(claims.filter((c) => roleTypes.has(c.typ)).map((c) => c.val));
  const first = (types: readonly string[]): string | undefined => {
    for (const type of types) {
      const value = claims.find((c) => c.typ === type)?.val.trim();
      if (value) return value;
    }
    return undefined;
  };
  const objectId = first(OBJECT_ID_CLAIMS);
  const name = first([...(typeof body.name_typ === 'string' ? [body.name_typ] : []), ...NAME_CLAIMS]) ?? nameHeader?.trim() ?? objectId;
  if (!name) return { kind: 'invalid', reason: 'the client principal names nobody' };
  return {
    kind: 'principal',
    principal: {
      name: printable(name),
      ...(objectId ? { objectId } : {}),
      identityProvider: typeof body.auth_typ === 'string' ? body.auth_typ : 'unknown',
      roles,
    },
  };
}

/** Builds the header value for a principal (devhost's sign-in stand-in and tests use it). */
export function encodeClientPrincipal(input: { name: string; objectId?: string; roles: readonly string[]; identityProvider?: string }): string {
  const claims: Claim[] = [
    { typ: 'name', val: input.name },
    { typ: 'preferred_username', val: input.name },
    ...(input.objectId ? [{ typ: OBJECT_ID_CLAIMS[0], val: input.objectId }] : []),
    ...input.roles.map((role) => ({ typ: ROLE_CLAIM, val: role })),
  ];
  const body = { auth_typ: input.identityProvider ?? 'aad', claims, name_typ: 'preferred_username', role_typ: ROLE_URI };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

/** A name goes into records and log lines: no control characters, bounded length. */
function printable(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_NAME_CHARS);
}
