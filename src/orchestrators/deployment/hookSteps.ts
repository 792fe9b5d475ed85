/**
 * Hooks as rollout steps: `pre-traffic` (a smoke test at 0 %: a failure rolls back before any
 * user saw the release) and `post-promotion` (recorded, never rolls back a promoted release);
 * and `on-rollback`, run on the way back after traffic is restored. An HTTP hook is one
 * activity; a job hook is an execution started once and watched with durable timers, stopped
 * at its deadline.
 */
import type { Task } from 'durable-functions';
import {
  ActivityNames as A,
  pinnedImage,
  type CallHookInput,
  type GetMigrationStatusInput,
  type MigrationStatus,
  type StartHookJobInput,
  type StartHookJobResult,
} from '../../domain/deployment';
import { hooksOf, type HookEvent, type HookOutcome, type HookPhase, type HookSpec, type JobHookSpec } from '../../domain/hooks';
import type { RolloutStep } from '../../domain/rollout';
import { activityFailureMessage } from '../activityFailure';
import { unlessAborted, type RolloutRun, type StepResult } from './rolloutRun';

type Step<K extends RolloutStep['kind']> = Extract<RolloutStep, { kind: K }>;
type Aborted = { aborted: true; reason: string };

export function* hookStep(run: RolloutRun, step: Step<'hook'>): Generator<Task, StepResult, unknown> {
  // Single-revision apps have no 0 % revision: their "pre-traffic" hook runs on a live release.
  const live = step.phase === 'pre-traffic' && run.facts.mode === 'Single' ? ' (single-revision mode: live since deploy)' : '';
  const where = `${step.phase} hook ${step.hook}${live}`;
  const hook = run.input.spec.hooks?.find((h) => h.name === step.hook && h.phase === step.phase);
  if (!hook) return { ok: false, reason: `${where} is not in the deployment's configuration` };
  const outcome = yield* runHook(run, hook, hookEvent(run, hook), true);
  if ('aborted' in outcome) return { ok: false, aborted: true, reason: outcome.reason };
  if (outcome.ok) return { ok: true, detail: `${where}: ${outcome.detail}` };
  if (step.phase === 'pre-traffic') return { ok: false, reason: `${where} failed: ${outcome.reason}` };
  return { ok: true, detail: `${where} FAILED: ${outcome.reason} (a post-promotion hook does not roll back a promoted release)` };
}

/** After a rollback restored traffic: each on-rollback hook, its outcome recorded (it changes nothing else). */
export function* onRollbackHooks(run: RolloutRun, reason: string): Generator<Task, void, unknown> {
  for (const hook of hooksOf(run.input.spec.hooks, 'on-rollback')) {
    yield run.step('on-rollback', 'running', `${hook.kind} hook ${hook.name}`);
    let outcome: HookOutcome;
    try {
      const ran = yield* runHook(run, hook, { ...hookEvent(run, hook), reason }, false);
      outcome = 'aborted' in ran ? { ok: false, reason: ran.reason } : ran;
    } catch (error) {
      outcome = { ok: false, reason: activityFailureMessage(error) };
    }
    yield run.step('on-rollback', outcome.ok ? 'succeeded' : 'failed', `${hook.name}: ${outcome.ok ? outcome.detail : outcome.reason}`);
  }
}

function* runHook(run: RolloutRun, hook: HookSpec, event: HookEvent, abortable: boolean): Generator<Task, HookOutcome | Aborted, unknown> {
  if (hook.kind === 'http') {
    // No durable retries: the activity tries within the hook's own budget and says how it went.
    return (yield run.context.df.callActivity(A.callHook, { hook, event } satisfies CallHookInput)) as HookOutcome;
  }
  return yield* runJobHook(run, hook, event, abortable);
}

function* runJobHook(run: RolloutRun, hook: JobHookSpec, event: HookEvent, abortable: boolean): Generator<Task, HookOutcome | Aborted, unknown> {
  const { spec } = run.input;
  const started = (yield run.call(A.startHookJob, { hook, containerApp: spec.containerApp, image: event.release.image, event } satisfies StartHookJobInput)) as StartHookJobResult;
  if (!started.ok) return { ok: false, reason: started.reason };
  const { executionName, link } = started;
  const execution = { containerApp: spec.containerApp, jobName: hook.jobName, executionName } satisfies GetMigrationStatusInput;
  const deadline = run.nowMs() + hook.timeoutSeconds * 1000;
  const pollMs = Math.min(5_000, spec.health.intervalSeconds * 1000);
  let status: MigrationStatus = { status: 'Running' };
  while (isRunning(status)) {
    if (run.nowMs() >= deadline) {
      status = (yield run.call(A.stopMigration, execution)) as MigrationStatus;
      return { ok: false, reason: `execution ${executionName} did not finish within ${hook.timeoutSeconds} s; stopped (${status.status}); logs: ${link}`, execution: executionName, link };
    }
    const timer = run.context.df.createTimer(new Date(Math.min(deadline, run.nowMs() + pollMs)));
    if (abortable) {
      const waited = yield* unlessAborted(run, timer);
      if (waited.aborted) {
        timer.cancel();
        yield run.call(A.stopMigration, execution);
        return waited;
      }
    } else {
      yield timer;
    }
    status = (yield run.call(A.getMigrationStatus, execution)) as MigrationStatus;
  }
  if (status.status === 'Succeeded') return { ok: true, detail: `execution ${executionName} Succeeded (exit 0); logs: ${link}`, execution: executionName, link };
  return { ok: false, reason: `execution ${executionName} ${status.status}${status.reason ? `: ${status.reason}` : ''}; logs: ${link}`, execution: executionName, link };
}

function hookEvent(run: RolloutRun, hook: { name: string; phase: HookPhase }): HookEvent {
  const { spec, image, deploymentId } = run.input;
  const digest = run.facts.digest ?? image.digest;
  return {
    app: spec.app,
    deploymentId,
    phase: hook.phase,
    hook: hook.name,
    release: { tag: image.tag, digest, image: run.facts.imageRef ?? pinnedImage({ ...image, digest }) },
    revision: run.facts.newRevision ?? '',
    revisionFqdn: run.facts.fqdn,
    previousRevision: run.facts.previousRevision,
  };
}

function isRunning(status: MigrationStatus): boolean {
  return status.status === 'Running' || status.status === 'Processing' || status.status === 'Unknown';
}
