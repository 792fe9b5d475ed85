/**
 * Health sweep benchmark (`npm run bench:sweep`).
 *
 * What runs: the real sweep (src/activities/sweep) with its real adapters: ARM through
 * @azure/arm-appcontainers, Monitor through @azure/monitor-query-metrics' MetricsClient, health
 * probes through undici with the connect-to seam, history and state in Azurite. What is faked, at
 * the wire, in a child process (so the figures are the sweep's own memory and CPU): one HTTPS server
 * answering ARM (app, revisions, revision) and Monitor's metrics:getBatch for any number of synthetic
 * apps at once (no added latency), and one HTTPS server standing in for every app's FQDN
 * (`<app>.bench.azurecontainerapps.io`), answering `/health` after 200 ms — or never, for apps named
 * `hang-*`. 500 revision processes of the full simulator would measure the simulator, not the sweep.
 *
 * Scenarios (each on its own app names, so states do not leak): 50 apps, 500 apps, 500 apps of which
 * 50 hang (health timeout 5 s, the default). Each runs a cold sweep (tables, region and limit caches
 * empty) then a warm one; the warm one is the steady state every 5 minutes. Peak RSS is sampled
 * every 10 ms during each scenario. Prints one JSON object on its last line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import readline from 'node:readline';
import { startAzurite } from '../devhost/azurite';
// Only types from the simulators here: the fakes' child process loads them (runFakes). This process
// is the one measured, so it loads what the product loads: its own credential (with @azure/identity,
// as services.ts does), not the simulators (about as much RSS, ~8 MB, but not the product's).
import type { SimModule, SimRequest, SimResponse } from '../simulators';
import { LocalDevCredential } from '../src/adapters/azure/credential';
import { ArmContainerAppsGateway } from '../src/adapters/containerApps/armContainerAppsGateway';
import { createHealthEndpointProbe } from '../src/adapters/health/healthEndpointProbe';
import { createHttpAgent } from '../src/adapters/http/httpAgent';
import { ArmMetricsFacts } from '../src/adapters/metrics/armMetricsFacts';
import { MonitorMetricsReader } from '../src/adapters/metrics/monitorMetricsReader';
import { HealthHistoryStore } from '../src/adapters/storage/healthHistoryStore';
import { AppStateStore } from '../src/adapters/storage/appStateStore';
import { TableProvider } from '../src/adapters/storage/tables';
import { createHealthSweep } from '../src/activities/sweep/healthSweep';
import { parseAppsConfig } from '../src/config';
import { SETTING_DEFINITIONS } from '../src/config/settingsCatalog';
import fs from 'node:fs';

const SUB = '00000000-0000-4000-8000-000000000001';
const RG = 'rg-bench';
const DOMAIN = 'bench.azurecontainerapps.io';
const HEALTH_DELAY_MS = 200;

/**
 * The process's peak RSS from now on. Linux keeps the peak itself (VmHWM) and resets it when
 * `5` is written to /proc/self/clear_refs, so measuring costs the sweep nothing; elsewhere RSS is
 * sampled every 10 ms (which cost the measured process about 3 % of a core here).
 */
function startPeakRss(): { read(): number; stop(): void } {
  const hwm = (): number | undefined => {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  };
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    if (hwm() !== undefined) return { read: () => hwm()!, stop: () => undefined };
  } catch {
    // not Linux, or not allowed: sample instead
  }
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  return { read: () => Math.max(peak, process.memoryUsage.rss()), stop: () => clearInterval(sampler) };
}

// ------------------------------------------------------------------ the fakes (child process)

