/**
 * Every API route is registered through here, so none can forget who may call it. The
 * Functions host lets the request in (`authLevel: 'anonymous'`: a function key alone could not
 * tell a reader from an operator, and a signed-in browser has no key) and Harbormaster decides:
 * an API key or a signed-in principal (src/domain/access), 401 for neither, 403 without the role.
 *
 * What a route needs follows from its methods, not from a flag someone could get wrong:
 * GET only looks (Reader), anything else acts (Operator). Routes that must stay public
 * (healthz, webhooks with their own secrets, opted-in badges) use `app.http` directly.
 */
import { app, type FunctionInput, type HttpMethod, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getConfig } from '../../config';
import { accessOfMethod, decideAccess, identifyCaller, type Access, type Caller } from '../../domain/access';
import { problem } from './problem';

export type ApiHandler = (request: HttpRequest, context: InvocationContext, caller: Caller) => Promise<HttpResponseInit>;

/** `any-caller`: any key or signed-in principal, whatever its roles (`GET /api/me`). */
export type RouteAccess = Access | 'any-caller';

export interface ApiRouteOptions {
  route: string;
  methods: HttpMethod[];
  handler: ApiHandler;
  extraInputs?: FunctionInput[];
  /** Only `any-caller` may be given; otherwise the methods decide. */
  access?: 'any-caller';
}

export function registerApiRoute(name: string, options: ApiRouteOptions): void {
  app.http(name, {
    route: options.route,
    methods: options.methods,
    authLevel: 'anonymous',
    ...(options.extraInputs ? { extraInputs: options.extraInputs } : {}),
    handler: guarded(options.access ?? accessOfMethods(name, options.methods), options.handler),
  });
}

function accessOfMethods(name: string, methods: readonly string[]): Access {
  const accesses = new Set(methods.map(accessOfMethod));
  if (accesses.size !== 1) throw new Error(`Function "${name}": register reads and actions as separate functions`);
  return [...accesses][0];
}

/** The handler behind the check: it runs only for a caller allowed `access`, and is told who that is. */
export function guarded(access: RouteAccess, handler: ApiHandler): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    const identified = identifyCaller({ headers: request.headers, query: request.query }, getConfig().settings.access);
    const decision = decideAccess(identified, access === 'any-caller' ? 'read' : access);
    if (decision.allowed) {
      if (access === 'operate' && crossSite(request, decision.caller)) {
        return problem(403, 'Forbidden', 'actions of a signed-in user are accepted from this site only');
      }
      return handler(request, context, decision.caller);
    }
    if (access === 'any-caller' && identified.kind === 'caller') return handler(request, context, identified.caller);
    return problem(decision.status, decision.status === 401 ? 'Unauthorized' : 'Forbidden', decision.detail);
  };
}

/**
 * A signed-in browser carries its session cookie to any request another site makes it send;
 * browsers say where a request comes from (`Sec-Fetch-Site`), so an action another site
 * triggers is refused. Keys are never sent by a browser on its own, so they are not affected.
 */
function crossSite(request: HttpRequest, caller: Caller): boolean {
  if (caller.kind !== 'principal') return false;
  const site = request.headers.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}
