/**
 * One deployment of one image to one app, as a loop over the rollout's steps: ask
 * `nextAction` (src/domain/rollout) what to do, do it through an activity, tell it what
 * happened, repeat. The decisions live in the domain; this file only acts and records.
 *
 * Deterministic: time comes from `context.df.currentUtcDateTime`, waiting from durable
 * timers, everything that touches the world is an activity.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import {
  ActivityNames as A,
  keepPreviousMinutes,
  type DeploymentPhase,
  type FinishDeploymentInput,
  type FinishDeploymentResult,
  type RolloutProgress,
  type StepName,
} from '../../domain/deployment';
import { describeStep, digestOfImage, nextAction, phaseOf, recordNameOf, skipReasonOf, startRollout, type RolloutAction, type RolloutState, type RolloutStep } from '../../domain/rollout';
import { activityFailureMessage } from '../activityFailure';
import { analysisStep, bakeStep } from './analysisSteps';
import { afterMigration, restorePrevious } from './compensation';
import { settle, settleTask } from './settle';
import { hookStep, onRollbackHooks } from './hookSteps';
import { createBackgroundMonitor } from './backgroundAnalysis';
import { backupStep, deployStep, migrateStep, verifyStep } from './preludeSteps';
import { abortReason, startRolloutRun, sweepNow, type RolloutRun, type StepResult } from './rolloutRun';
import { approvalStep, healthGateStep, pauseStep, setWeightStep } from './trafficSteps';
import { endAtWindow } from './windowGate';
import { admissionGate } from './admissionGate';

/**
 * The rollout version from which health that fails while a deployment waits for approval settles
 * the release `failed`, as at any health gate (it failed its checks). Deployments started before
 * settled it `rolled-back` and replay so.
 */
export const HEALTH_AT_APPROVAL_GATE_FAILS_RELEASE = 5;

