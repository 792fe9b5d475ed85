/**
 * Background analysis: checks marked `background` measured every interval for the whole canary
 * (from the first weight until promotion), alongside whatever step runs. There is no second
 * thread in an orchestration: every wait of a canary step goes through `unlessAborted`, which
 * also races the next background measurement's durable timer, takes the measurement when that
 * timer wins, and keeps waiting. A failed run (failed measurements beyond `failureLimit`) stops
 * the wait at once the way a manual abort does, and the deployment loop turns it into a failed
 * check: the one way back, the release `failed`.
 *
 * Measurements are activities in the orchestration's history, so a restart replays the ones
 * taken and never takes them again. Apps without background checks have no monitor: their
 * orchestrations yield exactly what they yielded before.
 */
import type { Task, TimerTask } from 'durable-functions';
import { judgeAnalysisRun, judgeMeasurement, nextMeasurements, type AnalysisCheckSpec, type Measurement, type ProviderReading } from '../../domain/analysis';
import { ActivityNames as A } from '../../domain/deployment';
import { backgroundWindow, type RolloutStep } from '../../domain/rollout';
import { measureInput, runRecord } from './analysisSteps';
import type { RolloutRun } from './rolloutRun';

/** Never "done" by count: a background run ends with the canary. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

export interface BackgroundMonitor {
  /** Set when the run failed: why (the deployment's reason). */
  readonly failure?: string;
  /** The timer of the next measurement while the canary runs (kept until it fires), else undefined. */
  nextTimer(): TimerTask | undefined;
  /** Takes the measurements due now and records them. */
  measure(): Generator<Task, void, unknown>;
}

export function createBackgroundMonitor(run: RolloutRun): BackgroundMonitor & { track(steps: readonly RolloutStep[], index: number): Generator<Task, void, unknown> } | undefined {
  const checks: AnalysisCheckSpec[] = (run.input.spec.analysis?.checks ?? []).filter((check) => check.background);
  if (checks.length === 0) return undefined;
  const taken: Measurement[][] = checks.map(() => []);
  let startIndex = -1;
  let startMs = 0;
  let active = false;
  let ended = false;
  let failure: string | undefined;
  let pending: { timer: TimerTask; checks: number[] } | undefined;

  const record = (i: number, verdict = judgeAnalysisRun(checks[i], taken[i], UNBOUNDED)): Task => run.record({ analysis: [runRecord(startIndex, 'background', checks[i].name, verdict, taken[i])] });

  return {
    get failure() {
      return failure;
    },

    nextTimer() {
      if (!active || failure) return undefined;
      if (!pending) {
        const due = nextMeasurements(checks, taken.map((m) => m.length), checks.map(() => UNBOUNDED), checks.map(() => false), startMs);
        if (!due) return undefined;
        pending = { timer: run.context.df.createTimer(new Date(due.atMs)), checks: due.checks };
      }
      return pending.timer;
    },

    *measure() {
      const due = pending;
      pending = undefined;
      if (!due) return;
      const readings = (yield run.context.df.Task.all(
        due.checks.map((i) => run.call(A.measureAnalysis, measureInput(run, checks[i], `${run.input.deploymentId}-background-${checks[i].name}-${taken[i].length + 1}`))),
      )) as ProviderReading[];
      const verdicts = due.checks.map((i, k) => {
        taken[i].push(judgeMeasurement(checks[i], readings[k], run.now()));
        return judgeAnalysisRun(checks[i], taken[i], UNBOUNDED);
      });
      yield run.context.df.Task.all(due.checks.map((i, k) => record(i, verdicts[k])));
      const failed = verdicts.find((v) => v.verdict === 'failed');
      if (failed) failure = `background analysis failed: ${failed.reason}`;
    },

    /** Before each step: starts the monitor at the canary's first weight, ends it at promotion. */
    *track(steps, index) {
      const window = backgroundWindow(steps);
      const inside = window !== undefined && index >= window.from && index < window.to;
      if (inside && !active && !ended) {
        active = true;
        startIndex = index;
        startMs = run.nowMs();
      } else if (!inside && active) {
        active = false;
        ended = true;
        pending?.timer.cancel();
        pending = undefined;
        yield run.context.df.Task.all(checks.map((_, i) => record(i, closingVerdict(checks[i], taken[i]))));
      }
    },
  };
}

/** At promotion: the run passed unless it failed; a canary too short for one measurement says so. */
function closingVerdict(check: AnalysisCheckSpec, measurements: Measurement[]): ReturnType<typeof judgeAnalysisRun> {
  const verdict = judgeAnalysisRun(check, measurements, measurements.length);
  if (measurements.length === 0) return { verdict: 'inconclusive', reason: `${check.name}: the canary ended before its first measurement` };
  return verdict;
}
