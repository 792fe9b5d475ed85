/**
 * Who is calling, and may they. A caller is either an API key (automation) or a principal
 * signed in through App Service authentication; neither is a 401, a caller without the role
 * a route needs a 403.
 *
 * The principal header is trusted only when `trustPrincipal` is set: in Azure that is
 * `WEBSITE_AUTH_ENABLED`, which the platform sets when its authentication runs in front of
 * the app (it strips any `x-ms-client-principal` a client sends). Without it anyone could
 * send the header, so it is ignored.
 */
import { headerValue, queryValue, type HeaderSource, type QuerySource } from '../push/headerLookup';
import { matchApiKey, type ApiKey } from './apiKeys';
import { CLIENT_PRINCIPAL_HEADER, CLIENT_PRINCIPAL_NAME_HEADER, parseClientPrincipal } from './clientPrincipal';
import { permits, rolesOfScope, type Access, type HarbormasterRole } from './roles';

export const API_KEY_HEADER = 'x-functions-key';
export const API_KEY_QUERY = 'code';

export type Caller =
  | { readonly kind: 'key'; readonly name: string; readonly keyName: string; readonly roles: HarbormasterRole[] }
  | { readonly kind: 'principal'; readonly name: string; readonly objectId?: string; readonly roles: HarbormasterRole[] };

export interface CallerPolicy {
  readonly keys: readonly ApiKey[];
  readonly trustPrincipal: boolean;
}

export interface PresentedRequest {
  readonly headers: HeaderSource;
  readonly query?: QuerySource;
}

export type Identified = { kind: 'caller'; caller: Caller } | { kind: 'anonymous' } | { kind: 'refused'; reason: string };

/**
 * A presented key wins over a principal: a script's key is what it means to use. A key that
 * matches nothing is refused outright, even with a principal beside it, so a typo is a 401
 * rather than a silent fall-back to someone else's identity.
 */
export function identifyCaller(request: PresentedRequest, policy: CallerPolicy): Identified {
  const presented = headerValue(request.headers, API_KEY_HEADER) ?? queryValue(request.query, API_KEY_QUERY);
  if (presented !== undefined && presented !== '') {
    const key = matchApiKey(presented, policy.keys);
    if (!key) return { kind: 'refused', reason: 'the API key is not valid' };
    return { kind: 'caller', caller: { kind: 'key', name: `key:${key.name}`, keyName: key.name, roles: rolesOfScope(key.scope) } };
  }
  const header = policy.trustPrincipal ? headerValue(request.headers, CLIENT_PRINCIPAL_HEADER) : undefined;
  if (header === undefined || header === '') return { kind: 'anonymous' };
  const parsed = parseClientPrincipal(header, headerValue(request.headers, CLIENT_PRINCIPAL_NAME_HEADER));
  if (parsed.kind === 'invalid') return { kind: 'refused', reason: parsed.reason };
  const { name, objectId, roles } = parsed.principal;
  return { kind: 'caller', caller: { kind: 'principal', name, ...(objectId ? { objectId } : {}), roles } };
}

export type AccessDecision = { allowed: true; caller: Caller } | { allowed: false; status: 401 | 403; detail: string };

export function decideAccess(identified: Identified, access: Access): AccessDecision {
  if (identified.kind === 'anonymous') return { allowed: false, status: 401, detail: 'sign in, or present an API key in the x-functions-key header' };
  if (identified.kind === 'refused') return { allowed: false, status: 401, detail: identified.reason };
  const { caller } = identified;
  if (permits(caller.roles, access)) return { allowed: true, caller };
  const needed = access === 'operate' ? 'Harbormaster.Operator (or an operate key)' : 'Harbormaster.Reader or Harbormaster.Operator (or a read key)';
  return { allowed: false, status: 403, detail: `${caller.name} may not ${access === 'operate' ? 'act' : 'look'} here: this needs ${needed}` };
}
