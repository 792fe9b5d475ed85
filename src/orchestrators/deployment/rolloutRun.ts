/**
 * What every step of a deployment orchestration shares: the orchestration context, the
 * deployment's input, the facts earlier steps learned, and small helpers to record, notify
 * and call activities. Orchestrator code: deterministic, no I/O.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, RetryOptions, Task } from 'durable-functions';
import {
  AbortEventName,
  ActivityNames as A,
  type AbortEvent,
  type DeploymentInput,
  type DeploymentPhase,
  type NotifyDeploymentInput,
  type RecordDeploymentInput,
  type StepName,
  type StepOutcome,
} from '../../domain/deployment';
import type { RolloutStep } from '../../domain/rollout';
import { SweepActivityNames, type SweepAppInput } from '../../domain/health/sweepContracts';
import type { BackgroundMonitor } from './backgroundAnalysis';

/** What the steps learn as they go, read by later steps and by the compensation. */
export interface RolloutFacts {
  digest?: string;
  /** `registry/repository@sha256:…`: what the new revision runs. */
  imageRef?: string;
  mode?: 'Single' | 'Multiple';
  previousRevision?: string;
  previousImage?: string;
  newRevision?: string;
  fqdn?: string;
  backupId?: string;
  migrationExecution?: string;
}

export type StepResult =
  /** `record`: fields the step's closing record carries (the deploy step's revisions). */
  | { ok: true; detail?: string; tail?: RolloutStep[]; record?: { previousRevision?: string; newRevision?: string } }
  /**
   * `deployed`: the step failed, yet left a new revision that has to be undone (see deployStep).
   * `failedCheck`: the release failed a check of its own inside a step that is not itself a check
   * (its health, re-checked while it waits for approval), so its verdict is `failed`.
   */
  | { ok: false; reason: string; rejected?: boolean; aborted?: boolean; deployed?: boolean; failedCheck?: boolean };

export interface RolloutRun {
  readonly context: OrchestrationContext;
  readonly input: DeploymentInput;
  readonly retry: RetryOptions;
  /** Completes when a manual rollback aborts this deployment. */
  readonly abort: Task;
  readonly facts: RolloutFacts;
  /** The canary's background checks, when the app has any (see backgroundAnalysis.ts). */
  background?: BackgroundMonitor;
  now(): string;
  nowMs(): number;
  call(activity: string, input: unknown): Task;
  record(fields: Omit<RecordDeploymentInput, 'deploymentId' | 'app' | 'at'>): Task;
  step(name: StepName, outcome: StepOutcome, detail?: string, phase?: DeploymentPhase): Task;
  notify(event: NotifyDeploymentInput['event'], reason?: string): Task;
}

/** Transient failures (ARM 429/5xx after the SDK's own retries, timeouts) get a few more tries. */
export function armRetry(): RetryOptions {
  const retry = new df.RetryOptions(2_000, 5);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 30_000;
  return retry;
}

export function startRolloutRun(context: OrchestrationContext): RolloutRun {
  const input = context.df.getInput() as DeploymentInput;
  const retry = armRetry();
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const call = (activity: string, activityInput: unknown): Task => context.df.callActivityWithRetry(activity, retry, activityInput);
  const record = (fields: Omit<RecordDeploymentInput, 'deploymentId' | 'app' | 'at'>): Task =>
    call(A.recordDeployment, { deploymentId: input.deploymentId, app: input.spec.app, at: now(), ...fields } satisfies RecordDeploymentInput);
  return {
    context,
    input,
    retry,
    abort: context.df.waitForExternalEvent(AbortEventName),
    facts: {},
    now,
    nowMs: () => context.df.currentUtcDateTime.getTime(),
    call,
    record,
    step: (name, outcome, detail, phase) => record({ step: { name, outcome, detail }, phase }),
    notify: (event, reason) =>
      context.df.callActivity(A.notifyDeployment, {
        deploymentId: input.deploymentId,
        app: input.spec.app,
        channels: input.spec.notify,
        event,
        image: input.image,
        reason,
      } satisfies NotifyDeploymentInput),
  };
}

/**
 * Waits for `task` unless a manual rollback aborts the deployment first, or a background check
 * fails (its measurements are taken here while the canary waits). A timer left behind is
 * cancelled by the caller.
 *
 * `Task.any` completes only when a child completes after it was created: an abort that arrived
 * earlier (while another step ran), or a task or background timer that completed while a
 * background measurement was taken, would never win it. So look first, every time round.
 */
export function* unlessAborted(run: RolloutRun, task: Task): Generator<Task, { aborted: false; value: unknown } | { aborted: true; reason: string }, unknown> {
  for (;;) {
    if (run.abort.isCompleted) return { aborted: true, reason: abortReason(run) };
    if (run.background?.failure) return { aborted: true, reason: run.background.failure };
    if (task.isCompleted) return { aborted: false, value: task.result };
    const tick = run.background?.nextTimer();
    if (tick?.isCompleted) {
      yield* run.background!.measure();
      continue;
    }
    const winner = (yield run.context.df.Task.any(tick ? [task, run.abort, tick] : [task, run.abort])) as Task;
    if (winner === run.abort) return { aborted: true, reason: abortReason(run) };
    if (tick && winner === tick) {
      yield* run.background!.measure();
      continue;
    }
    return { aborted: false, value: task.result };
  }
}

export function abortReason(run: RolloutRun): string {
  const event = run.abort.result as AbortEvent | undefined;
  return `${event?.reason ?? 'manual rollback'}${event?.by ? ` (by ${event.by})` : ''}`;
}

/**
 * What serves changed: sweep the app now, so its status shows the health of what serves
 * rather than what served until the next scheduled sweep. Best effort: the sweep's own trouble
 * never changes the outcome of the deployment.
 */
export function* sweepNow(run: RolloutRun): Generator<Task, void, unknown> {
  try {
    yield run.context.df.callActivity(SweepActivityNames.sweepApp, { app: run.input.spec.app, afterDeploymentId: run.input.deploymentId } satisfies SweepAppInput);
  } catch {
    // The next scheduled sweep judges the app.
  }
}
