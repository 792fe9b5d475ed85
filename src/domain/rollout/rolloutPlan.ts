/**
 * A rollout as data: the strategy compiled into a list of steps, stored with the deployment
 * with its current index. The orchestrator runs one step at a time and asks `nextAction`
 * what comes next; adding a step kind adds a case here and an executor, not a branch in a
 * generator.
 *
 * The plan has two parts: the prelude every deployment runs (verify, backup, migrate,
 * deploy), and the tail that moves traffic, compiled once the deploy step has seen the app's
 * revision mode (single-revision apps have no 0 % revision: the new one is live at once).
 */
import type { DeployStrategy } from '../deployment/trafficPlan';

export type RolloutStep =
  | { kind: 'verify' }
  | { kind: 'backup' }
  | { kind: 'migrate' }
  | { kind: 'deploy' }
  /** The new revision must prove healthy; `successThreshold` overrides the app's (1 for a re-check at a canary step). */
  | { kind: 'healthGate'; successThreshold?: number }
  | { kind: 'approval'; timeoutMinutes: number }
  /** The new revision's share of traffic, through the traffic gate. */
  | { kind: 'setWeight'; weight: number }
  | { kind: 'pause'; seconds: number };

export type RolloutStepKind = RolloutStep['kind'];

export const PRELUDE: readonly RolloutStep[] = [{ kind: 'verify' }, { kind: 'backup' }, { kind: 'migrate' }, { kind: 'deploy' }];

export interface RolloutPolicy {
  strategy: DeployStrategy;
  approval: { required: boolean; timeoutMinutes: number };
}

/**
 * The steps after deploy. Multiple mode: health at 0 %, the approval gate, then the weights
 * (a canary pauses and re-checks health at each one). Single mode: the new revision already
 * serves, so health is judged on live traffic and the only weight is the 100 % it has.
 */
export function compileRolloutTail(policy: RolloutPolicy, mode: 'Single' | 'Multiple'): RolloutStep[] {
  const steps: RolloutStep[] = [{ kind: 'healthGate' }];
  if (policy.approval.required) steps.push({ kind: 'approval', timeoutMinutes: policy.approval.timeoutMinutes });
  const strategy = policy.strategy;
  if (mode === 'Multiple' && strategy.kind === 'canary') {
    const weights = strategy.steps.filter((w) => w > 0 && w < 100);
    const wait = strategy.stepWaitSeconds ?? 60;
    for (const weight of weights) {
      steps.push({ kind: 'setWeight', weight });
      if (wait > 0) steps.push({ kind: 'pause', seconds: wait });
      steps.push({ kind: 'healthGate', successThreshold: 1 });
    }
  }
  steps.push({ kind: 'setWeight', weight: 100 });
  return steps;
}

/** The whole plan, once the mode is known (what the deployment record shows). */
export function compileRollout(policy: RolloutPolicy, mode: 'Single' | 'Multiple'): RolloutStep[] {
  return [...PRELUDE, ...compileRolloutTail(policy, mode)];
}

/** A short human description of a step, for the deployment record. */
export function describeStep(step: RolloutStep): string {
  switch (step.kind) {
    case 'setWeight':
      return `${step.weight} % to the new revision`;
    case 'pause':
      return `watch for ${step.seconds} s`;
    case 'healthGate':
      return step.successThreshold ? `health re-check (${step.successThreshold} success)` : 'health gate';
    case 'approval':
      return `approval within ${step.timeoutMinutes} min`;
    default:
      return step.kind;
  }
}
