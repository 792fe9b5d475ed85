/**
 * The health sweep: every managed app checked, judged, recorded and alerted on change.
 *
 * One sweep, in three phases so that no slow thing holds up the others:
 *   1. per app, at most `concurrency` at a time: the running deployment (our own state), then ARM
 *      (app and revisions, read together under one timeout) and the metrics facts (region, memory
 *      limits; cached). As soon as an app's ARM read is back its health endpoint probe starts, in a
 *      separate, wider pool: probes go to the apps themselves, not to Azure's throttled APIs, and a
 *      hanging endpoint costs one probe timeout, not a slot of the Azure pool.
 *   2. Azure Monitor, batched (50 resources per call) once every app's revisions are known.
 *   3. per app: judge (src/domain/health judgeApp), decide the alert (decideAlert) and self-healing,
 *      notify, record. A failure here is that app's, reported; it never stops the sweep.
 * The backup index (every database's newest verified backup) is read once per sweep, beside the
 * stored states. `sweepApp` runs the same three phases for one app (after a promotion).
 * Nothing in a sweep throws for one app's trouble: a signal that cannot be read is `unknown`.
 */
import { servingRevision } from '../../domain/rollout';
import type { ManagedApp, NotificationChannel } from '../../config';
import type { BackupAge } from '../../domain/backup';
import type { ContainerAppsPort, RevisionView, AppView } from '../../adapters/containerApps/containerAppsPort';
import type { HealthEndpointProbe } from '../../adapters/health/healthEndpointProbe';
import type { MetricsPort, MetricsReading } from '../../adapters/metrics/metricsPort';
import { containerAppResourceId, type MetricsFactsPort } from '../../adapters/metrics/armMetricsFacts';
import type { ChannelDelivery } from '../../adapters/notify/notificationDispatcher';
import type { Notification } from '../../adapters/notify/notification';
import type { HealthHistoryStore, Silence } from '../../adapters/storage/healthHistoryStore';
import {
  decideAlert,
  judgeApp,
  parseHealthResponse,
  sanitizeExcerpt,
  type AppMetrics,
  type AppSignals,
  type AppVerdict,
  type HealthObservation,
  type PlatformJudgement,
  type SignalReadError,
} from '../../domain/health';
import { alertNotification, channelsFor, selfHealNotification } from './alertNotifications';
import { summarizeAppMetrics, type RevisionLimit } from './appMetrics';
import { judgeRevisions, splitRevisions } from './judgedRevisions';
import { mapWithConcurrency, Semaphore } from './mapWithConcurrency';
import { decideSelfHeal } from './selfHeal';
import { liveSilences, silenceAt } from './silences';
import type { AppSweepState, HealthSummary, SelfHealRecord, SweepHistoryRecord } from './sweepRecords';
import { toDomainThresholds } from './thresholds';

export interface HealthSweepOptions {
  /** Apps whose Azure reads run at once (HARBORMASTER_SWEEP_CONCURRENCY). */
  concurrency: number;
  /** Health probes in flight at once (default 256). */
  probeConcurrency?: number;
  alertReminderMinutes: number;
  /** Consecutive healthy sweeps that end an announced spell (default 3: one good sweep is not recovery). */
  resolveAfterHealthySweeps?: number;
  /** Timeout of each ARM call (default 10 s). */
  armTimeoutMs?: number;
  /** Timeout of each Monitor batch call (default 15 s). */
  metricsTimeoutMs?: number;
  /** Cap on a health answer's body (default 16 KiB). */
  maxBodyBytes?: number;
  /** Window of the metrics when an app does not set one (default 5 min). */
  defaultWindowMinutes?: number;
}

