/**
 * The rollout's one decision function: given where a deployment is and what just happened,
 * what to do next. Pure; the orchestrator only loops: ask, act through an activity, tell.
 *
 * There is exactly one way out of a failure: if the deploy step changed the world, roll
 * back (compensate); if not, stop (nothing to undo). An abort (a manual rollback during the
 * deployment) takes the same path as a failed check.
 */
import type { DeploymentPhase, StepName } from '../deployment/deploymentModel';
import { PRELUDE, type RolloutStep } from './rolloutPlan';

export interface RolloutState {
  steps: RolloutStep[];
  /** The step running or about to run. */
  index: number;
  /** The deploy step created the new revision: a failure from here on is rolled back. */
  deployed: boolean;
}

export type RolloutEvent =
  | { kind: 'begin' }
  | { kind: 'stepSucceeded'; tail?: RolloutStep[] }
  /** `deployed`: the failed step left a new revision behind (a deploy whose answer was lost). */
  | { kind: 'stepFailed'; reason: string; rejected?: boolean; deployed?: boolean }
  | { kind: 'aborted'; reason: string };

export type RolloutAction =
  | { kind: 'run'; step: RolloutStep; index: number }
  | { kind: 'rollBack'; phase: 'rolled-back' | 'rejected'; reason: string }
  | { kind: 'stop'; phase: 'failed' | 'rejected'; reason: string }
  | { kind: 'complete' };

export function startRollout(): RolloutState {
  return { steps: [...PRELUDE], index: 0, deployed: false };
}

export function nextAction(state: RolloutState, event: RolloutEvent): { state: RolloutState; action: RolloutAction } {
  switch (event.kind) {
    case 'begin':
      return { state, action: runAt(state, state.index) };
    case 'stepSucceeded': {
      const finished = state.steps[state.index];
      const deployed = state.deployed || finished?.kind === 'deploy';
      // The deploy step knows the revision mode, so the steps after it are compiled from its result.
      const steps = finished?.kind === 'deploy' && event.tail ? [...state.steps.slice(0, state.index + 1), ...event.tail] : state.steps;
      const next: RolloutState = { steps, index: state.index + 1, deployed };
      if (next.index >= steps.length) return { state: next, action: { kind: 'complete' } };
      return { state: next, action: runAt(next, next.index) };
    }
    case 'stepFailed':
    case 'aborted': {
      const reason = event.kind === 'aborted' ? `aborted: ${event.reason}` : event.reason;
      const rejected = event.kind === 'stepFailed' && event.rejected === true;
      if (state.deployed || (event.kind === 'stepFailed' && event.deployed === true)) return { state, action: { kind: 'rollBack', phase: rejected ? 'rejected' : 'rolled-back', reason } };
      return { state, action: { kind: 'stop', phase: rejected ? 'rejected' : 'failed', reason } };
    }
  }
}

function runAt(state: RolloutState, index: number): RolloutAction {
  return { kind: 'run', step: state.steps[index], index };
}

/** The deployment phase while a step runs (the API's strings). */
export function phaseOf(state: RolloutState, index: number): DeploymentPhase {
  const step = state.steps[index];
  switch (step.kind) {
    case 'verify':
      return 'verifying';
    case 'backup':
      return 'backing-up';
    case 'migrate':
      return 'migrating';
    case 'deploy':
      return 'deploying';
    case 'approval':
      return 'awaiting-approval';
    case 'healthGate':
    case 'hook':
      return promoting(state, index) ? 'promoting' : 'health-waiting';
    default:
      return 'promoting';
  }
}

/**
 * The step name the deployment record uses. Every step from the first traffic change on is
 * part of `promote` (its detail says which weight or check), so the record reads the same
 * for every strategy.
 */
export function recordNameOf(state: RolloutState, index: number): StepName {
  const step = state.steps[index];
  switch (step.kind) {
    case 'verify':
      return 'verify';
    case 'backup':
      return 'backup';
    case 'migrate':
      return 'migration';
    case 'deploy':
      return 'deploy';
    case 'approval':
      return 'approval';
    case 'bake':
      return 'bake';
    case 'hook':
      return step.phase;
    case 'healthGate':
      return promoting(state, index) ? 'promote' : 'health-wait';
    default:
      return 'promote';
  }
}

/** The first step of the `promote` record opens it; the last one closes it. */
export function opensPromotion(state: RolloutState, index: number): boolean {
  return recordNameOf(state, index) === 'promote' && !promoting(state, index);
}

function promoting(state: RolloutState, index: number): boolean {
  return state.steps.slice(0, index).some((s) => s.kind === 'setWeight');
}
