// One app's verdict in a health sweep, from every signal the sweep read.
// Each signal gets a status and a reason; the worst status decides the verdict:
//   any critical → unhealthy (severity critical); any warning → degraded (warning); else healthy (info).
// A signal that could not be read is `unknown` with the reason and never raises the verdict: a metrics
// outage must not page anyone. While a deployment of the app runs, the pipeline's health-wait judges the
// revisions being rolled out, so the health signals (platform, endpoint, failures in a row) are shown
// as `unknown` ("judged by the pipeline") instead of alarming; traffic metrics still count.
import type { HealthObservation } from './healthObservation';
import type { PlatformJudgement } from './judgePlatform';
import { sanitizeExcerpt } from './sanitizeExcerpt';

export type AppHealthVerdict = 'healthy' | 'degraded' | 'unhealthy';
export type AlertSeverity = 'info' | 'warning' | 'critical';
export type SignalStatus = 'ok' | 'warning' | 'critical' | 'unknown';

export type SignalName = 'platform' | 'endpoint' | 'health-failures' | 'metrics' | '5xx-rate' | 'p95-response' | 'restarts' | 'memory' | 'backup-age';

export interface SignalVerdict {
  name: SignalName;
  status: SignalStatus;
  reason: string;
}

export interface AppVerdict {
  verdict: AppHealthVerdict;
  severity: AlertSeverity;
  signals: SignalVerdict[];
}

/** A signal the sweep tried to read and could not. */
export interface SignalReadError {
  error: string;
}

/** A database with no backup yet whose first scheduled backup is not due: information, not a fault. */
export interface AwaitingFirstBackup {
  awaitingFirstBackup: true;
  firstDueAt?: string;
}

/** Azure Monitor figures over the sweep window (5 minutes by default). Absent ones had no data. */
export interface AppMetrics {
  /** Fraction of requests answered 5xx, 0..1. */
  requests5xxRate?: number;
  p95ResponseMs?: number;
  restartCount?: number;
  /** Memory working set over the container's memory limit, 0..1. */
  memoryWorkingSetRatio?: number;
}

export interface AppSignals {
  platform?: PlatformJudgement | SignalReadError;
  /** Absent when the app has no endpoint reachable from here (no ingress, internal only). */
  endpoint?: HealthObservation;
  metrics?: AppMetrics | SignalReadError;
  /**
   * Age of the newest verified backup; absent when the app has no backups configured; Infinity when
   * none exists and one was due; `awaitingFirstBackup` when none exists and none was due yet.
   */
  backupAgeHours?: number | SignalReadError | AwaitingFirstBackup;
  /** Health-endpoint failures in a row, this sweep included. */
  consecutiveHealthFailures: number;
}

/**
 * Alert thresholds. Each alarms when the value is strictly above it, except `healthFailuresInARow`,
 * which alarms when the count reaches it.
 */
export interface AlertThresholds {
  /** Critical: 5xx fraction above this (default 5 % over 5 min). */
  requests5xxRate: number;
  /** Warning: p95 response time above this (default 5 s over 5 min). */
  p95ResponseMs: number;
  /** Critical: this many failed health checks in a row (3 in a row by default). */
  healthFailuresInARow: number;
  /** Warning: memory working set above this fraction of the limit (default 85 %). */
  memoryWorkingSetRatio: number;
  /** Warning: more restarts than this in the window. */
  restartCount: number;
  /** Warning: newest verified backup older than this (a daily backup, with 2 h of slack). */
  backupAgeHours: number;
}

/** The default alert thresholds (an app's `alerts` in apps.json overrides them). */
export const DEFAULT_ALERT_THRESHOLDS: Readonly<AlertThresholds> = Object.freeze({
  requests5xxRate: 0.05,
  p95ResponseMs: 5_000,
  healthFailuresInARow: 3,
  memoryWorkingSetRatio: 0.85,
  restartCount: 2,
  backupAgeHours: 26,
});

export interface AppJudgeContext {
  /** A deployment of this app is running: its health-wait judges the revisions under rollout. */
  deploymentRunning: boolean;
}

export function judgeApp(signals: AppSignals, thresholds: AlertThresholds = DEFAULT_ALERT_THRESHOLDS, context: AppJudgeContext = { deploymentRunning: false }): AppVerdict {
  const health = [...platformSignal(signals.platform), ...endpointSignals(signals, thresholds)].map((s) => (context.deploymentRunning ? duringDeployment(s) : s));
  const all = [...health, ...metricSignals(signals.metrics, thresholds), ...backupSignal(signals.backupAgeHours, thresholds)];
  if (all.some((s) => s.status === 'critical')) return { verdict: 'unhealthy', severity: 'critical', signals: all };
  if (all.some((s) => s.status === 'warning')) return { verdict: 'degraded', severity: 'warning', signals: all };
  return { verdict: 'healthy', severity: 'info', signals: all };
}

