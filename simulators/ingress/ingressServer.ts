/**
 * The simulated Container Apps ingress: an HTTPS server on its own port that routes by Host header
 * (`<app>.<domain>` weighted by traffic, `<app>--<suffix>.<domain>` to that revision,
 * `<app>---<label>.<domain>` to the labelled revision) to the revision processes, starting a replica first
 * for scale-to-zero revisions. It presents a certificate for the requested name (SNI), signed by the
 * simulator's CA. Every answered request is counted for Monitor metrics.
 *
 * Product code reaches it through its dev-only connect-to seam, e.g.
 * `HARBORMASTER_DEV_CONNECT_TO=*.azurecontainerapps.io=127.0.0.1:<port>` (see `connectToRule`), keeping
 * the URL, Host header and TLS server name of the real FQDN.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import tls from 'node:tls';
import type { ContainerAppsModule } from '../arm/containerApps';
import { appId } from '../arm/containerAppsState';
import type { MetricsRecorder } from '../monitor/metricsRecorder';
import type { RevisionRuntime } from '../revisions/revisionRuntime';
import { DEFAULT_SERVER_NAMES, issueServerCertificate, type CertificateAuthority } from '../tls';

export interface IngressOptions {
  ca: CertificateAuthority;
  containerApps: ContainerAppsModule;
  runtime: RevisionRuntime;
  metrics?: MetricsRecorder;
  port?: number;
  host?: string;
  /** How long the ingress waits for a revision's answer (Azure: 240 s). */
  upstreamTimeoutMs?: number;
  /** How long a request waits for a replica to start (cold start, slow start). Default 30 s. */
  coldStartTimeoutMs?: number;
}

export interface RunningIngress {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** The connect-to rule for product code: `*.<domainSuffix>=127.0.0.1:<port>`. */
  connectToRule(domainSuffix?: string): string;
  stop(): Promise<void>;
}

export async function startIngress(options: IngressOptions): Promise<RunningIngress> {
  const defaultCert = issueServerCertificate(options.ca, DEFAULT_SERVER_NAMES);
  const contexts = new Map<string, tls.SecureContext>();
  const sockets = new Set<Socket>();

  // One certificate per parent domain: `*.<env domain>` covers every app, revision and label name in it.
  const contextFor = (servername: string): tls.SecureContext => {
    const parent = servername.toLowerCase().split('.').slice(1).join('.');
    const key = parent.includes('.') ? parent : servername.toLowerCase();
    let context = contexts.get(key);
    if (!context) {
      const cert = issueServerCertificate(options.ca, parent.includes('.') ? [`*.${parent}`, parent] : [servername]);
      context = tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem });
      contexts.set(key, context);
    }
    return context;
  };

  const server = https.createServer(
    {
      cert: defaultCert.certPem,
      key: defaultCert.keyPem,
      SNICallback: (servername, callback) => {
        try {
          callback(null, contextFor(servername));
        } catch (err) {
          callback(err as Error);
        }
      },
    },
    (req, res) => {
      route(req, res).catch((err: unknown) => {
        if (!res.headersSent) plain(res, 500, `ingress error: ${err instanceof Error ? err.message : String(err)}`);
        else res.destroy();
      });
    },
  );
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const target = options.containerApps.routeForHost(host);
    if (!target) {
      plain(res, 404, `404 Not Found: no container app or revision answers to ${host || '(no Host header)'}.`);
      return;
    }
    const resourceId = appId(target.app);
    const count = (status: number, podName: string, serverTiming?: string | string[]): void =>
      options.metrics?.recordRequest(resourceId, target.revisionName, podName, status, performance.now() - started, Date.now(), { path: (req.url ?? '/').split('?')[0], appDurationMs: appDuration(serverTiming) });
    const connection = await options.runtime.connect(target.revisionKey, options.coldStartTimeoutMs ?? 30_000);
    if ('error' in connection) {
      // Azure answers 503 when no replica can take the request (stopped, crash-looping, still starting).
      plain(res, 503, `503 Service Unavailable: revision ${target.revisionName} has no ready replica (${connection.error}).`);
      count(503, '');
      return;
    }
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: connection.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-host': host },
        timeout: options.upstreamTimeoutMs ?? 240_000,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
        upstreamRes.on('end', () => count(upstreamRes.statusCode ?? 502, connection.replica.name, upstreamRes.headers['server-timing']));
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
    upstream.on('error', (err) => {
      const timedOut = err.message === 'upstream timeout';
      if (!res.headersSent) plain(res, timedOut ? 504 : 502, `${timedOut ? '504 Gateway Timeout' : '502 Bad Gateway'}: ${err.message}`);
      else res.destroy();
      count(timedOut ? 504 : 502, connection.replica.name);
    });
    req.pipe(upstream);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    connectToRule: (domainSuffix = 'azurecontainerapps.io') => `*.${domainSuffix}=127.0.0.1:${port}`,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function plain(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** `app;dur=12.3` in a Server-Timing header: how long the app says it took (ms). */
function appDuration(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header.join(',') : header;
  const match = text ? /(?:^|,)\s*app;dur=(\d+(?:\.\d+)?)/.exec(text) : null;
  return match ? Number(match[1]) : undefined;
}
