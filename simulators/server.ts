/**
 * The simulator's HTTPS server: one port for every simulated Azure API. It serves a certificate signed
 * by a CA it generates (clients trust the CA; verification stays on), checks that ARM and Monitor calls
 * carry a bearer token, applies fault rules, reads the body, and offers the request to each module in turn.
 *
 * Routing by path: ARM and Monitor live under `/subscriptions/...` and `/providers/...` (bearer required);
 * `/_sim/...` is the admin API (no bearer; optional admin token); anything else (registry `/v2/`,
 * `/oauth2/`, Key Vault `/secrets/`) goes to the modules, which authenticate as their service does.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { ArmError, armError } from './arm/errors';
import { LocalDevCredential } from './credential';
import { FaultRules, type FaultRuleInput } from './faults';
import type { SimModule, SimRequest, SimResponse } from './module';
import { createCertificateAuthority, DEFAULT_SERVER_NAMES, issueServerCertificate, type CertificateAuthority } from './tls';

export interface SimulatorOptions {
  modules?: SimModule[];
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Reuse a CA (so a restarted simulator stays trusted by clients holding the old CA file). Default: a new one. */
  ca?: CertificateAuthority;
  /** Where to write the CA certificate (PEM). Default: a file in the OS temp dir. */
  caCertPath?: string;
  /** Extra certificate names (SANs) besides DEFAULT_SERVER_NAMES, e.g. `*.myenv.example`. */
  serverNames?: string[];
  /** When set, `/_sim/*` admin calls must send `x-sim-admin-token: <token>`. */
  adminToken?: string;
  /** Largest request body accepted, bytes. Default 32 MiB (registry blobs go through here). */
  maxBodyBytes?: number;
  /** Request log sink (one line per request). Default: none. */
  log?: (line: string) => void;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  operation?: string;
  fault?: string;
  at: number;
}

export interface RunningSimulator {
  /** `https://127.0.0.1:<port>`: the endpoint for every SDK client. */
  readonly url: string;
  readonly port: number;
  readonly caCertPem: string;
  readonly caCertPath: string;
  readonly ca: CertificateAuthority;
  /** Pass as `tlsOptions` in any @azure SDK client options (core-rest-pipeline PipelineOptions.tlsOptions). */
  readonly tlsOptions: { ca: string };
  /** An https.Agent trusting the CA, for plain node https / other clients. */
  readonly httpsAgent: https.Agent;
  /** A TokenCredential the simulator accepts (a static local token). */
  readonly credential: TokenCredential;
  readonly faults: FaultRules;
  /** The last requests served (newest last, at most 2000). */
  readonly requests: readonly RequestRecord[];
  addModule(module: SimModule): void;
  stop(): Promise<void>;
}

