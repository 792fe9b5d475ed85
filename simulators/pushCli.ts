/**
 * Pushes an image to the simulated registry (which then sends its webhooks and Event Grid events).
 *
 *   npm run push -- [<name>.azurecr.io/]<repo>:<tag> [--behaviour healthy|degraded|unhealthy|slow-start:N|crash-loop|
 *                   flapping[:N]|hanging|healthy-checks|errors-after-traffic|slow|no-traffic|migrate-ok|migrate-fail|migrate-hang]
 *                   [--platform linux/amd64 (repeatable)] [--size <bytes>] [--index] [--sim <url>] [--ca <pem file>]
 *
 * --sim defaults to $HARBORMASTER_SIM_URL, else https://127.0.0.1:8443. The simulator's CA is read from --ca,
 * else $HARBORMASTER_SIM_CA; with neither, Node's trust store (and NODE_EXTRA_CA_CERTS) applies.
 * $HARBORMASTER_SIM_ADMIN_TOKEN is sent as x-sim-admin-token when set.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';

interface PushArgs {
  registry?: string;
  repository: string;
  tag: string;
  behaviour?: string;
  platforms: string[];
  sizeBytes?: number;
  index: boolean;
  sim: string;
  caPath?: string;
}

const USAGE = 'usage: npm run push -- [<name>.azurecr.io/]<repo>:<tag> [--behaviour B] [--platform os/arch]... [--size bytes] [--index] [--sim url] [--ca file]';

export function parsePushArgs(argv: readonly string[], env: NodeJS.ProcessEnv): PushArgs {
  const positional: string[] = [];
  const platforms: string[] = [];
  const options: Record<string, string> = {};
  let index = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--index') index = true;
    else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value\n${USAGE}`);
      if (name === 'platform') platforms.push(value);
      else if (['behaviour', 'behavior', 'size', 'sim', 'ca', 'registry'].includes(name)) options[name === 'behavior' ? 'behaviour' : name] = value;
      else throw new Error(`unknown option --${name}\n${USAGE}`);
    } else positional.push(arg);
  }
  if (positional.length !== 1) throw new Error(USAGE);
  let reference = positional[0];
  let registry = options.registry;
  const slash = reference.indexOf('/');
  if (slash > 0 && reference.slice(0, slash).endsWith('.azurecr.io')) {
    registry = reference.slice(0, slash - '.azurecr.io'.length);
    reference = reference.slice(slash + 1);
  }
  const colon = reference.lastIndexOf(':');
  if (colon <= 0 || colon === reference.length - 1) throw new Error(`image must be <repo>:<tag>, got '${positional[0]}'\n${USAGE}`);
  const sizeBytes = options.size !== undefined ? Number(options.size) : undefined;
  if (sizeBytes !== undefined && !Number.isInteger(sizeBytes)) throw new Error('--size must be an integer number of bytes');
  return {
    registry,
    repository: reference.slice(0, colon),
    tag: reference.slice(colon + 1),
    behaviour: options.behaviour,
    platforms,
    sizeBytes,
    index,
    sim: options.sim ?? env.HARBORMASTER_SIM_URL ?? 'https://127.0.0.1:8443',
    caPath: options.ca ?? env.HARBORMASTER_SIM_CA,
  };
}

function post(url: string, body: unknown, ca: string | undefined, adminToken: string | undefined): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        ...(ca ? { ca } : {}),
        headers: { 'content-type': 'application/json', ...(adminToken ? { 'x-sim-admin-token': adminToken } : {}) },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as unknown) : undefined });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: text });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function main(): Promise<void> {
  let args: PushArgs;
  try {
    args = parsePushArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const ca = args.caPath ? readFileSync(args.caPath, 'utf8') : undefined;
  const body = {
    ...(args.registry ? { registry: args.registry } : {}),
    repository: args.repository,
    tag: args.tag,
    ...(args.behaviour ? { behaviour: args.behaviour } : {}),
    ...(args.platforms.length ? { platforms: args.platforms } : {}),
    ...(args.sizeBytes !== undefined ? { sizeBytes: args.sizeBytes } : {}),
    ...(args.index ? { index: true } : {}),
  };
  try {
    const response = await post(`${args.sim.replace(/\/$/, '')}/_sim/registry/push`, body, ca, process.env.HARBORMASTER_SIM_ADMIN_TOKEN);
    if (response.status !== 201) {
      console.error(`push failed (${response.status}): ${JSON.stringify(response.json)}`);
      process.exitCode = 1;
      return;
    }
    const result = response.json as { image: string; digest: string; mediaType: string };
    console.log(`pushed ${result.image}`);
    console.log(`digest ${result.digest} (${result.mediaType})`);
  } catch (error) {
    console.error(`push failed: cannot reach the simulator at ${args.sim}: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main();
