/** What a sweep stores per app (state for the next sweep, one history entry) and what the status API shows. */
import type { AlertNotification, AlertState, AppHealthVerdict, AlertSeverity, SignalVerdict } from '../../domain/health';

export interface SelfHealRecord {
  revision: string;
  outcome: 'restarted' | 'failed';
  reason: string;
  error?: string;
}

/** Kept between sweeps (HarbormasterHealthState). */
export interface AppSweepState {
  lastSweepAt: string;
  verdict: AppHealthVerdict;
  severity: AlertSeverity;
  signals: SignalVerdict[];
  alert: AlertState;
  consecutiveHealthFailures: number;
  unhealthySweepsInARow: number;
  lastSelfHealAt?: string;
}

/** One history entry (HarbormasterHealthHistory). */
export interface SweepHistoryRecord {
  at: string;
  verdict: AppHealthVerdict;
  severity: AlertSeverity;
  signals: SignalVerdict[];
  deploymentRunning: boolean;
  silenced: boolean;
  notified?: AlertNotification;
  /** Channels the notification went to, with their outcome. */
  deliveries?: Array<{ channel: string; outcome: string }>;
  selfHeal?: SelfHealRecord;
  durationMs: number;
}

/** `GET /api/status` and `GET /api/apps/{app}/health`: the current verdict. */
export interface HealthSummary {
  verdict: AppHealthVerdict | 'not-swept';
  severity?: AlertSeverity;
  since?: string;
  checkedAt?: string;
  signals?: SignalVerdict[];
  silenced: boolean;
  silencedUntil?: string;
  lastSelfHealAt?: string;
}
