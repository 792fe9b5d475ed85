/**
 * Between Node's HTTP server and the `@azure/functions` types: the handler receives the
 * library's own `HttpRequest` and may return an `HttpResponse` or an `HttpResponseInit`,
 * exactly as under the real worker.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { HttpRequest, HttpResponse, type Cookie, type HttpResponseInit } from '@azure/functions';

/** Azure's request size limit (`maxRequestBodySize` defaults to 100 MB). */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

export class RequestTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
  }
}

export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new RequestTooLargeError(maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) throw new RequestTooLargeError(maxBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Joins repeated headers the way fetch's Headers does (", "), skipping undefined ones. */
function flattenHeaders(given: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** `headers`: what the app is to see, when the host changed them (devhost's sign-in stand-in). */
export function toHttpRequest(req: IncomingMessage, url: URL, body: Buffer, params: Record<string, string>, headers: IncomingHttpHeaders = req.headers): HttpRequest {
  // `query` is left out so the library derives it from the URL and keeps repeated parameters.
  return new HttpRequest({
    method: req.method ?? 'GET',
    url: url.toString(),
    headers: flattenHeaders(headers),
    params,
    body: body.length > 0 ? { bytes: body } : undefined,
  });
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${Math.trunc(cookie.maxAge)}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

export class InvalidHttpResultError extends Error {}

/** Writes what an HTTP handler returned. Returning nothing yields 204, as the Functions host does. */
export async function writeHandlerResult(res: ServerResponse, result: unknown): Promise<void> {
  if (result === undefined || result === null) {
    res.writeHead(204).end();
    return;
  }
  if (typeof result !== 'object') {
    throw new InvalidHttpResultError('The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".');
  }
  const response = result instanceof HttpResponse ? result : new HttpResponse(result as HttpResponseInit);
  res.statusCode = response.status;
  for (const [name, value] of response.headers.entries()) {
    if (name.toLowerCase() !== 'set-cookie') res.setHeader(name, value);
  }
  const cookies = [...response.headers.getSetCookie(), ...response.cookies.map(serializeCookie)];
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  if (!response.body) {
    res.end();
    return;
  }
  // Bodies the handler gave whole (JSON, text, bytes) are written whole; only streams are piped.
  const given = result instanceof HttpResponse ? undefined : ((result as HttpResponseInit).body ?? (result as HttpResponseInit).jsonBody);
  if (given !== undefined && !isStream(given)) {
    const bytes = Buffer.from(await response.arrayBuffer());
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
    return;
  }
  await pipeline(Readable.fromWeb(response.body as unknown as WebReadableStream), res);
}

function isStream(body: unknown): boolean {
  return body instanceof ReadableStream || (typeof body === 'object' && body !== null && typeof (body as { pipe?: unknown }).pipe === 'function');
}

/** A JSON problem body (RFC 9457 shape) for errors devhost itself answers. */
export function sendProblem(res: ServerResponse, status: number, title: string, detail?: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}) });
  res.writeHead(status, { ...headers, 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
