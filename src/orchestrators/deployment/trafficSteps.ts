/**
 * The steps after deploy: health gates, the approval gate, pauses and traffic weights. Each
 * long wait races the abort event, so a manual rollback stops the rollout at once and runs
 * its compensation.
 */
import type { Task } from 'durable-functions';
import {
  ActivityNames as A,
  ApprovalEventName,
  OrchestratorNames,
  splitFor,
  type HealthWaitInput,
  type HealthWaitResult,
  type RouteTrafficInput,
  type RouteTrafficResult,
} from '../../domain/deployment';
import type { RolloutStep } from '../../domain/rollout';
import { abortReason, unlessAborted, type RolloutRun, type StepResult } from './rolloutRun';

type Step<K extends RolloutStep['kind']> = Extract<RolloutStep, { kind: K }>;

/** Health-wait as its own orchestration (continued as new, so its history stays bounded). */
export function* healthGateStep(run: RolloutRun, step: Step<'healthGate'>, index: number): Generator<Task, StepResult, unknown> {
  const revisionName = run.facts.newRevision ?? '';
  const instance = step.successThreshold ? `${run.input.deploymentId}:health:${index}` : `${run.input.deploymentId}:health`;
  const wait = run.context.df.callSubOrchestrator(
    OrchestratorNames.healthWait,
    { spec: run.input.spec, revisionName, fqdn: run.facts.fqdn, successThreshold: step.successThreshold } satisfies HealthWaitInput,
    instance,
  );
  const outcome = yield* unlessAborted(run, wait);
  if (outcome.aborted) return { ok: false, aborted: true, reason: outcome.reason };
  const health = outcome.value as HealthWaitResult;
  if (health.verdict !== 'passed') return { ok: false, reason: health.reason };
  return { ok: true, detail: health.reason };
}

/** A person decides; health keeps being checked meanwhile, and no decision in time is a no. */
export function* approvalStep(run: RolloutRun, step: Step<'approval'>, why?: string): Generator<Task, StepResult, unknown> {
  const { context } = run;
  yield run.notify('awaiting-approval', why);
  const deadline = run.nowMs() + step.timeoutMinutes * 60_000;
  const approval = context.df.waitForExternalEvent(ApprovalEventName);
  for (;;) {
    // A decision or an abort that arrived during the health re-check below would never win a
    // new Task.any (it completes only on a child completing after it was made): look first.
    if (run.abort.isCompleted) return { ok: false, aborted: true, reason: abortReason(run) };
    if (!approval.isCompleted) {
      if (run.nowMs() >= deadline) return { ok: false, reason: `no approval within ${step.timeoutMinutes} min` };
      const tick = context.df.createTimer(new Date(Math.min(deadline, run.nowMs() + run.input.spec.health.intervalSeconds * 1000)));
      const winner = (yield context.df.Task.any([approval, tick, run.abort])) as Task;
      if (winner !== tick) tick.cancel();
      if (winner === run.abort) return { ok: false, aborted: true, reason: abortReason(run) };
    }
    if (approval.isCompleted) {
      const decided = approval.result as { approved: boolean; by?: string };
      const by = decided.by ? ` by ${decided.by}` : '';
      return decided.approved ? { ok: true, detail: `approved${by}` } : { ok: false, rejected: true, reason: `rejected${by}` };
    }
    const recheck = (yield context.df.callSubOrchestrator(
      OrchestratorNames.healthWait,
      { spec: run.input.spec, revisionName: run.facts.newRevision ?? '', fqdn: run.facts.fqdn, successThreshold: 1 } satisfies HealthWaitInput,
      `${run.input.deploymentId}:approval-health:${run.nowMs()}`,
    )) as HealthWaitResult;
    if (recheck.verdict !== 'passed') return { ok: false, failedCheck: true, reason: `health failed while waiting for approval: ${recheck.reason}` };
  }
}

/** Watch the new revision at its current weight before the next step. */
export function* pauseStep(run: RolloutRun, step: Step<'pause'>): Generator<Task, StepResult, unknown> {
  const timer = run.context.df.createTimer(new Date(run.nowMs() + step.seconds * 1000));
  const outcome = yield* unlessAborted(run, timer);
  if (outcome.aborted) {
    timer.cancel();
    return { ok: false, aborted: true, reason: outcome.reason };
  }
  return { ok: true, detail: `watched ${step.seconds} s` };
}

/** The new revision's share, through the traffic gate. Single mode: it has served 100 % since deploy. */
export function* setWeightStep(run: RolloutRun, step: Step<'setWeight'>): Generator<Task, StepResult, unknown> {
  const newRevision = run.facts.newRevision ?? '';
  if (run.facts.mode === 'Single') return { ok: true, detail: `100 % on ${newRevision} (single-revision mode: live since deploy)` };
  const routed = (yield run.call(A.routeTraffic, {
    app: run.input.spec.app,
    deploymentId: run.input.deploymentId,
    containerApp: run.input.spec.containerApp,
    traffic: splitFor(newRevision, run.facts.previousRevision, step.weight),
    at: run.now(),
  } satisfies RouteTrafficInput)) as RouteTrafficResult;
  if (!routed.ok) return { ok: false, reason: routed.reason };
  return { ok: true, detail: `${step.weight} % on ${newRevision}` };
}
