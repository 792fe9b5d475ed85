/**
 * The message for an alert decision, and who gets it. Routing by severity
 * (critical: PagerDuty and the rest; warning: Slack/Teams/email; info: Slack only) is each channel's
 * `minSeverity`. A `resolved` message goes only to the channels that heard the spell announced,
 * so a PagerDuty channel (critical only) is not told a warning it never saw is over.
 */
import type { NotificationChannel } from '../../config';
import { SEVERITY_RANK, type Notification, type Severity } from '../../adapters/notify/notification';
import type { AlertNotification, AppVerdict, AppHealthVerdict } from '../../domain/health';

const SEVERITY_OF: Readonly<Record<AppHealthVerdict, Severity>> = { healthy: 'info', degraded: 'warning', unhealthy: 'critical' };

export function channelsFor(appChannels: readonly string[], channels: readonly NotificationChannel[], severity: Severity): string[] {
  return appChannels.filter((name) => {
    const channel = channels.find((c) => c.name === name);
    // An unknown name is kept: the dispatcher reports it as failed, which the history records.
    return !channel || SEVERITY_RANK[severity] >= SEVERITY_RANK[channel.minSeverity];
  });
}

export function alertNotification(app: string, kind: AlertNotification, verdict: AppVerdict, announced: AppHealthVerdict | undefined, since: string): Notification {
  const failing = verdict.signals.filter((s) => s.status === 'critical' || s.status === 'warning');
  const facts: Record<string, string> = { verdict: verdict.verdict, since };
  for (const s of failing.slice(0, 8)) facts[s.name] = s.reason;
  const dedupKey = `harbormaster-health-${app}`;
  switch (kind) {
    case 'worse':
      return { event: 'health.worse', app, severity: verdict.severity, title: `${app} is ${verdict.verdict}`, text: summary(failing), facts, dedupKey };
    case 'reminder':
      return { event: 'health.reminder', app, severity: verdict.severity, title: `${app} is still ${verdict.verdict} (since ${since})`, text: summary(failing), facts, dedupKey };
    case 'flapping': {
      const severity = SEVERITY_OF[announced ?? verdict.verdict];
      return {
        event: 'health.flapping',
        app,
        severity,
        title: `${app} is flapping between healthy and ${announced ?? verdict.verdict}`,
        text: `It keeps turning bad again after healthy sweeps. No further alert until it resolves (several healthy sweeps in a row).\n${summary(failing)}`,
        facts,
        dedupKey,
      };
    }
    case 'resolved': {
      const severity = SEVERITY_OF[announced ?? 'unhealthy'];
      return { event: 'health.resolved', app, severity, title: `${app} is healthy again`, text: 'Every signal is back within its threshold.', facts, dedupKey, resolved: true };
    }
  }
}

export function selfHealNotification(app: string, revision: string, outcome: 'restarted' | 'failed', reason: string, error?: string): Notification {
  return {
    event: outcome === 'restarted' ? 'health.self-heal' : 'health.self-heal-failed',
    app,
    severity: outcome === 'restarted' ? 'warning' : 'critical',
    title: outcome === 'restarted' ? `${app}: restarted revision ${revision}` : `${app}: restarting revision ${revision} failed`,
    text: error ? `${reason}. ${error}` : reason,
    facts: { revision, reason },
  };
}

function summary(failing: AppVerdict['signals']): string {
  if (failing.length === 0) return 'No signal is over its threshold.';
  return failing.map((s) => `${s.name}: ${s.reason}`).join('\n');
}
