import {
  DEFAULT_ALERT_THRESHOLDS,
  judgeApp,
  judgePlatform,
  parseHealthResponse,
  type AppHealthVerdict,
  type AppSignals,
  type SignalName,
  type SignalStatus,
} from '../../../src/domain/health';

const running = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Running', healthState: 'Healthy', replicas: 1 }, { scaleToZero: false });
const activating = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Activating' }, { scaleToZero: false });
const failed = judgePlatform({ provisioningState: 'Provisioned', runningState: 'Failed' }, { scaleToZero: false });
const ok = parseHealthResponse({ status: 200, body: '{"status":"ok"}' }, { degradedIsHealthy: false });
const degraded = parseHealthResponse({ status: 200, body: '{"status":"degraded","database":"ok","ai_service":"down"}' }, { degradedIsHealthy: false });
const down = parseHealthResponse({ status: 503, body: '{"status":"unhealthy"}' }, { degradedIsHealthy: false });
const timeout = parseHealthResponse({ status: undefined, body: undefined, error: 'timeout' }, { degradedIsHealthy: false });

const calm = { requests5xxRate: 0.001, p95ResponseMs: 180, restartCount: 0, memoryWorkingSetRatio: 0.4 };
const healthy: AppSignals = { platform: running, endpoint: ok, metrics: calm, consecutiveHealthFailures: 0 };
const idle = { deploymentRunning: false };

function statusOf(signals: ReturnType<typeof judgeApp>['signals'], name: SignalName): SignalStatus | undefined {
  return signals.find((s) => s.name === name)?.status;
}

describe('DEFAULT_ALERT_THRESHOLDS: the default alert table', () => {
  it('holds the documented figures', () => {
    expect(DEFAULT_ALERT_THRESHOLDS).toMatchObject({ requests5xxRate: 0.05, p95ResponseMs: 5000, healthFailuresInARow: 3, memoryWorkingSetRatio: 0.85 });
    expect(Object.isFrozen(DEFAULT_ALERT_THRESHOLDS)).toBe(true);
  });
});

describe('judgeApp: each signal against its threshold', () => {
  it.each<[string, AppSignals, SignalName, SignalStatus, AppHealthVerdict, RegExp]>([
    ['everything fine is healthy', healthy, '5xx-rate', 'ok', 'healthy', /0\.1 % of requests answered 5xx \(limit 5 %\)/],
    ['5xx above 5 % is critical', { ...healthy, metrics: { ...calm, requests5xxRate: 0.06 } }, '5xx-rate', 'critical', 'unhealthy', /6 % of requests answered 5xx \(above 5 %\)/],
    ['5xx at exactly 5 % is not above it', { ...healthy, metrics: { ...calm, requests5xxRate: 0.05 } }, '5xx-rate', 'ok', 'healthy', /5 %/],
    ['p95 above 5 s is a warning', { ...healthy, metrics: { ...calm, p95ResponseMs: 5200 } }, 'p95-response', 'warning', 'degraded', /p95 response time 5200 ms \(above 5000 ms\)/],
    ['memory above 85 % of the limit is a warning', { ...healthy, metrics: { ...calm, memoryWorkingSetRatio: 0.9 } }, 'memory', 'warning', 'degraded', /90 % of the limit/],
    ['more than 2 restarts is a warning', { ...healthy, metrics: { ...calm, restartCount: 3 } }, 'restarts', 'warning', 'degraded', /3 restarts/],
    ['3 failed health checks in a row is critical', { ...healthy, endpoint: down, consecutiveHealthFailures: 3 }, 'health-failures', 'critical', 'unhealthy', /3 failed health checks in a row/],
    ['2 failed health checks in a row is only the endpoint warning', { ...healthy, endpoint: down, consecutiveHealthFailures: 2 }, 'health-failures', 'ok', 'degraded', /2 failed/],
    ['a degraded endpoint is a warning (still live, fires alerts)', { ...healthy, endpoint: degraded }, 'endpoint', 'warning', 'degraded', /status "degraded"/],
    ['a timed-out endpoint is a warning', { ...healthy, endpoint: timeout, consecutiveHealthFailures: 1 }, 'endpoint', 'warning', 'degraded', /timed out/],
    ['a failed revision is critical', { ...healthy, platform: failed }, 'platform', 'critical', 'unhealthy', /failed to run/],
    ['a revision starting outside a deployment is a warning', { ...healthy, platform: activating }, 'platform', 'warning', 'degraded', /starting/],
    ['a stale backup is a warning', { ...healthy, backupAgeHours: 30 }, 'backup-age', 'warning', 'degraded', /30\.0 h old \(above 26 h\)/],
    ['a fresh backup is ok', { ...healthy, backupAgeHours: 3 }, 'backup-age', 'ok', 'healthy', /3\.0 h old/],
    ['no verified backup at all is a warning', { ...healthy, backupAgeHours: Number.POSITIVE_INFINITY }, 'backup-age', 'warning', 'degraded', /no verified backup/],
    ['no backup yet while the first one is not due is information, not a warning', { ...healthy, backupAgeHours: { awaitingFirstBackup: true, firstDueAt: '2025-03-21T02:00:00.000Z' } }, 'backup-age', 'ok', 'healthy', /^awaiting-first-backup: .*due at 2025-03-21T02:00:00.000Z/],
  ])('%s', (_rule, signals, name, status, verdict, reason) => {
    const result = judgeApp(signals, DEFAULT_ALERT_THRESHOLDS, idle);
    const signal = result.signals.find((s) => s.name === name);
    expect(signal?.status).toBe(status);
    expect(signal?.reason).toMatch(reason);
    expect(result.verdict).toBe(verdict);
  });
});

