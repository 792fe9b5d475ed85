/**
 * The part of the Functions host admin API that devhost offers (master key required, as in Azure):
 * - `POST /admin/functions/<name>` with `{"input": ...}`: fires a non-HTTP function now, 202 Accepted;
 * - `GET /admin/host/status`: the host's state.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegisteredFunction } from './functionsCore';
import { readBody, RequestTooLargeError, sendProblem } from './httpBridge';
import { isAuthorized, presentedKey, type HostKeys } from './hostKeys';

/** What the admin API needs from the host: who runs a function of a given trigger type. */
export interface FunctionFirer {
  functions: ReadonlyMap<string, RegisteredFunction>;
  /**
   * Starts a run of `fn` with `input`. Resolves with `started` once a runner took it (the run may
   * still be going), or `noRunner` when neither the core nor an extension owns the trigger type.
   */
  start(fn: RegisteredFunction, input: unknown): Promise<'started' | 'noRunner'>;
}

const MAX_ADMIN_BODY_BYTES = 1024 * 1024;

export async function handleAdminRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  keys: HostKeys,
  firer: FunctionFirer,
): Promise<void> {
  if (!isAuthorized('admin', presentedKey(req.headers, url), keys)) {
    sendProblem(res, 401, 'Unauthorized', 'The admin API requires the master key (x-functions-key header or code query parameter).');
    return;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path.toLowerCase() === '/admin/host/status') {
    if (req.method !== 'GET') return sendProblem(res, 405, 'Method Not Allowed', undefined, { allow: 'GET' });
    const body = JSON.stringify({ state: 'Running', version: 'devhost' });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    return;
  }
  const functionMatch = /^\/admin\/functions\/([^/]+)$/i.exec(path);
  if (!functionMatch) {
    sendProblem(res, 404, 'Not Found');
    return;
  }
  if (req.method !== 'POST') return sendProblem(res, 405, 'Method Not Allowed', undefined, { allow: 'POST' });

  const name = decodeURIComponent(functionMatch[1]);
  const fn = [...firer.functions.values()].find((f) => f.name.toLowerCase() === name.toLowerCase());
  if (!fn) return sendProblem(res, 404, 'Not Found', `No function named "${name}"`);
  if (fn.trigger.type.toLowerCase() === 'httptrigger') {
    return sendProblem(res, 400, 'Bad Request', `"${fn.name}" is HTTP-triggered; call its route instead`);
  }

  let input: unknown;
  try {
    const body = await readBody(req, MAX_ADMIN_BODY_BYTES);
    if (body.length > 0) {
      const parsed = JSON.parse(body.toString('utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return sendProblem(res, 400, 'Bad Request', 'body must be a JSON object like {"input": "..."}');
      }
      input = (parsed as { input?: unknown }).input;
    }
  } catch (error) {
    if (error instanceof RequestTooLargeError) return sendProblem(res, 413, 'Payload Too Large', error.message);
    return sendProblem(res, 400, 'Bad Request', 'body is not valid JSON');
  }

  const outcome = await firer.start(fn, input);
  if (outcome === 'noRunner') {
    return sendProblem(res, 400, 'Bad Request', `trigger type "${fn.trigger.type}" of "${fn.name}" has no runner in devhost`);
  }
  res.writeHead(202).end();
}