const ARM_PREFIXES = ['/subscriptions/', '/providers/'];

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const modules: SimModule[] = [...(options.modules ?? [])];
  const faults = new FaultRules();
  const ca = options.ca ?? createCertificateAuthority();
  const serverCert = issueServerCertificate(ca, [...DEFAULT_SERVER_NAMES, ...(options.serverNames ?? [])]);
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const requests: RequestRecord[] = [];
  const sockets = new Set<Socket>();

  const record = (entry: RequestRecord): void => {
    requests.push(entry);
    if (requests.length > 2000) requests.splice(0, requests.length - 2000);
    options.log?.(`${entry.method} ${entry.path} -> ${entry.status}${entry.operation ? ` (${entry.operation})` : ''}${entry.fault ? ` [fault ${entry.fault}]` : ''}`);
  };

  const server = https.createServer({ cert: serverCert.certPem, key: serverCert.keyPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, armError(500, 'InternalServerError', err instanceof Error ? err.message : String(err)));
      else res.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const hostHeader = req.headers.host ?? '127.0.0.1';
    const url = new URL(req.url ?? '/', `https://${hostHeader}`);
    const body = await readBody(req, maxBody);
    if (body === undefined) {
      send(res, armError(413, 'RequestEntityTooLarge', `Request body exceeds ${maxBody} bytes.`));
      return;
    }
    const request: SimRequest = { method, url, headers: req.headers, body, json: parseJson(body), host: hostOnly(hostHeader) };
    const path = url.pathname;

    if (path.startsWith('/_sim/')) {
      if (options.adminToken !== undefined && req.headers['x-sim-admin-token'] !== options.adminToken) {
        send(res, armError(401, 'AdminTokenRequired', 'Send the admin token in x-sim-admin-token.'));
        return;
      }
      const admin = adminRoute(request) ?? (await offer(request, req, res));
      const response = admin ?? armError(404, 'NotFound', `No admin route ${method} ${path}.`);
      send(res, response);
      record({ method, path, status: response.status, at: started });
      return;
    }

    const needsBearer = ARM_PREFIXES.some((p) => path.toLowerCase().startsWith(p));
    if (needsBearer && !/^Bearer\s+\S+/i.test(req.headers.authorization ?? '')) {
      const response = armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
      response.headers = { ...response.headers, 'WWW-Authenticate': 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' };
      send(res, response);
      record({ method, path, status: 401, at: started });
      return;
    }

    const operation = operationOf(request);
    const fault = faults.take({ method, path, host: request.host, operation });
    if (fault) {
      const action = fault.response;
      if (action === 'drop') {
        record({ method, path, status: 0, operation, fault: fault.id, at: started });
        req.socket.destroy();
        return;
      }
      if (action.delayMs) await delay(action.delayMs);
      if ('status' in action) {
        send(res, { status: action.status, headers: action.headers, body: action.body });
        record({ method, path, status: action.status, operation, fault: fault.id, at: started });
        return;
      }
      if (res.destroyed) return;
    }

    const response = (await offer(request, req, res)) ?? armError(404, 'NotFound', `The simulator serves no ${method} ${path}.`);
    if (!res.headersSent && !res.writableEnded) send(res, response);
    record({ method, path, status: response.status, operation, fault: fault?.id, at: started });
  }

  async function offer(request: SimRequest, req: IncomingMessage, res: ServerResponse): Promise<SimResponse | undefined> {
    for (const module of modules) {
      try {
        const response = await module.handle(request, { req, res });
        if (response) return response;
      } catch (err) {
        if (err instanceof ArmError) return err.toResponse();
        throw err;
      }
    }
    return undefined;
  }

  function operationOf(request: SimRequest): string | undefined {
    for (const module of modules) {
      const op = module.operationOf?.(request);
      if (op) return op;
    }
    return undefined;
  }

  function adminRoute(request: SimRequest): SimResponse | undefined {
    const { method } = request;
    const path = request.url.pathname;
    if (path === '/_sim/health' && method === 'GET') return { status: 200, body: { status: 'ok', modules: modules.map((m) => m.name) } };
    if (path === '/_sim/faults') {
      if (method === 'GET') return { status: 200, body: { value: faults.list() } };
      if (method === 'DELETE') {
        faults.clear();
        return { status: 204 };
      }
      if (method === 'POST') {
        try {
          const rule = faults.add(request.json as FaultRuleInput);
          return { status: 201, body: rule };
        } catch (err) {
          return armError(400, 'InvalidFaultRule', `Bad fault rule: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
    const one = /^\/_sim\/faults\/([^/]+)$/.exec(path);
    if (one && method === 'DELETE') {
      return faults.remove(one[1]) ? { status: 204 } : armError(404, 'NotFound', `No fault rule ${one[1]}.`);
    }
    return undefined;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const caCertPath = options.caCertPath ?? path.join(os.tmpdir(), `harbormaster-sim-ca-${port}-${randomUUID().slice(0, 8)}.pem`);
  mkdirSync(path.dirname(caCertPath), { recursive: true });
  writeFileSync(caCertPath, ca.certPem);
  const httpsAgent = new https.Agent({ ca: ca.certPem, keepAlive: true });

  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caCertPem: ca.certPem,
    caCertPath,
    ca,
    tlsOptions: { ca: ca.certPem },
    httpsAgent,
    credential: new LocalDevCredential(),
    faults,
    requests,
    addModule: (module) => modules.push(module),
    async stop() {
      httpsAgent.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      for (const module of modules) await module.close?.();
    },
  };
}

function send(res: ServerResponse, response: SimResponse): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = {
    'x-ms-request-id': randomUUID(),
    'x-ms-correlation-request-id': randomUUID(),
    ...(response.headers ?? {}),
  };
  let payload: Buffer | undefined;
  if (response.body === undefined || response.status === 204 || response.status === 304) payload = undefined;
  else if (Buffer.isBuffer(response.body)) payload = response.body;
  else if (typeof response.body === 'string') payload = Buffer.from(response.body);
  else {
    payload = Buffer.from(JSON.stringify(response.body));
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(payload?.length ?? 0);
  res.writeHead(response.status, headers);
  res.end(payload);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === name);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function hostOnly(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
