/**
 * Is an app silenced now? Maintenance windows from the configuration and silences set through the
 * API both count. A silence mutes alerts (and self-healing, which must not fight
 * people doing maintenance); the checks still run and are recorded.
 */
import type { MaintenanceWindow } from '../../config';
import type { Silence } from '../../adapters/storage/healthHistoryStore';

export interface SilenceStatus {
  silenced: boolean;
  /** ISO time the latest of the covering silences ends. */
  until?: string;
  reason?: string;
  source?: 'configuration' | 'api';
}

export function silenceAt(windows: readonly MaintenanceWindow[], silences: readonly Silence[], now: Date): SilenceStatus {
  const t = now.getTime();
  const covering = [
    ...windows.map((w) => ({ start: w.start, end: w.end, reason: w.reason, source: 'configuration' as const })),
    ...silences.map((s) => ({ start: s.start, end: s.end, reason: s.reason, source: 'api' as const })),
  ].filter((s) => Date.parse(s.start) <= t && t < Date.parse(s.end));
  if (covering.length === 0) return { silenced: false };
  const latest = covering.reduce((a, b) => (Date.parse(b.end) > Date.parse(a.end) ? b : a));
  return { silenced: true, until: new Date(Date.parse(latest.end)).toISOString(), source: latest.source, ...(latest.reason ? { reason: latest.reason } : {}) };
}

/** Silences still worth keeping (not yet ended). */
export function liveSilences(silences: readonly Silence[], now: Date): Silence[] {
  return silences.filter((s) => Date.parse(s.end) > now.getTime());
}
