/**
 * The undici dispatcher that product HTTP calls (registry, health probes, notifications)
 * go through: connection timeout, optional extra CA, and the dev-only connect-to seam.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { findConnectTo, parseConnectToRules } from './connectTo';

export interface HttpAgentSettings {
  /** `HARBORMASTER_DEV_CONNECT_TO` (see connectTo.ts). */
  connectTo?: string;
  /** PEM file of an extra CA to trust (local stack only). */
  caCertPath?: string;
  connectTimeoutMs?: number;
  /**
   * One connection per origin (an undici Client) instead of a pool of them (the default). For the
   * health probes: a sweep reaches each app's origin once, and a health-wait one host at a time,
   * so a pool never holds more than one connection, yet each costs a queue of 2048 slots and its
   * listeners; a sweep of 500 apps makes 500 of them, and they live through the probe (200 ms and
   * more), long enough to be promoted to the old generation: the largest share (about a fifth) of
   * what a sweep promoted there (bench:sweep). Requests to one origin then go one after another.
   */
  singleConnectionPerOrigin?: boolean;
}

export function createHttpAgent(settings: HttpAgentSettings = {}): Dispatcher {
  const rules = parseConnectToRules(settings.connectTo);
  const ca = settings.caCertPath ? fs.readFileSync(settings.caCertPath, 'utf8') : undefined;
  // One TLS context for every connection: without it each connection builds its own (and parses
  // the CA again), which a sweep probing hundreds of apps pays for hundreds of times.
  const secureContext = tls.createSecureContext(ca ? { ca } : {});
  const connector = buildConnector({ timeout: settings.connectTimeoutMs ?? 5_000, secureContext });
  return new Agent({
    connect: (options, callback) => {
      const rule = findConnectTo(rules, options.hostname);
      if (!rule) return connector(options, callback);
      connector(
        { ...options, hostname: rule.host, host: `${rule.host}:${rule.port}`, port: String(rule.port), servername: options.servername ?? options.hostname },
        callback,
      );
    },
    // undici's Agent makes a Client instead of a Pool per origin when `connections` is 1.
    ...(settings.singleConnectionPerOrigin ? { connections: 1 } : {}),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}