export interface HealthSweepDependencies {
  apps: readonly ManagedApp[];
  channels: readonly NotificationChannel[];
  containerApps: Pick<ContainerAppsPort, 'getApp' | 'listRevisions' | 'restartRevision'>;
  metrics: MetricsPort;
  metricsFacts: MetricsFactsPort;
  probe: HealthEndpointProbe;
  /** The app's running deployment (AppStateStore's `running`), if any. */
  runningDeployment: (app: string) => Promise<{ deploymentId: string; digest: string } | undefined>;
  /**
   * Every app's running deployment in one read (AppStateStore.listRunning): a sweep of all apps
   * uses it instead of one read per app. Absent, or failing: one read per app.
   */
  runningDeployments?: () => Promise<ReadonlyMap<string, { deploymentId: string; digest: string }>>;
  history: HealthHistoryStore;
  notify: (channels: readonly string[], notification: Notification) => Promise<ChannelDelivery[]>;
  /**
   * Every database's backup age (see judgeBackupAge), read once per sweep. Absent: apps with a
   * database show `unknown: backups not available`.
   */
  readBackupAges?: () => Promise<ReadonlyMap<string, BackupAge>>;
  clock?: () => Date;
  log?: (line: Record<string, unknown>) => void;
  options: HealthSweepOptions;
}

export interface AppSweepOutcome {
  app: string;
  verdict?: AppVerdict['verdict'];
  notified?: SweepHistoryRecord['notified'];
  selfHeal?: SelfHealRecord;
  /** The app could not be swept (storage down...); its previous state stands. */
  error?: string;
}

export interface SweepReport {
  startedAt: string;
  durationMs: number;
  apps: AppSweepOutcome[];
}

export interface SweepAppOptions {
  /**
   * The deployment that just promoted this app, when the caller is its orchestration: its own
   * entry in the app's state does not count as a rollout in progress.
   */
  afterDeploymentId?: string;
}

export interface HealthSweep {
  sweepAll(): Promise<SweepReport>;
  /** One app now, exactly as a sweep judges, records and alerts it (after a promotion). Unknown app: an outcome with `error`. */
  sweepApp(app: string, options?: SweepAppOptions): Promise<AppSweepOutcome>;
  getSummary(app: string): Promise<HealthSummary | undefined>;
  /** One page of an app's history, newest first (`continuationToken` from the previous page); undefined for an unknown app. */
  listHistory(app: string, page: { maxPageSize: number; continuationToken?: string }): Promise<{ records: SweepHistoryRecord[]; continuationToken?: string } | undefined>;
  addSilence(app: string, silence: Omit<Silence, 'id' | 'createdAt'>): Promise<Silence | undefined>;
  clearSilences(app: string, id?: string): Promise<Silence[] | undefined>;
}

/**
 * What phase 1 keeps of an app until it is judged: only what judging needs, not the app's view and
 * revisions (an app can have a hundred inactive revisions, and every app's read waits for the
 * slowest before Monitor is read).
 */
interface PlatformRead {
  platform?: PlatformJudgement | SignalReadError;
  /** The revision self-healing would restart: the serving one if established, else the first established one. */
  restartTarget?: string;
  limits: RevisionLimit[];
  region?: string;
  deployment?: { deploymentId: string; digest: string };
  endpoint?: Promise<HealthObservation | undefined>;
  error?: string;
}


/** The backup ages of one sweep by database, or why they could not be read. */
type BackupAgesRead = ReadonlyMap<string, BackupAge> | SignalReadError;

