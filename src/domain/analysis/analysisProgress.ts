/**
 * What a running deployment's analysis is doing now, for the status API: the runs of the step
 * under way (and a background run still going), each with its latest measurement.
 */
import type { AnalysisRunRecord } from '../deployment/deploymentModel';

export interface AnalysisProgress {
  check: string;
  /** `20 %`, `bake` or `background`. */
  at: string;
  verdict: AnalysisRunRecord['verdict'];
  measurements: number;
  latest?: { at: string; outcome: string; value?: number; stable?: number; window?: { start: string; end: string }; reason: string };
}

export function analysisInProgress(runs: readonly AnalysisRunRecord[] | undefined): AnalysisProgress[] {
  if (!runs || runs.length === 0) return [];
  const stepRuns = runs.filter((r) => r.at !== 'background');
  const current = stepRuns.length === 0 ? -1 : Math.max(...stepRuns.map((r) => r.stepIndex));
  return runs
    .filter((r) => (r.at === 'background' ? r.verdict === 'running' : r.stepIndex === current))
    .map((r) => {
      const last = r.measurements.at(-1);
      return {
        check: r.check,
        at: r.at,
        verdict: r.verdict,
        measurements: r.measurements.length,
        ...(last ? { latest: { at: last.at, outcome: last.outcome, value: last.value, stable: last.stable, window: last.window, reason: last.reason } } : {}),
      };
    });
}
