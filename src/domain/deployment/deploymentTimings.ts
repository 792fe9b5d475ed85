/**
 * What a finished deployment's record says about time: how long it took, each step's span, and
 * for a rollback how long the app was on its way back. Read from the recorded step times, so the
 * telemetry that reports them (src/telemetry) never needs the orchestration's clock: the
 * orchestrator stays deterministic, and the figures are the ones the record shows.
 */
import type { DeploymentRecord, StepName, StepOutcome } from './deploymentModel';

export interface StepTiming {
  step: StepName;
  outcome: StepOutcome;
  startedAt: string;
  /** The step's end; a step still open when the record ended ends with the record. */
  endedAt: string;
  seconds: number;
  detail?: string;
}

export interface DeploymentTimings {
  startedAt: string;
  endedAt: string;
  seconds: number;
  steps: StepTiming[];
  /**
   * Rolled back: from the failed check (the end of the step that failed) to the end of the
   * rollback step. A manual rollback (kind `rollback`): from the request to its end.
   */
  timeToRollback?: { seconds: number; trigger: 'automatic' | 'manual' };
}

export function deploymentTimings(record: DeploymentRecord): DeploymentTimings {
  const endedAt = record.updatedAt;
  const steps = record.steps.map((s): StepTiming => {
    const end = s.endedAt ?? endedAt;
    return { step: s.step, outcome: s.outcome, startedAt: s.startedAt, endedAt: end, seconds: secondsBetween(s.startedAt, end), ...(s.detail ? { detail: s.detail } : {}) };
  });
  return { startedAt: record.createdAt, endedAt, seconds: secondsBetween(record.createdAt, endedAt), steps, ...rollbackTiming(record, steps) };
}

function rollbackTiming(record: DeploymentRecord, steps: StepTiming[]): Pick<DeploymentTimings, 'timeToRollback'> {
  if (record.kind === 'rollback') {
    return record.phase === 'succeeded' ? { timeToRollback: { seconds: secondsBetween(record.createdAt, record.updatedAt), trigger: 'manual' } } : {};
  }
  if (record.phase !== 'rolled-back' && record.phase !== 'rejected') return {};
  const rollback = [...steps].reverse().find((s) => s.step === 'rollback' && s.outcome === 'succeeded');
  if (!rollback) return {};
  const failed = [...steps].reverse().find((s) => s.outcome === 'failed' && s.endedAt <= rollback.startedAt);
  const from = failed?.endedAt ?? rollback.startedAt;
  return { timeToRollback: { seconds: secondsBetween(from, rollback.endedAt), trigger: 'automatic' } };
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}