export function createHealthSweep(deps: HealthSweepDependencies): HealthSweep {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  const o = deps.options;
  const armTimeoutMs = o.armTimeoutMs ?? 10_000;
  const probes = new Semaphore(o.probeConcurrency ?? 256);
  const find = (name: string): ManagedApp | undefined => deps.apps.find((a) => a.name === name);

  async function readPlatform(app: ManagedApp, afterDeploymentId?: string, running?: ReadonlyMap<string, { deploymentId: string; digest: string }>): Promise<PlatformRead> {
    let deployment: PlatformRead['deployment'];
    try {
      deployment = running ? running.get(app.name) : await deps.runningDeployment(app.name);
      if (deployment && deployment.deploymentId === afterDeploymentId) deployment = undefined;
    } catch (error) {
      // Without knowing whether a rollout runs, judging could raise a false alarm: skip the app.
      return { limits: [], error: `could not read the deployment state: ${errorText(error)}` };
    }
    const ref = app.containerApp;
    const signal = (): AbortSignal => AbortSignal.timeout(armTimeoutMs);
    // The app and its revisions are read at the same moment, so one deadline serves both.
    const appAndRevisions = signal();
    // The region and the memory limits come with the app and its revisions: no reads of their own
    // (the facts port only when the app's view lacks its location).
    const regionOf = (view?: AppView): Promise<string | undefined> => (view?.region ? Promise.resolve(view.region) : deps.metricsFacts.getRegion(ref, { abortSignal: signal() }).catch(() => undefined));
    let view: AppView;
    let revisions: RevisionView[];
    try {
      [view, revisions] = await Promise.all([deps.containerApps.getApp(ref, { abortSignal: appAndRevisions }), deps.containerApps.listRevisions(ref, { abortSignal: appAndRevisions })]);
    } catch (error) {
      return { deployment, limits: [], region: await regionOf(), platform: { error: armErrorText(error, armTimeoutMs) } };
    }
    const regionPromise = regionOf(view);
    const split = splitRevisions(revisions, deployment?.digest);
    const scaleToZero = app.health.scaleToZero || view.minReplicas === 0;
    const platform = judgeRevisions(split, scaleToZero);
    const limits = split.established.map((r): RevisionLimit => ({ name: r.name, ...(r.memoryLimitBytes !== undefined ? { memoryLimitBytes: r.memoryLimitBytes } : {}) }));
    // Internal ingress is not reachable from Harbormaster in Azure; an app scaled to zero is not woken by a sweep.
    const probeable = app.health.ingress !== 'none' && view.ingress === 'external' && view.fqdn !== undefined && !(platform?.idle === true);
    const endpoint = probeable ? probes.run(() => readEndpoint(app, view.fqdn as string)) : undefined;
    // Self-healing restarts what serves, the same revision status and rollback call serving.
    const serving = servingRevision(view);
    const restartTarget = split.established.find((r) => r.name === serving)?.name ?? split.established[0]?.name;
    return { platform, restartTarget, limits, region: await regionPromise, deployment, endpoint };
  }

  async function readEndpoint(app: ManagedApp, fqdn: string): Promise<HealthObservation> {
    const response = await deps.probe(`https://${fqdn}${app.health.path}`, { timeoutMs: app.health.timeoutSeconds * 1000, maxBodyBytes: o.maxBodyBytes ?? 16 * 1024, closeAfter: true });
    return parseHealthResponse(
      { status: response.status, body: response.body, latencyMs: response.latencyMs, ...(response.error !== undefined ? { error: response.error } : {}) },
      { degradedIsHealthy: app.health.degradedIsHealthy },
    );
  }

  async function readMetrics(reads: Array<{ app: ManagedApp; read: PlatformRead }>): Promise<Map<string, MetricsReading>> {
    const byWindow = new Map<number, Array<{ resourceId: string; region: string }>>();
    for (const { app, read } of reads) {
      if (!read.region) continue;
      const window = app.alerts.windowMinutes ?? o.defaultWindowMinutes ?? 5;
      const list = byWindow.get(window) ?? [];
      list.push({ resourceId: containerAppResourceId(app.containerApp), region: read.region });
      byWindow.set(window, list);
    }
    const out = new Map<string, MetricsReading>();
    await Promise.all(
      [...byWindow].map(async ([windowMinutes, targets]) => {
        const readings = await deps.metrics.readAppMetrics(targets, { windowMinutes, endTime: clock(), timeoutInMs: o.metricsTimeoutMs ?? 15_000 });
        for (const [id, reading] of readings) out.set(id, reading);
      }),
    );
    return out;
  }

  async function judgeAndRecord(
    app: ManagedApp,
    read: PlatformRead,
    metrics: MetricsReading | undefined,
    backups: BackupAgesRead,
    previous: AppSweepState | undefined,
    silences: Silence[],
    startedMs: number,
  ): Promise<AppSweepOutcome> {
    if (read.error) return { app: app.name, error: read.error };
    const now = clock();
    const deploymentRunning = read.deployment !== undefined;
    const endpoint = read.endpoint ? await read.endpoint : undefined;
    const consecutiveHealthFailures = countFailures(previous?.consecutiveHealthFailures ?? 0, endpoint, deploymentRunning, read.platform);

    const signals: AppSignals = {
      consecutiveHealthFailures,
      ...(read.platform ? { platform: read.platform } : {}),
      ...(endpoint ? { endpoint } : {}),
      metrics: metricsSignal(metrics, read),
      ...backupSignal(app, backups),
    };
    const judged = judgeApp(signals, toDomainThresholds(app.alerts), { deploymentRunning });
    const verdict: AppVerdict = { ...judged, signals: judged.signals.map(explainResponseTime) };

    const silence = silenceAt(app.maintenanceWindows, silences, now);
    const alert = decideAlert(previous?.alert, { verdict: verdict.verdict, severity: verdict.severity }, { reminderMinutes: o.alertReminderMinutes, silenced: silence.silenced, resolveAfterHealthySweeps: o.resolveAfterHealthySweeps }, now);
    let deliveries: SweepHistoryRecord['deliveries'];
    if (alert.notify) {
      const message = alertNotification(app.name, alert.notify, verdict, previous?.alert.notifiedVerdict, alert.nextState.since);
      const sent = await deps.notify(channelsFor(app.notify, deps.channels, message.severity), message);
      deliveries = sent.map((d) => ({ channel: d.channel, outcome: d.outcome }));
    }

    const unhealthySweepsInARow = verdict.verdict === 'unhealthy' && !deploymentRunning ? (previous?.unhealthySweepsInARow ?? 0) + 1 : 0;
    const restartTarget = read.restartTarget;
    const heal = decideSelfHeal({
      policy: app.selfHeal,
      unhealthySweepsInARow,
      lastRestartAt: previous?.lastSelfHealAt,
      deploymentRunning,
      silenced: silence.silenced,
      revisionName: restartTarget,
      now,
    });
    let selfHeal: SelfHealRecord | undefined;
    if (heal.action === 'restart' && restartTarget) selfHeal = await restart(app, restartTarget, heal.reason);

    const state: AppSweepState = {
      lastSweepAt: now.toISOString(),
      verdict: verdict.verdict,
      severity: verdict.severity,
      signals: verdict.signals,
      alert: alert.nextState,
      consecutiveHealthFailures,
      unhealthySweepsInARow: selfHeal ? 0 : unhealthySweepsInARow,
      ...(selfHeal ? { lastSelfHealAt: now.toISOString() } : previous?.lastSelfHealAt ? { lastSelfHealAt: previous.lastSelfHealAt } : {}),
    };
    const record: SweepHistoryRecord = {
      at: now.toISOString(),
      verdict: verdict.verdict,
      severity: verdict.severity,
      signals: verdict.signals,
      deploymentRunning,
      silenced: silence.silenced,
      ...(alert.notify ? { notified: alert.notify, deliveries } : {}),
      ...(selfHeal ? { selfHeal } : {}),
      durationMs: Math.round(performance.now() - startedMs),
    };
    // No pruning here: the daily record prune removes results past the retention for every app in
    // batched deletes (pruneRecords), and reads never return them.
    await deps.history.append(app.name, now, randomSuffix(), record);
    await deps.history.saveState(app.name, state);
    return { app: app.name, verdict: verdict.verdict, ...(alert.notify ? { notified: alert.notify } : {}), ...(selfHeal ? { selfHeal } : {}) };
  }

  async function restart(app: ManagedApp, revision: string, reason: string): Promise<SelfHealRecord> {
    let record: SelfHealRecord;
    try {
      await deps.containerApps.restartRevision(app.containerApp, revision, { abortSignal: AbortSignal.timeout(armTimeoutMs) });
      record = { revision, outcome: 'restarted', reason };
    } catch (error) {
      record = { revision, outcome: 'failed', reason, error: armErrorText(error, armTimeoutMs) };
    }
    log({ msg: 'self-heal', app: app.name, ...record });
    const message = selfHealNotification(app.name, revision, record.outcome, reason, record.error);
    await deps.notify(channelsFor(app.notify, deps.channels, message.severity), message);
    return record;
  }

  function metricsSignal(reading: MetricsReading | undefined, read: PlatformRead): AppMetrics | SignalReadError {
    if (reading === undefined) return { error: read.region ? 'no answer for this app' : 'the app\'s region could not be read from ARM' };
    if ('error' in reading) return { error: reading.error };
    return summarizeAppMetrics(reading, read.limits);
  }

  /** Once per sweep: one read of the backup index for every app, whatever their number. */
  async function readBackupAges(apps: readonly ManagedApp[]): Promise<BackupAgesRead> {
    if (!apps.some((a) => a.database)) return new Map();
    if (!deps.readBackupAges) return { error: 'backups not available' };
    try {
      return await deps.readBackupAges();
    } catch (error) {
      return { error: errorText(error) };
    }
  }

  function backupSignal(app: ManagedApp, backups: BackupAgesRead): Pick<AppSignals, 'backupAgeHours'> {
    if (!app.database) return {};
    if ('error' in backups) return { backupAgeHours: backups };
    const age = backups.get(app.database);
    if (!age) return { backupAgeHours: { error: `no backup facts for database ${app.database}` } };
    return { backupAgeHours: 'ageHours' in age ? age.ageHours : age };
  }

  /** Reads, judges, records and alerts `apps`: the body of every sweep, of all apps or of one. */
  async function sweep(apps: readonly ManagedApp[], afterDeploymentId?: string): Promise<SweepReport> {
    const started = clock();
    const startedMs = performance.now();
    const one = apps.length === 1 ? apps[0].name : undefined;
    const [states, silences, backups, running] = await Promise.all([
      one ? deps.history.getState<AppSweepState>(one).then((s) => new Map(s ? [[one, s]] : [])) : deps.history.loadStates<AppSweepState>(),
      one ? deps.history.getSilences(one).then((s) => new Map([[one, s]])) : deps.history.loadSilences(),
      readBackupAges(apps),
      // Read at the start of the sweep, like the per-app read it replaces (which was as old by the time the app was judged).
      !one && deps.runningDeployments ? deps.runningDeployments().catch(() => undefined) : undefined,
    ]);
    const reads = await mapWithConcurrency(apps, o.concurrency, async (app) => ({ app, read: await readPlatform(app, afterDeploymentId, running) }));
    const metrics = await readMetrics(reads);
    const outcomes = await mapWithConcurrency(reads, o.concurrency, async ({ app, read }) => {
      try {
        const reading = metrics.get(containerAppResourceId(app.containerApp).toLowerCase());
        return await judgeAndRecord(app, read, reading, backups, states.get(app.name), liveSilences(silences.get(app.name) ?? [], started), startedMs);
      } catch (error) {
        log({ msg: 'sweep of app failed', app: app.name, error: errorText(error) });
        return { app: app.name, error: errorText(error) };
      }
    });
    return { startedAt: started.toISOString(), durationMs: Math.round(performance.now() - startedMs), apps: outcomes };
  }

  return {
    async sweepAll() {
      const report = await sweep(deps.apps);
      log({ msg: 'sweep done', apps: report.apps.length, failed: report.apps.filter((a) => a.error).length, durationMs: report.durationMs });
      return report;
    },

    async sweepApp(name, options = {}) {
      const app = find(name);
      if (!app) return { app: name, error: `no app named "${sanitizeExcerpt(name, 100)}"` };
      const report = await sweep([app], options.afterDeploymentId);
      log({ msg: 'sweep of one app done', app: name, verdict: report.apps[0].verdict, durationMs: report.durationMs });
      return report.apps[0];
    },

    async getSummary(name) {
      const app = find(name);
      if (!app) return undefined;
      const now = clock();
      const [state, silences] = await Promise.all([deps.history.getState<AppSweepState>(name), deps.history.getSilences(name)]);
      const silence = silenceAt(app.maintenanceWindows, silences, now);
      const base = { silenced: silence.silenced, ...(silence.until ? { silencedUntil: silence.until } : {}) };
      if (!state) return { verdict: 'not-swept', ...base };
      return {
        verdict: state.verdict,
        severity: state.severity,
        since: state.alert.since,
        checkedAt: state.lastSweepAt,
        signals: state.signals,
        ...base,
        ...(state.lastSelfHealAt ? { lastSelfHealAt: state.lastSelfHealAt } : {}),
      };
    },

    async listHistory(name, page) {
      if (!find(name)) return undefined;
      const { entries, continuationToken } = await deps.history.listPage<SweepHistoryRecord>(name, { ...page, now: clock() });
      return { records: entries.map((e) => e.record), ...(continuationToken ? { continuationToken } : {}) };
    },

    async addSilence(name, input) {
      if (!find(name)) return undefined;
      const now = clock();
      const silence: Silence = { id: randomSuffix(), start: input.start, end: input.end, createdAt: now.toISOString(), ...(input.reason ? { reason: input.reason } : {}), ...(input.by ? { by: input.by } : {}) };
      await deps.history.changeSilences(name, (current) => ({ silences: [...liveSilences(current, now), silence], result: undefined }));
      return silence;
    },

    async clearSilences(name, id) {
      if (!find(name)) return undefined;
      const now = clock();
      return deps.history.changeSilences(name, (current) => {
        const live = liveSilences(current, now);
        const removed = live.filter((s) => id === undefined || s.id === id);
        return { silences: live.filter((s) => !removed.includes(s)), result: removed };
      });
    },
  };
}

