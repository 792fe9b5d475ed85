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
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}
