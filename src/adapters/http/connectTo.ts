/**
 * The one dev-only network seam of the product: "connect to" rules, like curl's
 * `--connect-to`, that send connections for some host names to another address while the
 * request keeps its Host header and TLS server name. The local stack uses it to reach the
 * simulated registry and the simulated Container Apps ingress (names under
 * `*.azurecr.io` or an environment's default domain do not resolve on a laptop).
 * In Azure the setting is empty and DNS decides.
 *
 * Format: `pattern=host:port[,pattern=host:port...]`, where pattern is a host name or
 * `*.suffix`. Example: `*.azurecr.io=127.0.0.1:8443,*.localtest.azurecontainerapps.io=127.0.0.1:8081`.
 */
export interface ConnectToRule {
  pattern: string;
  host: string;
  port: number;
}

export function parseConnectToRules(value: string | undefined): ConnectToRule[] {
  if (!value || value.trim() === '') return [];
  return value.split(',').map((part) => {
    const [pattern, target] = part.trim().split('=');
    const match = /^(.+):(\d+)$/.exec(target ?? '');
    if (!pattern || !match) throw new Error(`Invalid connect-to rule "${part.trim()}": expected pattern=host:port`);
    return { pattern: pattern.toLowerCase(), host: match[1], port: Number(match[2]) };
  });
}

export function findConnectTo(rules: readonly ConnectToRule[], hostname: string): ConnectToRule | undefined {
  const name = hostname.toLowerCase();
  return rules.find((rule) =>
    rule.pattern.startsWith('*.') ? name.endsWith(rule.pattern.slice(1)) : name === rule.pattern,
  );
}
