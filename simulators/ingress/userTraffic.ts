/**
 * Simulated users: a steady stream of ordinary requests to every app's FQDN, sent through the
 * ingress like real clients (HTTPS, SNI and Host of the app's name), so the ingress splits them
 * by the app's traffic weights and Monitor counts each answer for the revision that gave it. A
 * canary at 10 % gets about a tenth of them; its metrics follow its behaviour and its share.
 *
 * Off unless asked for: it costs a request per app every tick.
 */
import https from 'node:https';
import type { CertificateAuthority } from '../tls';

export interface UserTrafficOptions {
  /** Requests per second to each app (spread over the ticks). */
  requestsPerSecond: number;
  /** Only these apps (container app names); default every app with ingress. */
  apps?: readonly string[];
  tickMs?: number;
}

export interface UserTraffic {
  /** Requests sent and answered so far, by status class (`2xx`, `5xx`, `error`). */
  readonly sent: Readonly<Record<string, number>>;
  stop(): void;
}

export function startUserTraffic(
  options: UserTrafficOptions & { ingressPort: number; ca: CertificateAuthority; hosts: () => Array<{ appName: string; host: string; share?: number }> },
): UserTraffic {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: options.ca.certPem });
  const tickMs = options.tickMs ?? 500;
  const perTick = (options.requestsPerSecond * tickMs) / 1000;
  const only = options.apps ? new Set(options.apps.map((a) => a.toLowerCase())) : undefined;
  const sent: Record<string, number> = {};
  // Requests owed to each app: its share of the rate (a revision nobody uses takes its users away).
  const owed = new Map<string, number>();
  let sequence = 0;
  const send = (host: string): void => {
    sequence += 1;
    const req = https.request(
      { host: '127.0.0.1', port: options.ingressPort, path: `/orders/${sequence}`, method: 'GET', servername: host, headers: { host }, agent, timeout: 10_000 },
      (res) => {
        const key = `${Math.floor((res.statusCode ?? 0) / 100)}xx`;
        sent[key] = (sent[key] ?? 0) + 1;
        res.resume();
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      sent.error = (sent.error ?? 0) + 1;
    });
    req.end();
  };
  const timer = setInterval(() => {
    for (const { appName, host, share } of options.hosts()) {
      if (only && !only.has(appName.toLowerCase())) continue;
      const due = (owed.get(host) ?? 0) + perTick * (share ?? 1);
      const count = Math.floor(due);
      owed.set(host, due - count);
      for (let i = 0; i < count; i++) send(host);
    }
  }, tickMs);
  timer.unref();
  return {
    sent,
    stop() {
      clearInterval(timer);
      agent.destroy();
    },
  };
}
