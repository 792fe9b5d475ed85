/**
 * How traffic moves from the previous revision to the new one, per strategy.
 * Each step is the new revision's percentage; the previous revision gets the rest.
 */
export type DeployStrategy =
  | { kind: 'direct' }
  | { kind: 'blue-green'; keepPreviousMinutes?: number }
  | { kind: 'canary'; steps: number[]; stepWaitSeconds?: number; keepPreviousMinutes?: number };

export interface TrafficStep {
  newWeight: number;
  /** Seconds to watch health at this weight before the next step (0 for the last). */
  watchSeconds: number;
}

export function trafficStepsFor(strategy: DeployStrategy): TrafficStep[] {
  if (strategy.kind !== 'canary') return [{ newWeight: 100, watchSeconds: 0 }];
  const steps = [...strategy.steps];
  if (steps[steps.length - 1] !== 100) steps.push(100);
  return steps.map((weight, index) => ({ newWeight: weight, watchSeconds: index === steps.length - 1 ? 0 : strategy.stepWaitSeconds ?? 60 }));
}

export function splitFor(newRevision: string, previousRevision: string | undefined, newWeight: number): Array<{ revisionName: string; weight: number }> {
  if (!previousRevision || newWeight >= 100) return [{ revisionName: newRevision, weight: 100 }];
  return [
    { revisionName: previousRevision, weight: 100 - newWeight },
    { revisionName: newRevision, weight: newWeight },
  ];
}

/** Minutes the previous revision stays active after promotion, for a fast rollback. */
export function keepPreviousMinutes(strategy: DeployStrategy): number {
  if (strategy.kind === 'direct') return 0;
  return strategy.keepPreviousMinutes ?? 30;
}
