/**
 * Analysis at a canary step and during the post-promotion bake: the app's checks measured on
 * a schedule of durable timers, one activity call per measurement (a restart replays the
 * measurements already taken from history instead of taking them again), each judged by the
 * pure rules of src/domain/analysis. A failed run fails the step, which takes the rollout's one
 * way back; an inconclusive one asks a person or fails, as the app's configuration says.
 */
import type { Task } from 'durable-functions';
import {
  judgeAnalysisRun,
  judgeAnalysisStep,
  judgeMeasurement,
  measurementCount,
  needsStable,
  nextMeasurements,
  type AnalysisCheckSpec,
  type AnalysisRunVerdict,
  type AnalysisSpec,
  type Measurement,
  type ProviderReading,
} from '../../domain/analysis';
import { ActivityNames as A, type AnalysisRunRecord, type MeasureAnalysisInput } from '../../domain/deployment';
import type { RolloutStep } from '../../domain/rollout';
import { unlessAborted, type RolloutRun, type StepResult } from './rolloutRun';
import { approvalStep } from './trafficSteps';

type Step<K extends RolloutStep['kind']> = Extract<RolloutStep, { kind: K }>;

/** Measurements kept per run in the deployment record (the verdict counts them all). */
const RECORDED_MEASUREMENTS = 30;

export function* analysisStep(run: RolloutRun, step: Step<'analysis'>, index: number): Generator<Task, StepResult, unknown> {
  return yield* analyse(run, index, `${step.weight} %`);
}

/** Promoted, with the previous revision still active: measure until the bake ends. */
export function* bakeStep(run: RolloutRun, step: Step<'bake'>, index: number): Generator<Task, StepResult, unknown> {
  return yield* analyse(run, index, 'bake', step.seconds);
}

function* analyse(run: RolloutRun, index: number, where: string, bakeSeconds?: number): Generator<Task, StepResult, unknown> {
  const spec = run.input.spec.analysis;
  if (!spec || spec.checks.length === 0) return { ok: true, detail: `${where}: no analysis checks configured` };
  // After promotion the stable revision gets no traffic: comparisons with it run at canary steps only.
  // Background checks run alongside a canary's steps (backgroundAnalysis.ts), not at each of them.
  const checks = bakeSeconds === undefined ? spec.checks.filter((check) => !check.background) : spec.checks.filter((check) => !needsStable(check));
  if (checks.length === 0) return { ok: true, detail: `${where}: every check compares with the stable revision, which serves no traffic after promotion` };
  const counts = checks.map((check) => measurementCount(check, bakeSeconds));
  const taken: Measurement[][] = checks.map(() => []);
  const verdicts: AnalysisRunVerdict[] = checks.map((check, i) => judgeAnalysisRun(check, [], counts[i]));
  const startMs = run.nowMs();
  for (;;) {
    const due = nextMeasurements(
      checks,
      taken.map((m) => m.length),
      counts,
      verdicts.map((v) => v.verdict !== 'running'),
      startMs,
    );
    if (!due) break;
    const timer = run.context.df.createTimer(new Date(due.atMs));
    const waited = yield* unlessAborted(run, timer);
    if (waited.aborted) {
      timer.cancel();
      return { ok: false, aborted: true, reason: waited.reason };
    }
    const readings = (yield run.context.df.Task.all(due.checks.map((i) => run.call(A.measureAnalysis, measureInput(run, checks[i], `${run.input.deploymentId}-${index}-${checks[i].name}-${taken[i].length + 1}`))))) as ProviderReading[];
    due.checks.forEach((i, k) => {
      taken[i].push(judgeMeasurement(checks[i], readings[k], run.now()));
      verdicts[i] = judgeAnalysisRun(checks[i], taken[i], counts[i]);
    });
    yield run.record({ analysis: due.checks.map((i) => runRecord(index, where, checks[i].name, verdicts[i], taken[i])) });
    const sofar = judgeAnalysisStep(verdicts);
    if (sofar.verdict === 'failed' || sofar.verdict === 'inconclusive') break;
  }
  const outcome = judgeAnalysisStep(verdicts);
  if (outcome.verdict === 'failed') return { ok: false, reason: `analysis failed (${where}): ${outcome.reason}` };
  if (outcome.verdict === 'inconclusive') return yield* inconclusive(run, spec, where, outcome);
  return { ok: true, detail: `analysis passed (${where}): ${outcome.reason}` };
}

/** Too little to judge: a person decides (the approval API), or it counts as a failure. */
function* inconclusive(run: RolloutRun, spec: AnalysisSpec, where: string, outcome: AnalysisRunVerdict): Generator<Task, StepResult, unknown> {
  const reason = `analysis inconclusive (${where}): ${outcome.reason}`;
  if (spec.inconclusive === 'fail') return { ok: false, reason: `${reason} (analysis.inconclusive: fail)` };
  yield run.record({ phase: 'awaiting-approval', step: { name: 'approval', outcome: 'running', detail: reason } });
  const decided = yield* approvalStep(run, { kind: 'approval', timeoutMinutes: run.input.spec.approval.timeoutMinutes }, reason);
  yield run.step('approval', decided.ok ? 'succeeded' : 'failed', decided.ok ? decided.detail : decided.reason, decided.ok ? 'promoting' : undefined);
  if (!decided.ok) return { ...decided, reason: `${decided.reason} after ${reason}` };
  return { ok: true, detail: `${reason}; ${decided.detail ?? 'approved'}` };
}

export function measureInput(run: RolloutRun, check: AnalysisCheckSpec, measurementId: string): MeasureAnalysisInput {
  return {
    measurementId,
    image: run.facts.imageRef,
    app: run.input.spec.app,
    containerApp: run.input.spec.containerApp,
    check,
    revisionName: run.facts.newRevision ?? '',
    stableRevisionName: run.facts.previousRevision,
    revisionFqdn: run.facts.fqdn,
  };
}

export function runRecord(stepIndex: number, at: string, check: string, verdict: AnalysisRunVerdict, measurements: Measurement[]): AnalysisRunRecord {
  return { stepIndex, at, check, verdict: verdict.verdict, reason: verdict.reason, measurements: measurements.slice(-RECORDED_MEASUREMENTS) };
}
