/**
 * Answers every request devhost receives: the admin API, HTTP triggers under the route prefix,
 * then whatever an extension serves (e.g. the Durable HTTP API), else 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdminRequest, type FunctionFirer } from './adminApi';
import type { LogWriter } from './devhostLog';
import type { DevhostExtension } from './extension';
import { readBody, RequestTooLargeError, sendProblem, toHttpRequest, writeHandlerResult } from './httpBridge';
import type { HttpRouteTable } from './httpRouteTable';
import { isAuthorized, presentedKey, type HostKeys } from './hostKeys';
import type { Invoker } from './invoker';
import { applySignIn, type SignInStandIn } from './signInStandIn';

export interface DispatcherOptions {
  routeTable: HttpRouteTable;
  routePrefix: string;
  keys: HostKeys;
  maxRequestBodyBytes: number;
  invoker: Invoker;
  extensions: () => readonly DevhostExtension[];
  firer: FunctionFirer;
  log: LogWriter;
  baseUrl: () => string;
  /** Standing in for App Service authentication (signInStandIn.ts); undefined: headers pass as sent. */
  signIn?: SignInStandIn;
}

/** The path below the route prefix (no leading slash), or undefined when outside it. */
function belowPrefix(pathname: string, prefix: string): string | undefined {
  const path = pathname.replace(/^\/+/, '');
  if (prefix === '') return path;
  if (path.toLowerCase() === prefix.toLowerCase()) return '';
  if (path.toLowerCase().startsWith(prefix.toLowerCase() + '/')) return path.slice(prefix.length + 1);
  return undefined;
}

export function createDispatcher(options: DispatcherOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', options.baseUrl());
    } catch {
      return sendProblem(res, 400, 'Bad Request', 'request target is not a valid URL');
    }
    if (/^\/admin(\/|$)/i.test(url.pathname)) {
      return handleAdminRequest(req, res, url, options.keys, options.firer);
    }

    const below = belowPrefix(url.pathname, options.routePrefix);
    if (below !== undefined) {
      const lookup = options.routeTable.find(below, req.method ?? 'GET');
      if (lookup.kind === 'match') {
        const { route, params } = lookup;
        if (!isAuthorized(route.authLevel, presentedKey(req.headers, url), options.keys)) {
          return sendProblem(res, 401, 'Unauthorized', `"${route.fn.name}" requires a ${route.authLevel} key (x-functions-key header or code query parameter).`);
        }
        let body: Buffer;
        try {
          body = await readBody(req, options.maxRequestBodyBytes);
        } catch (error) {
          if (error instanceof RequestTooLargeError) {
            res.setHeader('connection', 'close');
            return sendProblem(res, 413, 'Payload Too Large', error.message);
          }
          throw error;
        }
        const request = toHttpRequest(req, url, body, params, applySignIn(req.headers, options.signIn));
        let result: unknown;
        try {
          result = await options.invoker.invoke(route.fn, request);
        } catch {
          // The invoker logged the error; the caller gets no detail, as in Azure.
          return sendProblem(res, 500, 'Internal Server Error', `"${route.fn.name}" failed; see the host log`);
        }
        try {
          await writeHandlerResult(res, result);
        } catch (error) {
          options.log({ level: 'error', msg: 'writing the HTTP response failed', function: route.fn.name, error: { message: (error as Error).message } });
          return sendProblem(res, 500, 'Internal Server Error', `"${route.fn.name}" returned a response devhost could not send`);
        }
        return;
      }
      if (lookup.kind === 'methodNotAllowed') {
        return sendProblem(res, 405, 'Method Not Allowed', `${req.method ?? ''} is not one of ${lookup.allow.join(', ')}`, { allow: lookup.allow.join(', ') });
      }
    }

    for (const extension of options.extensions()) {
      if (extension.handleRequest && (await extension.handleRequest(req, res))) return;
    }
    sendProblem(res, 404, 'Not Found', `No function serves ${url.pathname}`);
  };
}
