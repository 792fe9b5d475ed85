/**
 * Verdicts of an analysis, pure: one measurement judged by its check's conditions, a check's
 * run folded from its measurements and limits, and a step's outcome from its checks' runs.
 *
 * Measurement outcomes (the API's strings):
 *   successful    the success condition held (or, with only a failure condition, it did not)
 *   failed        the failure condition held (or, with only a success condition, it did not)
 *   inconclusive  no data yet, too little traffic, no stable figure to compare with, or
 *                 both conditions set and neither held
 *   error         the provider could not be read (timed out, refused, unreadable answer)
 * A run fails as soon as failed measurements exceed `failureLimit`, is inconclusive as soon as
 * inconclusive and errored ones together exceed `inconclusiveLimit` (a provider that never
 * answers never blocks a rollout), and succeeds after `count` measurements otherwise.
 */
import type { AnalysisCheckSpec } from './analysisSpec';
import { conditionHolds, parseCondition, refersToStable, type Condition } from './analysisCondition';

export type MeasurementOutcome = 'successful' | 'failed' | 'inconclusive' | 'error';
export type AnalysisVerdict = 'running' | 'successful' | 'failed' | 'inconclusive';

/** What a provider read: one number (and the stable revision's in the same window, when asked), or why not. */
export type ProviderReading =
  | { kind: 'value'; value: number; stable?: number; detail?: string; window?: MeasurementWindow; link?: string }
  | { kind: 'no-data'; reason: string; window?: MeasurementWindow; link?: string }
  | { kind: 'error'; reason: string; window?: MeasurementWindow; link?: string };

export interface MeasurementWindow {
  start: string;
  end: string;
}

export interface Measurement {
  check: string;
  /** When it was taken (the orchestration's time). */
  at: string;
  outcome: MeasurementOutcome;
  value?: number;
  stable?: number;
  window?: MeasurementWindow;
  /** The condition that decided, or why there was nothing to judge. */
  reason: string;
  /** Where to read more (a job run's logs). */
  link?: string;
}

export function needsStable(check: Pick<AnalysisCheckSpec, 'successCondition' | 'failureCondition'>): boolean {
  return conditionsOf(check).some(({ condition }) => refersToStable(condition));
}

export function judgeMeasurement(check: AnalysisCheckSpec, reading: ProviderReading, at: string): Measurement {
  const base = { check: check.name, at, window: reading.window, ...(reading.link ? { link: reading.link } : {}) };
  if (reading.kind === 'error') return { ...base, outcome: 'error', reason: reading.reason };
  if (reading.kind === 'no-data') return { ...base, outcome: 'inconclusive', reason: reading.reason };
  const { value, stable } = reading;
  const figures = { ...base, value, stable };
  const shown = `${formatNumber(value)}${stable !== undefined ? ` (stable ${formatNumber(stable)})` : ''}${reading.detail ? `, ${reading.detail}` : ''}`;
  const conditions = conditionsOf(check);
  const failure = conditions.find((c) => c.role === 'failure');
  const success = conditions.find((c) => c.role === 'success');
  const failed = failure ? conditionHolds(failure.condition, value, stable) : false;
  const passed = success ? conditionHolds(success.condition, value, stable) : undefined;
  if (failed === undefined || (success && passed === undefined)) {
    return { ...figures, outcome: 'inconclusive', reason: `${shown}: no stable figure to compare with` };
  }
  if (failed) return { ...figures, outcome: 'failed', reason: `${shown} meets failureCondition "${failure!.condition.text}"` };
  if (!success) return { ...figures, outcome: 'successful', reason: `${shown} does not meet failureCondition "${failure!.condition.text}"` };
  if (passed) return { ...figures, outcome: 'successful', reason: `${shown} meets successCondition "${success.condition.text}"` };
  if (failure) return { ...figures, outcome: 'inconclusive', reason: `${shown} meets neither "${success.condition.text}" nor "${failure.condition.text}"` };
  return { ...figures, outcome: 'failed', reason: `${shown} does not meet successCondition "${success.condition.text}"` };
}

export interface AnalysisRunVerdict {
  verdict: AnalysisVerdict;
  reason: string;
  /** The measurement that decided a failed or inconclusive run. */
  decisive?: Measurement;
}

