/**
 * The whole local Azure: the HTTPS simulator with Container Apps (ARM), Monitor metrics and any extra
 * modules (Jobs, registry, Key Vault), the revision processes, and the Container Apps ingress.
 */
import { ContainerAppsModule } from './arm/containerApps';
import { ContainerAppsState } from './arm/containerAppsState';
import { LroTracker } from './arm/lro';
import { InMemoryImageCatalog, type ImageCatalog } from './imageCatalog';
import { startIngress, type RunningIngress } from './ingress/ingressServer';
import { startUserTraffic, type UserTraffic, type UserTrafficOptions } from './ingress/userTraffic';
import type { SimModule } from './module';
import { MetricsRecorder } from './monitor/metricsRecorder';
import { createMetricsModule } from './monitor/metricsModule';
import { createLogsModule } from './monitor/logsModule';
import { RevisionRuntime } from './revisions/revisionRuntime';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './server';
import { createCertificateAuthority } from './tls';
import { createJobsModule, defaultBaseEnv, type JobsModule } from './arm/jobs';
import { createKeyVaultModule, type KeyVaultModule } from './keyvault/keyVaultModule';
import { createRegistryModule, type RegistryModule } from './registry/registryModule';
import { createNotificationSink, type NotificationSink } from './notifications/notificationSink';

export interface AzureSimulatorOptions extends Omit<SimulatorOptions, 'modules'> {
  /** Shared with the registry and Jobs modules. Default: a new in-memory catalog. */
  imageCatalog?: ImageCatalog;
  /** Extra modules offered requests after Container Apps and Monitor (Jobs, registry, Key Vault...). */
  modules?: SimModule[] | ((context: AzureSimulatorContext) => SimModule[]);
  /** Port of the Container Apps ingress (0 = any). */
  ingressPort?: number;
  /** Keep container apps in this JSON file across restarts (local demo). Default: memory only. */
  statePath?: string;
  /** `Retry-After` seconds on long-running operations. Default 1; tests use 0. */
  lroRetryAfterSeconds?: number;
  /** Idle time before a scale-to-zero revision stops. Default 300 s. */
  scaleToZeroIdleMs?: number;
  /** How often replica count and memory are sampled for metrics. Default 5 s. */
  gaugeIntervalMs?: number;
  /** How long the ingress waits for a revision's answer. Default 240 s. */
  upstreamTimeoutMs?: number;
  /** Variables every job execution gets (see JobsModuleOptions.baseEnv). */
  jobsBaseEnv?: Record<string, string>;
  /** Simulated users sending ordinary requests to the apps from the start (default: none). */
  userTraffic?: UserTrafficOptions;
  /**
   * The time ARM stamps on what it creates (revisions' `createdTime`, `lastActiveTime`). The local
   * stack passes its clock, so a test that moves time sees Azure agree with the orchestrations.
   * Default: wall-clock time.
   */
  now?: () => Date;
}

export interface AzureSimulatorContext {
  imageCatalog: ImageCatalog;
  metrics: MetricsRecorder;
  runtime: RevisionRuntime;
}

export interface RunningAzureSimulator extends RunningSimulator {
  readonly ingress: RunningIngress;
  readonly imageCatalog: ImageCatalog;
  readonly metrics: MetricsRecorder;
  readonly runtime: RevisionRuntime;
  readonly containerApps: ContainerAppsModule;
  /** Container Apps Jobs whose executions run as local processes. */
  readonly jobs: JobsModule;
  /** The container registry (`<name>.azurecr.io`), its pushes, webhooks and Event Grid. */
  readonly registry: RegistryModule;
  readonly keyVault: KeyVaultModule;
  /** Receives what Teams/Slack/webhook channels would have been sent (`/_sim/notifications/<channel>`). */
  readonly notifications: NotificationSink;
  /** Starts simulated users (stopped with the simulator, or by the caller). */
  startUserTraffic(options: UserTrafficOptions): UserTraffic;
}