describe('judgeApp: signals that cannot be read are unknown, never alarms', () => {
  it.each<[string, AppSignals, SignalName, RegExp]>([
    ['a metrics API error', { ...healthy, metrics: { error: 'Monitor answered 500' } }, 'metrics', /could not read metrics: Monitor answered 500/],
    ['a revision read error', { ...healthy, platform: { error: 'ARM timed out' } }, 'platform', /could not read the revision state: ARM timed out/],
    ['a backup listing error', { ...healthy, backupAgeHours: { error: 'blob list failed' } }, 'backup-age', /could not read backups/],
    ['a metric with no data in the window', { ...healthy, metrics: { requests5xxRate: 0 } }, 'p95-response', /no data in the window/],
    ['a metric with an unusable value', { ...healthy, metrics: { ...calm, memoryWorkingSetRatio: Number.NaN } }, 'memory', /unusable value NaN/],
    ['the platform reporting a state we do not know', { ...healthy, platform: judgePlatform({ runningState: 'Hibernating' }, { scaleToZero: false }) }, 'platform', /Hibernating/],
  ])('%s', (_rule, signals, name, reason) => {
    const result = judgeApp(signals, DEFAULT_ALERT_THRESHOLDS, idle);
    expect(statusOf(result.signals, name)).toBe('unknown');
    expect(result.signals.find((s) => s.name === name)?.reason).toMatch(reason);
    expect(result).toMatchObject({ verdict: 'healthy', severity: 'info' });
  });

  it('never quotes a secret from a read error', () => {
    const result = judgeApp({ ...healthy, metrics: { error: 'failed: Password=hunter2;Host=db' } }, DEFAULT_ALERT_THRESHOLDS, idle);
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('judgeApp: verdict and severity from the worst signal', () => {
  it('critical beats warning', () => {
    const result = judgeApp({ ...healthy, metrics: { ...calm, requests5xxRate: 0.2, p95ResponseMs: 9000 } }, DEFAULT_ALERT_THRESHOLDS, idle);
    expect(result).toMatchObject({ verdict: 'unhealthy', severity: 'critical' });
  });

  it('uses the thresholds it is given', () => {
    const result = judgeApp({ ...healthy, metrics: { ...calm, p95ResponseMs: 900 } }, { ...DEFAULT_ALERT_THRESHOLDS, p95ResponseMs: 500 }, idle);
    expect(result).toMatchObject({ verdict: 'degraded', severity: 'warning' });
  });

  it('leaves out what the app does not have (no endpoint, no backups)', () => {
    const result = judgeApp({ platform: running, metrics: calm, consecutiveHealthFailures: 0 }, DEFAULT_ALERT_THRESHOLDS, idle);
    expect(result.signals.map((s) => s.name)).toEqual(['platform', '5xx-rate', 'p95-response', 'restarts', 'memory']);
  });
});

describe('judgeApp: a running deployment raises no false alarms', () => {
  const rollingOut: AppSignals = { platform: activating, endpoint: timeout, metrics: calm, consecutiveHealthFailures: 4 };

  it('shows health signals as unknown, judged by the pipeline', () => {
    const result = judgeApp(rollingOut, DEFAULT_ALERT_THRESHOLDS, { deploymentRunning: true });
    expect(result).toMatchObject({ verdict: 'healthy', severity: 'info' });
    for (const name of ['platform', 'endpoint', 'health-failures'] as const) {
      expect(statusOf(result.signals, name)).toBe('unknown');
      expect(result.signals.find((s) => s.name === name)?.reason).toMatch(/^deployment running, judged by the pipeline: /);
    }
  });

  it('the same signals alarm when no deployment runs', () => {
    expect(judgeApp(rollingOut, DEFAULT_ALERT_THRESHOLDS, idle).verdict).toBe('unhealthy');
  });

  it('traffic metrics still count during a deployment', () => {
    const result = judgeApp({ ...rollingOut, metrics: { ...calm, requests5xxRate: 0.3 } }, DEFAULT_ALERT_THRESHOLDS, { deploymentRunning: true });
    expect(result.verdict).toBe('unhealthy');
  });
});