/**
 * Health-endpoint failures in a row. A failure is an answer saying unhealthy, or none at all;
 * `degraded` is its own warning and `unknown` proves nothing either way. During a deployment the
 * run restarts at zero: failures then are the rollout's, which the pipeline judges.
 */
function countFailures(previous: number, endpoint: HealthObservation | undefined, deploymentRunning: boolean, platform: PlatformRead['platform']): number {
  if (deploymentRunning) return 0;
  if (!endpoint) return platform !== undefined && 'idle' in platform && platform.idle ? 0 : previous;
  switch (endpoint.outcome) {
    case 'unhealthy':
    case 'unreachable':
      return previous + 1;
    case 'healthy':
    case 'degraded':
      return 0;
    case 'unknown':
      return previous;
  }
}

// Container Apps has no p95: say what was compared.
function explainResponseTime(signal: AppVerdict['signals'][number]): AppVerdict['signals'][number] {
  if (signal.name !== 'p95-response' || signal.status === 'unknown') return signal;
  return { ...signal, reason: `${signal.reason}; Azure Monitor offers Container Apps only an average response time, which is what was compared` };
}

function armErrorText(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string })?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return `ARM did not answer within ${timeoutMs} ms`;
  const status = (error as { statusCode?: unknown })?.statusCode;
  const code = (error as { code?: unknown })?.code;
  if (typeof status === 'number') return `ARM answered HTTP ${status}${typeof code === 'string' ? ` ${sanitizeExcerpt(code, 60)}` : ''}`;
  return `ARM could not be reached${typeof code === 'string' ? ` (${sanitizeExcerpt(code, 60)})` : ''}`;
}

function errorText(error: unknown): string {
  return sanitizeExcerpt(error instanceof Error ? error.message : String(error), 200);
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 10);
}
