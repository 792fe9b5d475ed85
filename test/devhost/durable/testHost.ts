/**
 * A minimal host for the durable tests, until devhost/host.ts lands: loads an app, serves its
 * HTTP triggers under /api (simple `{param}` routes) and hands other requests to the extension.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { HttpRequest, InvocationContext, type HttpRequestInit } from '@azure/functions';
import { loadApp, type RegisteredFunction } from '../../../devhost/functionsCore';
import type { Clock } from '../../../devhost/clock';
import { SystemClock } from '../../../devhost/clock';
import type { DevhostExtension, HostContext, InvokeOptions } from '../../../devhost/extension';

export interface TestHost {
  baseUrl: string;
  host: HostContext;
  stop(): Promise<void>;
}

export async function startTestHost(options: {
  entry: string;
  storageConnectionString: string;
  extension: DevhostExtension;
  clock?: Clock;
  settings?: Record<string, string>;
  hostJson?: Record<string, unknown>;
  port?: number;
}): Promise<TestHost> {
  const functions = new Map<string, RegisteredFunction>();
  loadApp(options.entry, { registerFunction: (fn) => functions.set(fn.name, fn), registerHook: () => undefined });
  const ext = options.extension;

  const extraInputsFor = (fn: RegisteredFunction): Record<string, unknown> => {
    const values: Record<string, unknown> = {};
    for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
      if (binding.direction !== 'in' || /trigger$/i.test(binding.type)) continue;
      values[name] = ext.resolveInput?.(binding, fn);
    }
    return values;
  };

  const createInvocationContext = (fn: RegisteredFunction, invokeOptions: InvokeOptions = {}): InvocationContext => {
    const extraInputs = Object.entries(fn.metadata.bindings)
      .filter(([, b]) => b.direction === 'in' && !/trigger$/i.test(b.type))
      .map(([name, b]) => ({ ...b, name }));
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: fn.name,
      triggerMetadata: invokeOptions.triggerMetadata,
      options: { trigger: fn.trigger as never, extraInputs: extraInputs as never, extraOutputs: [] },
      logHandler: () => undefined,
    });
    for (const [name, value] of Object.entries(invokeOptions.extraInputs ?? {})) context.extraInputs.set(name, value);
    return context;
  };

  let baseUrl = '';
  const host: HostContext = {
    functions,
    settings: options.settings ?? {},
    storageConnectionString: options.storageConnectionString,
    hostJson: options.hostJson ?? {},
    get baseUrl() {
      return baseUrl;
    },
    clock: options.clock ?? new SystemClock(),
    invoke: async (fn, triggerInput, invokeOptions) => fn.callback(triggerInput, createInvocationContext(fn, invokeOptions)),
    createInvocationContext,
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      for (const fn of functions.values()) {
        if (fn.trigger.type !== 'httpTrigger') continue;
        const params = matchRoute(String(fn.trigger.route ?? fn.name), url.pathname.replace(/^\/api\//, ''));
        if (!params) continue;
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const init: HttpRequestInit = {
          method: req.method ?? 'GET',
          url: `${baseUrl}${req.url ?? '/'}`,
          headers: req.headers as Record<string, string>,
          params,
          body: chunks.length ? { string: Buffer.concat(chunks).toString('utf8') } : undefined,
        };
        const response = (await host.invoke(fn, new HttpRequest(init), { extraInputs: extraInputsFor(fn) })) as {
          status?: number; jsonBody?: unknown; body?: unknown; headers?: Record<string, string> | Headers;
        } | undefined;
        const headers = response?.headers instanceof Headers ? Object.fromEntries(response.headers.entries()) : response?.headers ?? {};
        res.writeHead(response?.status ?? 200, { 'Content-Type': 'application/json', ...headers });
        res.end(response?.jsonBody !== undefined ? JSON.stringify(response.jsonBody) : typeof response?.body === 'string' ? response.body : '');
        return;
      }
      if (!(await ext.handleRequest?.(req, res))) {
        res.writeHead(404).end();
      }
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // getClient() rewrites webhook origins to localhost:7071 unless WEBSITE_HOSTNAME names the host.
  process.env.WEBSITE_HOSTNAME = baseUrl.replace('http://', '');
  await ext.start(host);
  return {
    baseUrl,
    host,
    stop: async () => {
      await ext.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function matchRoute(route: string, pathname: string): Record<string, string> | undefined {
  const routeParts = route.split('/').filter(Boolean);
  const pathParts = pathname.split('/').filter(Boolean);
  if (routeParts.length !== pathParts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < routeParts.length; i++) {
    const m = /^\{(\w+)\??\}$/.exec(routeParts[i]);
    if (m) params[m[1]] = decodeURIComponent(pathParts[i]);
    else if (routeParts[i].toLowerCase() !== pathParts[i].toLowerCase()) return undefined;
  }
  return params;
}