export const deploymentOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, unknown, unknown> {
  const run = startRolloutRun(context);
  const { deploymentId } = run.input;
  // Only deployments with deploy windows (or an override) or in a limited environment have these steps, so the others replay as they always did.
  if (run.input.window || run.input.override || run.input.slots) {
    const admitted = yield* admissionGate(run, run.input, run.input.spec.app);
    if (!admitted.ok) return yield* endAtWindow(run, admitted);
  }
  let state = startRollout();
  let action: RolloutAction = nextAction(state, { kind: 'begin' }).action;
  // Records that need not hold up the rollout (a step's closing record, a skipped step, the
  // "started" notification) go out together with the next write the loop waits for: one round
  // trip instead of several. Their times are taken when they are made, so the record is exact.
  let buffered: Task[] = [run.notify('started')];
  const flush = (task?: Task): Task | undefined => {
    const tasks = task ? [...buffered, task] : buffered;
    buffered = [];
    return tasks.length === 0 ? undefined : tasks.length === 1 ? tasks[0] : run.context.df.Task.all(tasks);
  };
  let failedStep: StepName | undefined;
  let failedKind: RolloutStep['kind'] | undefined;
  const background = createBackgroundMonitor(run);
  run.background = background;
  while (action.kind === 'run') {
    if (background) yield* background.track(state.steps, action.index);
    const name = recordNameOf(state, action.index);
    const skip = skipReasonOf(action.step, run.input.spec);
    if (skip) {
      // Nothing to do for this app: one record, no activity.
      buffered.push(run.record({ step: { name, outcome: 'skipped', detail: skip }, phase: phaseOf(state, action.index), rollout: progressOf(state) }));
      ({ state, action } = nextAction(state, { kind: 'stepSucceeded' }));
      continue;
    }
    yield flush(run.record({ step: { name, outcome: 'running', detail: describeStep(action.step) }, phase: phaseOf(state, action.index), rollout: progressOf(state) }))!;
    const result: StepResult = run.abort.isCompleted ? { ok: false, aborted: true, reason: abortReason(run) } : yield* runStep(run, action.step, action.index);
    if (result.ok) {
      const next = nextAction(state, { kind: 'stepSucceeded', tail: result.tail });
      const closes = next.action.kind !== 'run' || recordNameOf(next.state, next.action.index) !== name;
      // The last step's record also says the deployment succeeded (one write, not two).
      if (closes) buffered.push(run.record({ step: { name, outcome: 'succeeded', detail: result.detail }, ...result.record, ...(next.action.kind === 'complete' ? { phase: 'succeeded' } : {}) }));
      ({ state, action } = next);
    } else {
      // A failed background check ends the step's wait like an abort, but it is a failed check.
      const backgroundFailure = result.aborted ? background?.failure : undefined;
      failedStep = name;
      // Health that failed at the approval gate is a failed health check (from version 5; before, the gate's own kind).
      const healthAtGate = !result.ok && result.failedCheck === true && (run.input.rolloutVersion ?? 1) >= HEALTH_AT_APPROVAL_GATE_FAILS_RELEASE;
      failedKind = backgroundFailure ? 'analysis' : healthAtGate ? 'healthGate' : action.step.kind;
      ({ state, action } = nextAction(state, result.aborted && !backgroundFailure ? { kind: 'aborted', reason: result.reason } : { kind: 'stepFailed', reason: backgroundFailure ?? result.reason, rejected: result.rejected, deployed: result.deployed }));
    }
  }
  if (background) yield* background.track(state.steps, state.steps.length);
  // On the way back, the undo goes before any record still waiting to be written.
  const unsent = flush();
  let phase: DeploymentPhase;
  if (action.kind === 'complete') {
    if (unsent) yield unsent;
    phase = yield* promoted(run);
  } else if (action.kind === 'rollBack') {
    phase = yield* rolledBack(run, action, failedStep ?? 'promote', failedChecks(failedKind, action) ? 'failed' : 'rolled-back', unsent);
  } else {
    if (unsent) yield unsent;
    phase = action.phase;
    yield run.step(failedStep ?? 'verify', 'failed', action.reason);
    yield run.record({ phase, reason: action.reason });
    yield run.notify('failed', action.reason);
  }

  const served = phase === 'succeeded' ? run.facts.imageRef : run.facts.previousImage;
  const finished = (yield run.call(A.finishDeployment, {
    deploymentId,
    app: run.input.spec.app,
    phase,
    digest: run.input.image.digest,
    servingDigest: digestOfImage(served),
    servingTag: phase === 'succeeded' ? run.input.image.tag : undefined,
  } satisfies FinishDeploymentInput)) as FinishDeploymentResult;

  if (phase === 'succeeded' || phase === 'rolled-back' || phase === 'rejected') yield* sweepNow(run);
  if (phase === 'succeeded') yield* retirePrevious(run);
  return { deploymentId, phase, previousRevision: run.facts.previousRevision, newRevision: run.facts.newRevision, next: finished.nextDeploymentId };
};

export function* runStep(run: RolloutRun, step: RolloutStep, index: number): Generator<Task, StepResult, unknown> {
  try {
    switch (step.kind) {
      case 'verify':
        return yield* verifyStep(run);
      case 'backup':
        return yield* backupStep(run);
      case 'migrate':
        return yield* migrateStep(run);
      case 'deploy':
        return yield* deployStep(run);
      case 'healthGate':
        return yield* healthGateStep(run, step, index);
      case 'approval':
        return yield* approvalStep(run, step);
      case 'pause':
        return yield* pauseStep(run, step);
      case 'setWeight':
        return yield* setWeightStep(run, step);
      case 'analysis':
        return yield* analysisStep(run, step, index);
      case 'bake':
        return yield* bakeStep(run, step, index);
      case 'hook':
        return yield* hookStep(run, step);
    }
  } catch (error) {
    // An activity that failed after its retries: the step failed, with the innermost reason.
    return { ok: false, reason: activityFailureMessage(error) };
  }
}