export async function startAzureSimulator(options: AzureSimulatorOptions = {}): Promise<RunningAzureSimulator> {
  const ca = options.ca ?? createCertificateAuthority();
  const imageCatalog = options.imageCatalog ?? new InMemoryImageCatalog();
  const metrics = new MetricsRecorder();
  const runtime = new RevisionRuntime({
    catalog: imageCatalog,
    scaleToZeroIdleMs: options.scaleToZeroIdleMs,
    onRestart: (key, podName) => {
      const [resourceId, revisionName] = splitRevisionKey(key);
      metrics.recordRestart(resourceId, revisionName ?? '', podName);
    },
  });
  const containerApps = new ContainerAppsModule({
    state: new ContainerAppsState(options.statePath),
    runtime,
    lro: new LroTracker({ retryAfterSeconds: options.lroRetryAfterSeconds }),
    now: options.now,
  });
  containerApps.restore();
  const metricsModule = createMetricsModule({ recorder: metrics, regionOf: (id) => containerApps.regionOf(id) });
  const context: AzureSimulatorContext = { imageCatalog, metrics, runtime };
  const extra = typeof options.modules === 'function' ? options.modules(context) : (options.modules ?? []);
  // One catalog for all: a push records an image's behaviour; revisions and job executions read it.
  const lro = { retryAfterSeconds: options.lroRetryAfterSeconds };
  // Filled in below with the ingress's address, once it listens (smoke tests reach revisions through it).
  const jobsEnv: Record<string, string> = { ...(options.jobsBaseEnv ?? defaultBaseEnv()) };
  const jobs = createJobsModule({ imageCatalog, lro, baseEnv: jobsEnv });
  const registry = createRegistryModule({ imageCatalog });
  const keyVault = createKeyVaultModule();
  const notifications = createNotificationSink();
  const sim = await startSimulator({ ...options, ca, modules: [containerApps, metricsModule, createLogsModule({ recorder: metrics }), jobs, registry, keyVault, notifications, ...extra] });
  const ingress = await startIngress({
    ca,
    containerApps,
    runtime,
    metrics,
    port: options.ingressPort,
    host: options.host,
    upstreamTimeoutMs: options.upstreamTimeoutMs,
  });
  jobsEnv.HARBORMASTER_SIM_INGRESS = `${options.host ?? '127.0.0.1'}:${ingress.port}`;

  // Gauges: what the processes look like right now, sampled like Azure's 1-minute grain (but more often).
  const sampler = setInterval(() => {
    for (const rev of containerApps.activeRevisions()) {
      const status = runtime.status(rev.revisionKey);
      const live = status.replicas.filter((r) => r.state === 'running' || r.state === 'starting');
      metrics.recordGauge('Replicas', rev.appId, { revisionName: rev.revisionName }, live.length);
      for (const replica of live) {
        metrics.recordGauge('WorkingSetBytes', rev.appId, { revisionName: rev.revisionName, podName: replica.name }, replica.rssBytes);
        // As in Azure, by pod only: the percentages of the replica's own limits, from what its process really uses.
        metrics.recordGauge('CpuPercentage', rev.appId, { podName: replica.name }, (replica.cpuCores / rev.limits.cpu) * 100);
        metrics.recordGauge('MemoryPercentage', rev.appId, { podName: replica.name }, (replica.rssBytes / rev.limits.memoryBytes) * 100);
      }
    }
  }, options.gaugeIntervalMs ?? 5000);
  sampler.unref();

  const users: UserTraffic[] = [];
  const startUsers = (traffic: UserTrafficOptions): UserTraffic => {
    const started = startUserTraffic({ ...traffic, ingressPort: ingress.port, ca, hosts: () => containerApps.appHosts() });
    users.push(started);
    return started;
  };
  if (options.userTraffic) startUsers(options.userTraffic);

  return {
    ...sim,
    requests: sim.requests,
    ingress,
    imageCatalog,
    metrics,
    runtime,
    containerApps,
    jobs,
    registry,
    keyVault,
    notifications,
    startUserTraffic: startUsers,
    async stop() {
      for (const traffic of users) traffic.stop();
      clearInterval(sampler);
      await ingress.stop();
      await sim.stop();
    },
  };
}

/** A revision runtime key is `<app id>/revisions/<name>` in lower case. */
function splitRevisionKey(key: string): [string, string | undefined] {
  const at = key.lastIndexOf('/revisions/');
  return at < 0 ? [key, undefined] : [key.slice(0, at), key.slice(at + '/revisions/'.length)];
}
