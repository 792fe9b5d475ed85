/** Reading a deployment record: where it is, what comes next, whether it has ended. */
import type { DeploymentPhase, DeploymentRecord } from './types';

const TERMINAL: ReadonlySet<DeploymentPhase> = new Set(['succeeded', 'rolled-back', 'failed', 'superseded', 'rejected']);

export function isTerminal(phase: DeploymentPhase): boolean {
  return TERMINAL.has(phase);
}

type RolloutStep = NonNullable<DeploymentRecord['rollout']>['steps'][number];

/** One rollout step in words (as the server's describeStep reads). */
export function describeRolloutStep(step: RolloutStep): string {
  switch (step.kind) {
    case 'verify':
      return 'verify the image';
    case 'backup':
      return 'back up the database';
    case 'migrate':
      return 'run the migration';
    case 'deploy':
      return 'create the new revision';
    case 'setWeight':
      return `${step.weight} % of traffic to the new revision`;
    case 'pause':
      return `watch for ${step.seconds} s`;
    case 'healthGate':
      return step.successThreshold ? `health re-check (${step.successThreshold} success)` : 'health gate';
    case 'approval':
      return `approval within ${step.timeoutMinutes} min`;
    case 'analysis':
      return `analysis at ${step.weight} %`;
    case 'bake':
      return `bake for ${step.seconds} s with analysis`;
    default:
      return step.kind;
  }
}

/** The step running now, in words ("health gate"), or undefined when none is. */
export function currentStepOf(record: DeploymentRecord): string | undefined {
  if (isTerminal(record.phase)) return undefined;
  const rolloutStep = record.rollout?.steps[record.rollout.index];
  if (rolloutStep) return describeRolloutStep(rolloutStep);
  const running = [...record.steps].reverse().find((s) => s.outcome === 'running');
  return running?.step;
}

/** The rollout steps after the one running: what an approval lets happen. */
export function stepsAfterCurrent(record: DeploymentRecord): string[] {
  if (!record.rollout) return [];
  return record.rollout.steps.slice(record.rollout.index + 1).map(describeRolloutStep);
}
