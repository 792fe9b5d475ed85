/**
 * `npm start` with local-dev settings: the whole stack on fixed ports, started fresh each time
 * (Azurite data and the simulated Azure are rebuilt from the apps configuration), with the
 * simulator's CA kept in `.devhost/` so tools configured once keep trusting it.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCertificateAuthority, type CertificateAuthority } from '../../simulators/tls';
import { startLocalStack, type LocalStack } from './localStack';

/** Settings the stack computes itself (endpoints of what it started); the settings file cannot move them. */
const STACK_SETTINGS = ['AzureWebJobsStorage', 'HARBORMASTER_ARM_ENDPOINT', 'HARBORMASTER_METRICS_ENDPOINT', 'HARBORMASTER_LOGS_ENDPOINT', 'HARBORMASTER_KEY_VAULT_URL', 'HARBORMASTER_DEV_CONNECT_TO', 'HARBORMASTER_CA_CERT_PATH'];

function loadOrCreateCa(stateDir: string): CertificateAuthority {
  const certPath = path.join(stateDir, 'sim-ca.pem');
  const keyPath = path.join(stateDir, 'sim-ca.key');
  if (existsSync(certPath) && existsSync(keyPath)) return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  const ca = createCertificateAuthority();
  writeFileSync(keyPath, ca.keyPem, { mode: 0o600 });
  return ca;
}

export async function startLocalDemo(directory: string, entry: string, port: number, values: Record<string, string | undefined>): Promise<LocalStack> {
  const stateDir = path.join(directory, '.devhost');
  mkdirSync(stateDir, { recursive: true });
  const azuriteLocation = path.join(directory, '.azurite');
  rmSync(azuriteLocation, { recursive: true, force: true });
  const settings = Object.fromEntries(Object.entries(values).filter(([name]) => !STACK_SETTINGS.includes(name)));
  const stack = await startLocalStack({
    entry,
    configPath: path.resolve(directory, values.HARBORMASTER_CONFIG_PATH ?? 'config/apps.json'),
    stateDir,
    devhostPort: port,
    simulatorPort: Number(values.SIM_PORT ?? 8443),
    ingressPort: Number(values.SIM_INGRESS_PORT ?? 8444),
    ca: loadOrCreateCa(stateDir),
    azuriteLocation,
    settings,
    simulatorLog: undefined,
    // Simulated users, so analysis and the sweep's error rates have traffic to count (SIM_USER_RPS=0: none).
    userTraffic: Number(values.SIM_USER_RPS ?? 2) > 0 ? { requestsPerSecond: Number(values.SIM_USER_RPS ?? 2) } : undefined,
  });
  writeLocalEnv(stateDir, stack);
  return stack;
}

/**
 * `.devhost/local.env`: what command-line tools need to reach this run's stack (the restore CLI
 * reads backups from its Azurite; psql and restores reach its PostgreSQL). Local-only values
 * (Azurite's well-known development key, a password-less throwaway cluster), owner-readable.
 */
function writeLocalEnv(stateDir: string, stack: LocalStack): void {
  const lines = [`AzureWebJobsStorage='${stack.devhost.storageConnectionString}'`];
  if (stack.postgres) {
    lines.push(`DATABASE_URL='${stack.postgres.connectionString}'`);
    lines.push(`RESTORE_TARGET='${stack.postgres.connectionString.replace(/\/[^/]*$/, '/restored')}'`);
  }
  writeFileSync(path.join(stateDir, 'local.env'), `${lines.join('\n')}\n`, { mode: 0o600 });
}

/** The dashboard the app serves (src/functions/dashboard.ts), as a person types it. */
export function dashboardUrl(stack: LocalStack): string {
  return `${stack.devhost.baseUrl.replace('127.0.0.1', 'localhost')}/api/dashboard/`;
}

export function printLocalStack(stack: LocalStack): void {
  const lines = [
    'Local Azure (simulated):',
    `  ARM, Key Vault, registry, Monitor : ${stack.simulator.url}`,
    `  Container Apps ingress           : ${stack.simulator.ingress.url}`,
    `  PostgreSQL                       : ${stack.postgres ? stack.postgres.connectionString : 'not started'}`,
    `  Apps seeded                      : ${stack.seeded.map((s) => s.app).join(', ')}`,
    `API keys (header x-functions-key): ${stack.functionKey} (operate), ${stack.readKey} (read only)`,
    `A browser is signed in as local-operator (Harbormaster.Operator): DEVHOST_SIGN_IN=reader npm start to look as a reader`,
    '',
    `Dashboard: ${dashboardUrl(stack)}   (open it in a browser)`,
    '',
    'Try:',
    `  curl -s -H 'x-functions-key: ${stack.functionKey}' ${stack.devhost.baseUrl}/api/status`,
    `  npm run push -- sfaregistry.azurecr.io/sfa:4.2.0 --sim ${stack.simulator.url} --ca ${path.relative(process.cwd(), stack.simulator.caCertPath)}`,
    ...(stack.apps.databases[0] ? [`  curl -s -X POST -H 'x-functions-key: ${stack.functionKey}' ${stack.devhost.baseUrl}/api/backups/${stack.apps.databases[0].name}`] : []),
    `Tools' settings for this run (restore, psql): ${path.relative(process.cwd(), path.join(path.dirname(stack.simulator.caCertPath), 'local.env'))}`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}