/** A check's run so far: `count` is how many measurements it takes to succeed. */
export function judgeAnalysisRun(check: AnalysisCheckSpec, measurements: readonly Measurement[], count: number): AnalysisRunVerdict {
  const failed = measurements.filter((m) => m.outcome === 'failed');
  const unsure = measurements.filter((m) => m.outcome === 'inconclusive' || m.outcome === 'error');
  if (failed.length > check.failureLimit) {
    const last = failed[failed.length - 1];
    return { verdict: 'failed', reason: `${check.name}: ${failed.length} of ${measurements.length} measurements failed (failureLimit ${check.failureLimit}); last: ${describeMeasurement(last)}`, decisive: last };
  }
  if (unsure.length > check.inconclusiveLimit) {
    const last = unsure[unsure.length - 1];
    return {
      verdict: 'inconclusive',
      reason: `${check.name}: ${unsure.length} of ${measurements.length} measurements inconclusive (inconclusiveLimit ${check.inconclusiveLimit}); last: ${describeMeasurement(last)}`,
      decisive: last,
    };
  }
  if (measurements.length >= count) {
    return { verdict: 'successful', reason: `${check.name}: ${measurements.length - failed.length - unsure.length} of ${measurements.length} measurements passed` };
  }
  return { verdict: 'running', reason: `${check.name}: ${measurements.length} of ${count} measurements taken` };
}

/** A step's outcome from its checks' runs: any failure fails it, else any inconclusive run makes it inconclusive. */
export function judgeAnalysisStep(runs: readonly AnalysisRunVerdict[]): AnalysisRunVerdict {
  const failed = runs.find((r) => r.verdict === 'failed');
  if (failed) return failed;
  const inconclusive = runs.find((r) => r.verdict === 'inconclusive');
  if (inconclusive) return inconclusive;
  if (runs.some((r) => r.verdict === 'running')) return { verdict: 'running', reason: runs.map((r) => r.reason).join('; ') };
  return { verdict: 'successful', reason: runs.map((r) => r.reason).join('; ') };
}

/** How many measurements a check takes: its `count` at a canary step; every interval of a bake (at least one). */
export function measurementCount(check: AnalysisCheckSpec, bakeSeconds?: number): number {
  if (bakeSeconds === undefined) return check.count;
  return Math.max(1, Math.floor(bakeSeconds / check.intervalSeconds));
}

/**
 * When the next measurements are due: the earliest of each unfinished check's next time
 * (`startMs + (taken + 1) × interval`), and which checks are due then.
 */
export function nextMeasurements(
  checks: readonly AnalysisCheckSpec[],
  taken: readonly number[],
  counts: readonly number[],
  finished: readonly boolean[],
  startMs: number,
): { atMs: number; checks: number[] } | undefined {
  let atMs = Number.POSITIVE_INFINITY;
  const due: number[] = [];
  checks.forEach((check, i) => {
    if (finished[i] || taken[i] >= counts[i]) return;
    const at = startMs + (taken[i] + 1) * check.intervalSeconds * 1000;
    if (at < atMs) {
      atMs = at;
      due.length = 0;
    }
    if (at === atMs) due.push(i);
  });
  return due.length > 0 ? { atMs, checks: due } : undefined;
}

export function describeMeasurement(m: Measurement): string {
  const window = m.window ? ` over ${m.window.start}..${m.window.end}` : '';
  return `${m.outcome} at ${m.at}${window}: ${m.reason}`;
}

function conditionsOf(check: Pick<AnalysisCheckSpec, 'successCondition' | 'failureCondition'>): Array<{ role: 'success' | 'failure'; condition: Condition }> {
  const out: Array<{ role: 'success' | 'failure'; condition: Condition }> = [];
  for (const [role, text] of [['success', check.successCondition], ['failure', check.failureCondition]] as const) {
    if (text === undefined) continue;
    const parsed = parseCondition(text);
    // The configuration refuses unreadable conditions at start-up; one here is a programming error.
    if ('error' in parsed) throw new Error(`${role}Condition "${text}" ${parsed.error}`);
    out.push({ role, condition: parsed });
  }
  return out;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));
}
