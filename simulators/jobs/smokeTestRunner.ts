/**
 * What the `smoke-test` program of a simulated image does when a job runs it: real HTTPS requests
 * to the revision named by HARBORMASTER_REVISION_FQDN, through the simulated ingress (so the
 * answers are the revision's own, following its behaviour), then exit 0 if every answer was 2xx
 * and 1 otherwise, printing each failure.
 *
 *   smoke-test [--requests N]   (the program the simulated images ship; see commandResolution.ts)
 *   smoke-test --hang           a smoke test stuck on something that never answers: it never ends
 *                               (until the run is stopped or its replica timeout kills it)
 *
 * Environment:
 *   HARBORMASTER_REVISION_FQDN  required: the revision's own host name (set by Harbormaster).
 *   HARBORMASTER_SIM_INGRESS    set by the simulator: `127.0.0.1:<port>` of the ingress (the FQDN
 *                               does not resolve on a laptop; TLS name and Host stay the FQDN's).
 *   NODE_EXTRA_CA_CERTS         the simulator's CA (set by the jobs simulator).
 */
import https from 'node:https';

const REQUEST_TIMEOUT_MS = 5_000;

function get(address: { host: string; port: number }, fqdn: string, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.request({ host: address.host, port: address.port, path, method: 'GET', servername: fqdn, headers: { host: fqdn }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

async function main(): Promise<number> {
  if (process.argv.includes('--hang')) {
    console.log('smoke test: waiting for an answer that never comes (--hang)');
    await new Promise<never>(() => setInterval(() => undefined, 60_000));
  }
  const fqdn = process.env.HARBORMASTER_REVISION_FQDN;
  const ingress = process.env.HARBORMASTER_SIM_INGRESS;
  if (!fqdn || !ingress) {
    console.error('smoke test: HARBORMASTER_REVISION_FQDN and HARBORMASTER_SIM_INGRESS are required');
    return 2;
  }
  const [host, port] = ingress.split(':');
  const address = { host, port: Number(port) };
  const flag = process.argv.indexOf('--requests');
  // Ordinary requests after the health check.
  const count = flag >= 0 ? Number(process.argv[flag + 1]) : 10;
  if (!Number.isInteger(count) || count < 0) {
    console.error('smoke test: --requests needs a whole number');
    return 2;
  }
  const paths = ['/health', ...Array.from({ length: count }, (_, i) => `/smoke/${i + 1}`)];
  let failures = 0;
  for (const path of paths) {
    const answer = await get(address, fqdn, path);
    const ok = typeof answer === 'number' && answer >= 200 && answer < 300;
    if (!ok) {
      failures += 1;
      console.error(`smoke test: GET https://${fqdn}${path} -> ${answer}`);
    }
  }
  console.log(`smoke test of ${fqdn}: ${paths.length - failures} of ${paths.length} requests answered 2xx`);
  return failures === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`smoke test failed: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}
