/** The sweep's pure rules: silences, self-heal limits, judged revisions, metrics summary, routing, memory amounts. */
import { parseMemoryQuantity } from '../../src/adapters/metrics/memoryQuantity';
import type { RevisionView } from '../../src/adapters/containerApps/containerAppsPort';
import { channelsFor } from '../../src/activities/sweep/alertNotifications';
import { summarizeAppMetrics } from '../../src/activities/sweep/appMetrics';
import { judgeRevisions, splitRevisions } from '../../src/activities/sweep/judgedRevisions';
import { decideSelfHeal, type SelfHealInput } from '../../src/activities/sweep/selfHeal';
import { liveSilences, silenceAt } from '../../src/activities/sweep/silences';
import { Semaphore, mapWithConcurrency } from '../../src/activities/sweep/mapWithConcurrency';
import type { NotificationChannel } from '../../src/config';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('silences', () => {
  const window = { start: '2026-03-01T11:00:00Z', end: '2026-03-01T13:00:00Z', reason: 'db upgrade' };
  const api = { id: 'a', start: '2026-03-01T11:30:00Z', end: '2026-03-01T14:00:00Z', createdAt: '2026-03-01T11:30:00Z' };
  it.each([
    ['no window', [], [], { silenced: false }],
    ['a configured window covering now', [window], [], { silenced: true, until: '2026-03-01T13:00:00.000Z', source: 'configuration', reason: 'db upgrade' }],
    ['the later of two covering silences wins', [window], [api], { silenced: true, until: '2026-03-01T14:00:00.000Z', source: 'api' }],
    ['a window that ended', [{ start: '2026-03-01T09:00:00Z', end: '2026-03-01T12:00:00Z' }], [], { silenced: false }],
    ['a window not yet begun', [{ start: '2026-03-01T12:00:01Z', end: '2026-03-01T13:00:00Z' }], [], { silenced: false }],
  ])('%s', (_name, windows, silences, expected) => {
    expect(silenceAt(windows, silences, NOW)).toEqual(expected);
  });
  it('ended API silences are dropped', () => {
    expect(liveSilences([api, { ...api, id: 'old', end: '2026-03-01T12:00:00Z' }], NOW).map((s) => s.id)).toEqual(['a']);
  });
});

describe('self-heal limits', () => {
  const base: SelfHealInput = {
    policy: { enabled: true, afterUnhealthySweeps: 3, windowMinutes: 60 },
    unhealthySweepsInARow: 3,
    deploymentRunning: false,
    silenced: false,
    revisionName: 'web--v1',
    now: NOW,
  };
  it.each<[string, Partial<SelfHealInput>, 'restart' | 'none', RegExp | undefined]>([
    ['restarts after K unhealthy sweeps', {}, 'restart', /3 unhealthy sweeps in a row/],
    ['not before K', { unhealthySweepsInARow: 2 }, 'none', undefined],
    ['not when disabled (opt-in)', { policy: { enabled: false, afterUnhealthySweeps: 3, windowMinutes: 60 } }, 'none', undefined],
    ['never while a deployment runs', { deploymentRunning: true }, 'none', /deployment is running/],
    ['never while silenced', { silenced: true }, 'none', /silenced/],
    ['at most once per window', { lastRestartAt: '2026-03-01T11:30:00Z' }, 'none', /at most one per 60 min/],
    ['again once the window has passed', { lastRestartAt: '2026-03-01T11:00:00Z' }, 'restart', undefined],
    ['not without an active revision', { revisionName: undefined }, 'none', /no active revision/],
  ])('%s', (_name, change, action, reason) => {
    const decision = decideSelfHeal({ ...base, ...change });
    expect(decision.action).toBe(action);
    if (reason) expect(decision.reason).toMatch(reason);
  });
});

function rev(name: string, change: Partial<RevisionView> = {}): RevisionView {
  return { name, active: true, trafficWeight: 100, replicas: 1, provisioningState: 'Provisioned', runningState: 'Running', healthState: 'Healthy', image: 'acr.io/web@sha256:aaa', ...change };
}

