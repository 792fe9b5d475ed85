/**
 * `npm run simulators`: the local Azure for the demo. Starts the simulator and the Container Apps ingress
 * on fixed ports, keeps the CA (so clients configured once stay valid) and the apps across restarts in
 * `.devhost/`, and prints the settings product code needs.
 *
 * Options (environment): SIM_PORT (default 8443), SIM_INGRESS_PORT (8444), SIM_STATE_DIR (.devhost).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAzureSimulator } from './azureSimulator';
import { createCertificateAuthority, type CertificateAuthority } from './tls';

async function main(): Promise<void> {
  const stateDir = path.resolve(process.env.SIM_STATE_DIR ?? '.devhost');
  mkdirSync(stateDir, { recursive: true });
  const caCertPath = path.join(stateDir, 'sim-ca.pem');
  const caKeyPath = path.join(stateDir, 'sim-ca.key');
  let ca: CertificateAuthority;
  if (existsSync(caCertPath) && existsSync(caKeyPath)) {
    ca = { certPem: readFileSync(caCertPath, 'utf8'), keyPem: readFileSync(caKeyPath, 'utf8') };
  } else {
    ca = createCertificateAuthority();
    writeFileSync(caKeyPath, ca.keyPem, { mode: 0o600 });
  }
  const sim = await startAzureSimulator({
    ca,
    caCertPath,
    port: Number(process.env.SIM_PORT ?? 8443),
    ingressPort: Number(process.env.SIM_INGRESS_PORT ?? 8444),
    statePath: path.join(stateDir, 'sim-state.json'),
    log: process.env.SIM_QUIET ? undefined : (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(
    [
      `Azure simulators listening.`,
      `  ARM / Monitor endpoint : ${sim.url}`,
      `  Container Apps ingress : ${sim.ingress.url}`,
      `  CA certificate         : ${sim.caCertPath}`,
      `Settings for product code:`,
      `  HARBORMASTER_CREDENTIAL=local-dev`,
      `  NODE_EXTRA_CA_CERTS=${sim.caCertPath}`,
      `  HARBORMASTER_DEV_CONNECT_TO=${sim.ingress.connectToRule()}`,
      `Admin: POST ${sim.url}/_sim/faults  (GET lists, DELETE clears)`,
      '',
    ].join('\n'),
  );
  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`simulators failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
