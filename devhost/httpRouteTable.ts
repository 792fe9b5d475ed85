/**
 * The HTTP-triggered functions of an app and how a request path finds one of them:
 * the most specific matching template wins; a path that matches only with other methods is a 405.
 */
import type { RegisteredFunction } from './functionsCore';
import { toAuthLevel, type AuthLevel } from './hostKeys';
import { compareSpecificity, compileRoute, type CompiledRoute } from './routeTemplate';

export interface HttpRoute {
  readonly fn: RegisteredFunction;
  readonly route: CompiledRoute;
  /** Upper-case methods; empty means every method (function.json without `methods`). */
  readonly methods: readonly string[];
  readonly authLevel: AuthLevel;
}

export type RouteLookup =
  | { kind: 'match'; route: HttpRoute; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'none' };

export function isHttpFunction(fn: RegisteredFunction): boolean {
  return fn.trigger.type.toLowerCase() === 'httptrigger';
}

export class HttpRouteTable {
  readonly routes: readonly HttpRoute[];

  constructor(functions: Iterable<RegisteredFunction>) {
    const routes: HttpRoute[] = [];
    for (const fn of functions) {
      if (!isHttpFunction(fn)) continue;
      const template = typeof fn.trigger.route === 'string' && fn.trigger.route.trim() !== '' ? fn.trigger.route : fn.name;
      const methods = Array.isArray(fn.trigger.methods) ? fn.trigger.methods.map((m) => String(m).toUpperCase()) : [];
      try {
        routes.push({ fn, route: compileRoute(template), methods, authLevel: toAuthLevel(fn.trigger.authLevel ?? 'function') });
      } catch (error) {
        throw new Error(`Function "${fn.name}": ${(error as Error).message}`);
      }
    }
    this.routes = routes.sort((a, b) => compareSpecificity(a.route, b.route));
  }

  /** `path` is relative to the route prefix, without a leading slash. */
  find(path: string, method: string): RouteLookup {
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = route.route.match(path);
      if (!params) continue;
      if (route.methods.length === 0 || route.methods.includes(method.toUpperCase())) return { kind: 'match', route, params };
      route.methods.forEach((m) => allow.add(m));
    }
    return allow.size > 0 ? { kind: 'methodNotAllowed', allow: [...allow].sort() } : { kind: 'none' };
  }
}

/** host.json `extensions.http.routePrefix`; Azure's default is `api`, and `""` means no prefix. */
export function routePrefixFrom(hostJson: Record<string, unknown>): string {
  const extensions = hostJson.extensions as { http?: { routePrefix?: unknown } } | undefined;
  const prefix = extensions?.http?.routePrefix;
  return typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api';
}