/** Every gate passed: the new release is verified and the one it replaced superseded. */
function* promoted(run: RolloutRun): Generator<Task, DeploymentPhase, unknown> {
  const { newRevision, previousRevision } = run.facts;
  const settled: Task[] = [];
  if (newRevision) settled.push(settleTask(run, newRevision, 'verified', 'passed every gate', ['pending']));
  if (previousRevision && previousRevision !== newRevision) settled.push(settleTask(run, previousRevision, 'superseded', `replaced by ${newRevision}`, ['verified', 'baseline']));
  settled.push(run.notify('succeeded'));
  yield run.context.df.Task.all(settled);
  return 'succeeded';
}

/** Undo first, record after: the app's traffic matters more than the record of it. */
function* rolledBack(run: RolloutRun, action: Extract<RolloutAction, { kind: 'rollBack' }>, failedStep: StepName, verdict: 'failed' | 'rolled-back', unsent: Task | undefined): Generator<Task, DeploymentPhase, unknown> {
  const undo = yield* restorePrevious(run);
  if (unsent) yield unsent;
  if (run.facts.newRevision) yield* settle(run, run.facts.newRevision, verdict, action.reason, ['pending', 'verified']);
  const schema = undo.ok ? yield* afterMigration(run) : undefined;
  yield run.step(failedStep, 'failed', action.reason);
  let phase: DeploymentPhase = action.phase;
  let reason = action.reason;
  if (undo.ok) {
    yield run.step('rollback', 'succeeded', schema ? `${undo.detail}; ${schema}` : undo.detail, 'rolling-back');
  } else {
    // Loud: the app may be serving from a revision that failed its checks.
    phase = 'failed';
    reason = `ROLLBACK FAILED (${undo.detail}) after: ${action.reason}`;
    yield run.step('rollback', 'failed', reason, 'rolling-back');
  }
  if (run.input.spec.hooks?.some((hook) => hook.phase === 'on-rollback')) yield* onRollbackHooks(run, reason);
  yield run.record({ phase, reason: schema ? `${reason}; ${schema}` : reason });
  yield run.notify(phase === 'failed' || phase === 'rejected' ? 'failed' : 'rolled-back', schema ? `${reason}; ${schema}` : reason);
  return phase;
}

/**
 * The previous revision stays active for a fast rollback; retire it once the window passes
 * (only if nothing routes to it by then: a person may have rolled back to it).
 */
function* retirePrevious(run: RolloutRun): Generator<Task, void, unknown> {
  const { previousRevision, mode } = run.facts;
  const keepMinutes = keepPreviousMinutes(run.input.spec.strategy);
  if (!previousRevision || mode !== 'Multiple' || keepMinutes <= 0) return;
  yield run.context.df.createTimer(new Date(run.nowMs() + keepMinutes * 60_000));
  const result = (yield run.call(A.deactivateRevision, { containerApp: run.input.spec.containerApp, revisionName: previousRevision, onlyIfIdle: true })) as { deactivated: boolean };
  if (result.deactivated) yield* settle(run, previousRevision, 'retired', `deactivated ${keepMinutes} min after promotion`, ['superseded']);
  yield run.step('retire-previous', 'succeeded', result.deactivated ? `${previousRevision} deactivated after ${keepMinutes} min` : `${previousRevision} kept: it has traffic`);
}

/** The release failed a check (health, analysis or a pre-traffic hook), as opposed to being rejected or aborted by a person. */
function failedChecks(kind: RolloutStep['kind'] | undefined, action: Extract<RolloutAction, { kind: 'rollBack' }>): boolean {
  if (kind === 'healthGate') return true;
  return (kind === 'analysis' || kind === 'bake' || kind === 'hook') && action.phase !== 'rejected' && !action.reason.startsWith('aborted: ');
}

function progressOf(state: RolloutState): RolloutProgress {
  return { steps: state.steps.map((s) => ({ ...s })), index: state.index };
}