describe('judged revisions', () => {
  it('a running deployment\'s revisions are left to the pipeline', () => {
    const split = splitRevisions([rev('web--v1'), rev('web--v2', { trafficWeight: 0, image: 'acr.io/web@sha256:bbb', runningState: 'Failed' }), rev('web--v0', { active: false })], 'sha256:bbb');
    expect(split.established.map((r) => r.name)).toEqual(['web--v1']);
    expect(split.underRollout.map((r) => r.name)).toEqual(['web--v2']);
    expect(judgeRevisions(split, false)).toMatchObject({ outcome: 'healthy' });
  });
  it('the worst established revision decides, named', () => {
    const split = splitRevisions([rev('web--a', { trafficWeight: 50 }), rev('web--b', { trafficWeight: 50, runningState: 'Degraded', healthState: 'Unhealthy' })], undefined);
    expect(judgeRevisions(split, false)).toMatchObject({ outcome: 'unhealthy', reason: expect.stringMatching(/^web--b: .*worst of 2 active revisions/) });
  });
  it('no active revision at all is unhealthy; only revisions under rollout is nothing to judge', () => {
    expect(judgeRevisions(splitRevisions([rev('web--v0', { active: false })], undefined), false)).toMatchObject({ outcome: 'unhealthy', reason: 'no active revision' });
    expect(judgeRevisions(splitRevisions([rev('web--v2', { image: 'x@sha256:bbb' })], 'sha256:bbb'), false)).toBeUndefined();
  });
  it('scaled to zero is idle and healthy', () => {
    expect(judgeRevisions(splitRevisions([rev('ai--v1', { replicas: 0 })], undefined), true)).toMatchObject({ outcome: 'healthy', idle: true });
  });
});

describe('metrics summary counts only the judged revisions', () => {
  const byRevision = new Map([
    ['web--v1', { requests: 90, requests5xx: 9, responseTimeAvgMs: 100, restarts: 1, maxWorkingSetBytesPerReplica: 900 }],
    ['web--v2', { requests: 10, requests5xx: 10, responseTimeAvgMs: 9000, restarts: 7, maxWorkingSetBytesPerReplica: 1000 }],
  ]);
  it('one revision', () => {
    expect(summarizeAppMetrics(byRevision, [{ name: 'web--v1', memoryLimitBytes: 1000 }])).toEqual({ requests5xxRate: 0.1, p95ResponseMs: 100, restartCount: 1, memoryWorkingSetRatio: 0.9 });
  });
  it('two revisions: rates over all requests, time weighted by requests, memory the worst replica', () => {
    const m = summarizeAppMetrics(byRevision, [{ name: 'WEB--V1', memoryLimitBytes: 1000 }, { name: 'web--v2', memoryLimitBytes: 2000 }]);
    expect(m).toEqual({ requests5xxRate: 0.19, p95ResponseMs: (90 * 100 + 10 * 9000) / 100, restartCount: 8, memoryWorkingSetRatio: 0.9 });
  });
  it('no traffic and no limit: rate, time and memory absent (no data), restarts zero', () => {
    expect(summarizeAppMetrics(new Map(), [{ name: 'web--v1' }])).toEqual({ restartCount: 0 });
  });
});

describe('routing by severity (critical → PagerDuty + all; warning → Slack/email; info → Slack)', () => {
  const channels: NotificationChannel[] = [
    { name: 'pagerduty', kind: 'pagerduty', urlSecret: 'pd', minSeverity: 'critical' },
    { name: 'email-oncall', kind: 'webhook', urlSecret: 'mail', minSeverity: 'warning' },
    { name: 'slack-alerts', kind: 'slack', urlSecret: 'slack', minSeverity: 'info' },
  ];
  const all = ['pagerduty', 'email-oncall', 'slack-alerts'];
  it.each([
    ['critical', all],
    ['warning', ['email-oncall', 'slack-alerts']],
    ['info', ['slack-alerts']],
  ] as const)('%s', (severity, expected) => {
    expect(channelsFor(all, channels, severity)).toEqual(expected);
  });
});

describe('memory amounts', () => {
  it.each([
    ['1Gi', 1024 ** 3],
    ['0.5Gi', 512 * 1024 ** 2],
    ['512Mi', 512 * 1024 ** 2],
    ['2G', 2e9],
    ['1.5gi', 1.5 * 1024 ** 3],
    ['lots', undefined],
    ['-1Gi', undefined],
    ['0Gi', undefined],
    [undefined, undefined],
  ])('%s', (text, bytes) => {
    expect(parseMemoryQuantity(text)).toBe(bytes);
  });
});

describe('concurrency bound', () => {
  it('never runs more than the limit at once, and keeps order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(3);
    const sem = new Semaphore(2);
    let inside = 0;
    let most = 0;
    await Promise.all([1, 2, 3, 4, 5].map(() => sem.run(async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 5));
      inside--;
    })));
    expect(most).toBe(2);
  });
});
