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
import type { HookPhase } from '../hooks/hookSpec';

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
  | { kind: 'pause'; seconds: number }
  /** The app's analysis checks, run once at the current weight (a canary step). */
  | { kind: 'analysis'; weight: number }
  /** After promotion: the checks measured for `seconds` while the previous revision stays active. */
  | { kind: 'bake'; seconds: number }
  /** One of the app's hooks: `pre-traffic` at 0 % before any user traffic, `post-promotion` once promoted. */
  | { kind: 'hook'; phase: Exclude<HookPhase, 'on-rollback'>; hook: string };

export type RolloutStepKind = RolloutStep['kind'];

export const PRELUDE: readonly RolloutStep[] = [{ kind: 'verify' }, { kind: 'backup' }, { kind: 'migrate' }, { kind: 'deploy' }];

export interface RolloutPolicy {
  strategy: DeployStrategy;
  approval: { required: boolean; timeoutMinutes: number };
  /** Absent or without checks: no analysis steps (what every app compiled to before analysis existed). */
  analysis?: { checks: ReadonlyArray<{ name: string; background?: boolean }>; canarySteps: boolean; bakeSeconds: number };
  /** Absent or empty: no hook steps (what every app compiled to before hooks existed). */
  hooks?: ReadonlyArray<{ name: string; phase: HookPhase }>;
}

/**
 * The steps after deploy. Multiple mode: health at 0 %, the approval gate, then the weights
 * (a canary pauses and re-checks health at each one). Single mode: the new revision already
 * serves, so health is judged on live traffic and the only weight is the 100 % it has.
 * With analysis checks, each canary wait is followed by an analysis, and promotion by a bake.
 * Pre-traffic hooks run once the revision is healthy, before approval and any traffic;
 * post-promotion hooks once it serves everything (after the bake).
 */
export function compileRolloutTail(policy: RolloutPolicy, mode: 'Single' | 'Multiple'): RolloutStep[] {
  const steps: RolloutStep[] = [{ kind: 'healthGate' }];
  for (const hook of policy.hooks ?? []) if (hook.phase === 'pre-traffic') steps.push({ kind: 'hook', phase: 'pre-traffic', hook: hook.name });
  if (policy.approval.required) steps.push({ kind: 'approval', timeoutMinutes: policy.approval.timeoutMinutes });
  const strategy = policy.strategy;
  const analysis = policy.analysis && policy.analysis.checks.length > 0 ? policy.analysis : undefined;
  if (mode === 'Multiple' && strategy.kind === 'canary') {
    const weights = strategy.steps.filter((w) => w > 0 && w < 100);
    const wait = strategy.stepWaitSeconds ?? 60;
    for (const weight of weights) {
      steps.push({ kind: 'setWeight', weight });
      if (wait > 0) steps.push({ kind: 'pause', seconds: wait });
      // Background checks run alongside the steps (see backgroundWindow), not at each of them.
      if (analysis?.canarySteps && analysis.checks.some((check) => !check.background)) steps.push({ kind: 'analysis', weight });
      steps.push({ kind: 'healthGate', successThreshold: 1 });
    }
  }
  steps.push({ kind: 'setWeight', weight: 100 });
  if (analysis && analysis.bakeSeconds > 0) steps.push({ kind: 'bake', seconds: analysis.bakeSeconds });
  for (const hook of policy.hooks ?? []) if (hook.phase === 'post-promotion') steps.push({ kind: 'hook', phase: 'post-promotion', hook: hook.name });
  return steps;
}

/**
 * Where a canary's background checks run: the steps after its first weight was set, up to (not
 * including) the promotion to 100 %. Undefined when the rollout has no canary weights.
 */
export function backgroundWindow(steps: readonly RolloutStep[]): { from: number; to: number } | undefined {
  const first = steps.findIndex((s) => s.kind === 'setWeight' && s.weight < 100);
  const promotion = steps.findIndex((s) => s.kind === 'setWeight' && s.weight === 100);
  if (first < 0 || promotion < first) return undefined;
  return { from: first + 1, to: promotion };
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
    case 'analysis':
      return `analysis at ${step.weight} %`;
    case 'bake':
      return `bake for ${step.seconds} s with analysis (previous revision kept active)`;
    case 'hook':
      return `${step.phase} hook ${step.hook}`;
    default:
      return step.kind;
  }
}

/**
 * Why a prelude step has nothing to do for this app, or undefined when it runs. Decided before
 * the step starts, so a skipped step costs one record and no activity.
 */
export function skipReasonOf(step: RolloutStep, app: { database?: string; migration?: unknown }): string | undefined {
  if (step.kind === 'backup' && !(app.database && app.migration)) return app.database ? 'no migration configured' : 'no database configured';
  if (step.kind === 'migrate' && !app.migration) return 'no migration configured';
  return undefined;
}
