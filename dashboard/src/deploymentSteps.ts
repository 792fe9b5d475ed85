/** Reading a deployment record: where it is, what comes next, whether it has ended. */
import { describeStep, type RolloutStep } from '../../src/domain/rollout/rolloutPlan';
import { TERMINAL_PHASES } from '../../src/domain/deployment/deploymentModel';
import type { DeploymentPhase, DeploymentRecord } from './types';

export function isTerminal(phase: DeploymentPhase): boolean {
  return TERMINAL_PHASES.has(phase);
}

type RecordedStep = NonNullable<DeploymentRecord['rollout']>['steps'][number];

/** The prelude's steps in words; the others as the deployment record describes them. */
const PRELUDE_WORDS: Readonly<Record<string, string>> = {
  verify: 'verify the image',
  backup: 'back up the database',
  migrate: 'run the migration',
  deploy: 'create the new revision',
};

export function describeRolloutStep(step: RecordedStep): string {
  if (step.kind === 'setWeight') return `${step.weight ?? 100} % of traffic to the new revision`;
  // The record stores the compiled steps as they were: the server's own description applies.
  return PRELUDE_WORDS[step.kind] || describeStep(step as RolloutStep);
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
