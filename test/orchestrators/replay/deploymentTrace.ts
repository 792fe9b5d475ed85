/**
 * A deployment's replay trace read the way the stack suites read a deployment's record: the
 * steps it recorded and their outcomes, its final phase and reason, and every traffic change it
 * asked the gate for. The record is what `recordDeployment` was called with, so these are the
 * orchestrator's own words.
 */
import { ActivityNames as A, type RecordDeploymentInput, type RouteTrafficInput } from '../../../src/domain/deployment';
import type { ReplayTrace } from './replayTrace';

const records = (trace: ReplayTrace): RecordDeploymentInput[] => trace.inputsOf(A.recordDeployment);

/** Each step's last recorded outcome (of one member, for a group's deployment; else the steps without a member). */
export function stepOutcomes(trace: ReplayTrace, member?: string): Record<string, string> {
  const outcomes: Record<string, string> = {};
  for (const { step } of records(trace)) {
    if (step && step.member === member) outcomes[step.name] = step.outcome;
  }
  return outcomes;
}

/** Every step record in order, as `step:outcome` (`member/step:outcome` for a member's). */
export function recordedSteps(trace: ReplayTrace): string[] {
  return records(trace)
    .filter((r) => r.step)
    .map(({ step }) => `${step!.member ? `${step!.member}/` : ''}${step!.name}:${step!.outcome}`);
}

/** The phase and reason of the last record that set a final phase. */
export function finalRecord(trace: ReplayTrace): { phase?: string; reason?: string } {
  const last = records(trace).filter((r) => r.phase !== undefined).at(-1);
  return { phase: last?.phase, reason: last?.reason };
}

/** The traffic splits asked of the gate, in order (each a list of revision → weight). */
export function trafficRequests(trace: ReplayTrace): Array<RouteTrafficInput['traffic']> {
  return trace.inputsOf(A.routeTraffic).map((input: RouteTrafficInput) => input.traffic);
}

/** Every weight above 0 any traffic change asked for `revision`. */
export function weightsGivenTo(trace: ReplayTrace, revision: string): number[] {
  return trafficRequests(trace)
    .flat()
    .filter((t) => t.revisionName === revision && t.weight > 0)
    .map((t) => t.weight);
}

/** The revision the deploy step created (from the deploy activity's answer). */
export function newRevisionOf(trace: ReplayTrace, app?: string): string | undefined {
  const deployed = trace.activities(A.deployRevision).filter((e) => e.result && (app === undefined || e.input.app === app));
  return deployed.at(-1)?.result?.revisionName as string | undefined;
}

/** The settled verdicts, in order, as `revision:verdict`. */
export function settledVerdicts(trace: ReplayTrace): string[] {
  return trace.inputsOf(A.settleRelease).map((s) => `${s.revisionName}:${s.verdict}`);
}

/** Each analysis run's last verdict, as `<where> <check> <verdict>` (where: `20 %`, `bake`, `background`), in the order first recorded. */
export function analysisVerdicts(trace: ReplayTrace): string[] {
  const runs = new Map<string, string>();
  for (const { analysis } of records(trace)) {
    for (const run of analysis ?? []) runs.set(`${run.stepIndex} ${run.at} ${run.check}`, `${run.at} ${run.check} ${run.verdict}`);
  }
  return [...runs.values()];
}