function armAndMonitorModule(): SimModule {
  const appPath = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.App\/containerApps\/([^/]+)(\/revisions(?:\/([^/]+))?)?$/i;
  const revision = (app: string) => ({
    id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/${app}/revisions/${app}--v1`,
    name: `${app}--v1`,
    properties: {
      active: true, trafficWeight: 100, replicas: 2, provisioningState: 'Provisioned', runningState: 'Running', healthState: 'Healthy',
      fqdn: `${app}--v1.${DOMAIN}`, template: { containers: [{ name: 'main', image: `acr.azurecr.io/${app}:1`, resources: { cpu: 0.5, memory: '1Gi' } }] },
    },
  });
  return {
    name: 'bench-arm-monitor',
    handle(request: SimRequest): Promise<SimResponse | undefined> {
      const path = request.url.pathname;
      if (request.method === 'POST' && path.endsWith('/metrics:getBatch')) {
        const ids = (request.json as { resourceids: string[] }).resourceids;
        const name = request.url.searchParams.get('metricnames') ?? '';
        const point = (v: Record<string, number>) => [{ timeStamp: new Date().toISOString(), ...v }];
        const series = (app: string): unknown[] => {
          const rev = { name: { value: 'revisionName' }, value: `${app}--v1` };
          switch (name) {
            case 'Requests':
              return [
                { metadatavalues: [rev, { name: { value: 'statusCodeCategory' }, value: '2xx' }], data: point({ total: 300 }) },
                { metadatavalues: [rev, { name: { value: 'statusCodeCategory' }, value: '5xx' }], data: point({ total: 1 }) },
              ];
            case 'ResponseTime':
              return [{ metadatavalues: [rev], data: point({ average: 120 }) }];
            case 'RestartCount':
              return [{ metadatavalues: [rev], data: point({ total: 0 }) }];
            default:
              return [0, 1].map((i) => ({ metadatavalues: [rev, { name: { value: 'podName' }, value: `${app}--v1-${i}` }], data: point({ maximum: 300e6 }) }));
          }
        };
        const values = ids.map((id) => ({
          starttime: request.url.searchParams.get('starttime'), endtime: request.url.searchParams.get('endtime'), interval: 'FULL',
          namespace: 'microsoft.app/containerapps', resourceregion: 'eastus', resourceid: id,
          value: [{ id: `${id}/providers/Microsoft.Insights/metrics/${name}`, type: 'Microsoft.Insights/metrics', name: { value: name, localizedValue: name }, unit: 'Count', errorCode: 'Success', timeseries: series(id.slice(id.lastIndexOf('/') + 1)) }],
        }));
        return Promise.resolve({ status: 200, body: { values } });
      }
      const m = appPath.exec(path);
      if (request.method !== 'GET' || !m) return Promise.resolve(undefined);
      const app = m[1];
      if (m[3]) return Promise.resolve({ status: 200, body: revision(app) });
      if (m[2]) return Promise.resolve({ status: 200, body: { value: [revision(app)] } });
      return Promise.resolve({
        status: 200,
        body: {
          id: `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.App/containerApps/${app}`, name: app, location: 'East US',
          properties: {
            provisioningState: 'Succeeded', latestRevisionName: `${app}--v1`, latestReadyRevisionName: `${app}--v1`,
            configuration: { activeRevisionsMode: 'Single', ingress: { external: true, fqdn: `${app}.${DOMAIN}`, targetPort: 8080, traffic: [{ revisionName: `${app}--v1`, weight: 100 }] } },
            template: { containers: [{ name: 'main', image: `acr.azurecr.io/${app}:1`, resources: { cpu: 0.5, memory: '1Gi' } }], scale: { minReplicas: 1, maxReplicas: 3 } },
          },
        },
      });
    },
  };
}

async function runFakes(): Promise<void> {
  const { issueServerCertificate, startSimulator } = await import('../simulators');
  const sim = await startSimulator({ modules: [armAndMonitorModule()] });
  const cert = issueServerCertificate(sim.ca, [`*.${DOMAIN}`]);
  const health = https.createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    if ((req.headers.host ?? '').startsWith('hang-')) return; // accepts, never answers
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"healthy","checks":{"db":"pass"}}'), HEALTH_DELAY_MS);
  });
  await new Promise<void>((r) => health.listen(0, '127.0.0.1', r));
  process.stdout.write(`${JSON.stringify({ url: sim.url, caCertPath: sim.caCertPath, healthPort: (health.address() as AddressInfo).port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

// ------------------------------------------------------------------ the sweep (this process)

interface Fakes {
  url: string;
  caCertPath: string;
  healthPort: number;
}

async function startFakes(): Promise<{ fakes: Fakes; child: ChildProcess }> {
  const child = spawn(process.execPath, [__filename, '--fakes'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fakes exited with ${code}`)));
  });
  return { fakes: JSON.parse(line) as Fakes, child };
}

interface ScenarioResult {
  apps: number;
  hanging: number;
  coldMs: number;
  warmMs: number;
  coldCpuMs: number;
  warmCpuMs: number;
  notSwept: number;
  unhealthyOrDegraded: number;
  peakRssMb: number;
}

async function main(): Promise<void> {
  const concurrency = Number(SETTING_DEFINITIONS.HARBORMASTER_SWEEP_CONCURRENCY.default);
  const azurite = await startAzurite();
  const { fakes, child } = await startFakes();
  const credential = new LocalDevCredential();
  const ca = fs.readFileSync(fakes.caCertPath, 'utf8');
  const sdk = { endpoint: fakes.url, retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 }, tlsOptions: { ca: [ca] } };
  // As the product's services wire the probes (src/composition/services.ts).
  const agent = createHttpAgent({ connectTo: `*.${DOMAIN}=127.0.0.1:${fakes.healthPort}`, caCertPath: fakes.caCertPath, singleConnectionPerOrigin: true });
  const tables = new TableProvider({ connectionString: azurite.connectionString });
  const appState = new AppStateStore(tables);
  const history = new HealthHistoryStore(tables);
  const containerApps = new ArmContainerAppsGateway(credential, { sdk });
  const metricsFacts = new ArmMetricsFacts(credential, { sdk });
  const metrics = new MonitorMetricsReader(credential, { endpoint: fakes.url, tlsOptions: { ca }, retryOptions: sdk.retryOptions });
  const probe = createHealthEndpointProbe(agent);

  const scenario = async (prefix: string, count: number, hanging: number): Promise<ScenarioResult> => {
    const names = Array.from({ length: count }, (_, i) => (i < hanging ? `hang-${prefix}-${i}` : `${prefix}-${i}`));
    const config = parseAppsConfig({
      apps: names.map((name) => ({
        name,
        containerApp: { subscriptionId: SUB, resourceGroup: RG, name },
        image: { registry: 'acr.azurecr.io', repository: name, tagPolicy: { kind: 'exact', tag: 'stable' } },
      })),
    });
    const sweep = createHealthSweep({
      apps: config.apps, channels: [], containerApps, metrics, metricsFacts, probe,
      runningDeployment: async (name) => (await appState.get(name)).running,
      runningDeployments: () => appState.listRunning(),
      history, notify: () => Promise.resolve([]),
      options: { concurrency, alertReminderMinutes: 60 },
    });
    const peakRss = startPeakRss();
    try {
      // CPU time of this process (the sweep, its SDK clients and TLS; not the fakes, not Azurite):
      // what the sweep itself costs, which the machine's load does not change the way it changes wall time.
      const coldCpu = process.cpuUsage();
      const cold = await sweep.sweepAll();
      const warmCpu = process.cpuUsage();
      const warm = await sweep.sweepAll();
      const cpuMs = (since: NodeJS.CpuUsage): number => {
        const used = process.cpuUsage(since);
        return Math.round((used.user + used.system) / 1000);
      };
      const warmCpuMs = cpuMs(warmCpu);
      const coldCpuMs = cpuMs(coldCpu) - warmCpuMs;
      return {
        apps: count,
        hanging,
        coldMs: cold.durationMs,
        warmMs: warm.durationMs,
        coldCpuMs,
        warmCpuMs,
        notSwept: warm.apps.filter((a) => a.error).length,
        unhealthyOrDegraded: warm.apps.filter((a) => a.verdict !== 'healthy').length,
        peakRssMb: Math.round(peakRss.read() / 1e5) / 10,
      };
    } finally {
      peakRss.stop();
    }
  };

  try {
    const small = await scenario('s', 50, 0);
    const large = await scenario('l', 500, 0);
    const hang = await scenario('h', 500, 50);
    for (const r of [small, large, hang]) process.stderr.write(`${r.apps} apps (${r.hanging} hanging): cold ${r.coldMs} ms (CPU ${r.coldCpuMs} ms), warm ${r.warmMs} ms (CPU ${r.warmCpuMs} ms), peak RSS ${r.peakRssMb} MB, not swept ${r.notSwept}, not healthy ${r.unhealthyOrDegraded}\n`);
    const result = {
      bench: 'sweep',
      concurrency,
      healthDelayMs: HEALTH_DELAY_MS,
      healthTimeoutMs: 5_000,
      sweep500Ms: large.warmMs,
      sweep500ColdMs: large.coldMs,
      sweep500With50HangingMs: hang.warmMs,
      sweep500With50HangingColdMs: hang.coldMs,
      cpuMs500: { cold: large.coldCpuMs, warm: large.warmCpuMs },
      peakRssMb50: small.peakRssMb,
      peakRssMb500: Math.max(large.peakRssMb, hang.peakRssMb),
      targets: { sweep500Ms: 3_000, sweep500With50HangingMs: 8_000 },
      notSwept: small.notSwept + large.notSwept + hang.notSwept,
      hangingJudgedNotHealthy: hang.unhealthyOrDegraded,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    child.stdin?.end();
    child.kill();
    await agent.close();
    await azurite.stop();
  }
}

if (process.argv[2] === '--fakes') {
  runFakes().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
