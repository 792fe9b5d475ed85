/**
 * Self-healing, decided purely: after `afterUnhealthySweeps` unhealthy sweeps in a
 * row, restart the active revision, at most once per `windowMinutes`, never while a deployment of
 * the app runs (the pipeline owns the revisions then) and never while the app is silenced
 * (maintenance: people are working on it).
 */
import type { SelfHealPolicy } from '../../config';

export type SelfHealDecision =
  | { action: 'restart'; reason: string }
  | { action: 'none'; reason?: string };

export interface SelfHealInput {
  policy: SelfHealPolicy;
  unhealthySweepsInARow: number;
  lastRestartAt?: string;
  deploymentRunning: boolean;
  silenced: boolean;
  /** The revision to restart; absent when none is active. */
  revisionName?: string;
  now: Date;
}

export function decideSelfHeal(input: SelfHealInput): SelfHealDecision {
  const { policy } = input;
  if (!policy.enabled) return { action: 'none' };
  const k = policy.afterUnhealthySweeps;
  if (input.unhealthySweepsInARow < k) return { action: 'none' };
  const why = `${input.unhealthySweepsInARow} unhealthy sweeps in a row (restart after ${k})`;
  if (input.deploymentRunning) return { action: 'none', reason: `${why}, but a deployment is running` };
  if (input.silenced) return { action: 'none', reason: `${why}, but the app is silenced for maintenance` };
  if (!input.revisionName) return { action: 'none', reason: `${why}, but no active revision to restart` };
  if (input.lastRestartAt !== undefined) {
    const nextAllowed = Date.parse(input.lastRestartAt) + policy.windowMinutes * 60_000;
    if (input.now.getTime() < nextAllowed) {
      return { action: 'none', reason: `${why}, but a restart was done at ${input.lastRestartAt} (at most one per ${policy.windowMinutes} min)` };
    }
  }
  return { action: 'restart', reason: why };
}