function endpointSignals(signals: AppSignals, t: AlertThresholds): SignalVerdict[] {
  const out: SignalVerdict[] = [];
  if (signals.endpoint) out.push({ name: 'endpoint', status: endpointStatus(signals.endpoint), reason: signals.endpoint.reason });
  const n = signals.consecutiveHealthFailures;
  // An app without a readable endpoint has no failure run to report, unless the caller counted one.
  if (signals.endpoint === undefined && n === 0) return out;
  const reason = `${n} failed health check${n === 1 ? '' : 's'} in a row (alarm at ${t.healthFailuresInARow})`;
  out.push({ name: 'health-failures', status: n >= t.healthFailuresInARow ? 'critical' : 'ok', reason });
  return out;
}

function platformSignal(platform: AppSignals['platform']): SignalVerdict[] {
  if (platform === undefined) return [];
  if (isReadError(platform)) return [{ name: 'platform', status: 'unknown', reason: `could not read the revision state: ${sanitizeExcerpt(platform.error)}` }];
  const status: Record<PlatformJudgement['outcome'], SignalStatus> = { healthy: 'ok', starting: 'warning', unhealthy: 'critical', unknown: 'unknown' };
  return [{ name: 'platform', status: status[platform.outcome], reason: platform.reason }];
}

// One failed read is a warning; it becomes critical through `health-failures` when it repeats.
function endpointStatus(endpoint: HealthObservation): SignalStatus {
  switch (endpoint.outcome) {
    case 'healthy':
      return 'ok';
    case 'degraded':
    case 'unhealthy':
    case 'unreachable':
      return 'warning';
    case 'unknown':
      return 'unknown';
  }
}

function duringDeployment(signal: SignalVerdict): SignalVerdict {
  if (signal.status === 'ok' || signal.status === 'unknown') return signal;
  return { name: signal.name, status: 'unknown', reason: `deployment running, judged by the pipeline: ${signal.reason}` };
}

function metricSignals(metrics: AppSignals['metrics'], t: AlertThresholds): SignalVerdict[] {
  if (metrics === undefined) return [];
  if (isReadError(metrics)) return [{ name: 'metrics', status: 'unknown', reason: `could not read metrics: ${sanitizeExcerpt(metrics.error)}` }];
  return [
    threshold('5xx-rate', metrics.requests5xxRate, t.requests5xxRate, 'critical', (v) => `${percent(v)} of requests answered 5xx`, percent),
    threshold('p95-response', metrics.p95ResponseMs, t.p95ResponseMs, 'warning', (v) => `p95 response time ${Math.round(v)} ms`, (v) => `${v} ms`),
    threshold('restarts', metrics.restartCount, t.restartCount, 'warning', (v) => `${v} restarts`, String),
    threshold('memory', metrics.memoryWorkingSetRatio, t.memoryWorkingSetRatio, 'warning', (v) => `memory working set at ${percent(v)} of the limit`, percent),
  ];
}

function backupSignal(age: AppSignals['backupAgeHours'], t: AlertThresholds): SignalVerdict[] {
  if (age === undefined) return [];
  if (isReadError(age)) return [{ name: 'backup-age', status: 'unknown', reason: `could not read backups: ${sanitizeExcerpt(age.error)}` }];
  if (typeof age === 'object') {
    return [{ name: 'backup-age', status: 'ok', reason: `awaiting-first-backup: no backup yet; ${age.firstDueAt ? `the first scheduled one is due at ${age.firstDueAt}` : 'none is scheduled'}` }];
  }
  if (age === Number.POSITIVE_INFINITY) return [{ name: 'backup-age', status: 'warning', reason: 'no verified backup exists' }];
  return [threshold('backup-age', age, t.backupAgeHours, 'warning', (v) => `newest verified backup is ${v.toFixed(1)} h old`, (v) => `${v} h`)];
}

function threshold(name: SignalName, value: number | undefined, limit: number, alarm: 'warning' | 'critical', say: (v: number) => string, show: (v: number) => string): SignalVerdict {
  if (value === undefined) return { name, status: 'unknown', reason: 'no data in the window' };
  if (!Number.isFinite(value) || value < 0) return { name, status: 'unknown', reason: `unusable value ${String(value)}` };
  return value > limit
    ? { name, status: alarm, reason: `${say(value)} (above ${show(limit)})` }
    : { name, status: 'ok', reason: `${say(value)} (limit ${show(limit)})` };
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))} %`;
}

function isReadError(value: unknown): value is SignalReadError {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string';
}
