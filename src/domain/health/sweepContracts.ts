/**
 * The health sweep's activity, for orchestrations: after a promotion, sweep that one app at once so
 * its status shows the new revision's health now, not at the next scheduled sweep.
 *
 *   yield context.df.callActivity(SweepActivityNames.sweepApp, { app, afterDeploymentId } satisfies SweepAppInput)
 *     → SweepAppResult
 *
 * The activity judges, records and alerts exactly as a scheduled sweep does, for that app only.
 * It never throws for the app's own trouble (an unreadable signal is `unknown`); `error` says why
 * an app could not be swept at all (unknown app, storage down).
 */
import type { AlertNotification } from './decideAlert';
import type { AppHealthVerdict } from './judgeApp';

export const SweepActivityNames = {
  sweepApp: 'sweepApp',
} as const;

export interface SweepAppInput {
  /** The app's name in the apps configuration. */
  app: string;
  /**
   * The deployment that just promoted the app (when called from its orchestration): its own
   * `running` entry in the app's state then does not count as a rollout in progress.
   */
  afterDeploymentId?: string;
}

export interface SweepAppResult {
  app: string;
  verdict?: AppHealthVerdict;
  /** Set when the sweep alerted: the transition it notified. */
  notified?: AlertNotification;
  /** Why the app could not be swept (its previous state stands). */
  error?: string;
}
