/**
 * What a replay did, in order: every activity run (with its input and answer), every timer that
 * fired, every external event delivered, every sub-orchestration and continue-as-new. Tests
 * assert on it; it is the orchestrator's decisions as the world saw them.
 */
export type TraceEntry =
  | { kind: 'activity'; instanceId: string; name: string; input: any; attempt: number; at: string; result?: any; failure?: string }
  | { kind: 'timer'; instanceId: string; fireAt: string }
  | { kind: 'event'; instanceId: string; name: string; data: unknown; at: string }
  | { kind: 'subOrchestration'; instanceId: string; parentId: string; name: string; input: any; status: string; output?: any; error?: string; at: string; endedAt: string }
  | { kind: 'continuedAsNew'; instanceId: string; input: any; at: string };

export type ActivityEntry = Extract<TraceEntry, { kind: 'activity' }>;

export class ReplayTrace {
  readonly entries: TraceEntry[] = [];

  add(entry: TraceEntry): void {
    this.entries.push(entry);
  }

  /** Activity runs in the order they ran (retries included), optionally of one name. */
  activities(name?: string): ActivityEntry[] {
    return this.entries.filter((e): e is ActivityEntry => e.kind === 'activity' && (name === undefined || e.name === name));
  }

  /** The inputs of one activity's runs, in order. */
  inputsOf(name: string): any[] {
    return this.activities(name).map((e) => e.input);
  }

  /** Names of the activities that ran, in order, without those named in `except` (bookkeeping). */
  activityNames(except: readonly string[] = []): string[] {
    return this.activities()
      .map((e) => e.name)
      .filter((name) => !except.includes(name));
  }

  /** Whether an activity ran, optionally with an input that satisfies `matches`. */
  ran(name: string, matches: (input: any) => boolean = () => true): boolean {
    return this.activities(name).some((e) => matches(e.input));
  }

  /** Fire times of the timers that fired, in order (ISO). */
  timers(instanceId?: string): string[] {
    return this.entries.filter((e): e is Extract<TraceEntry, { kind: 'timer' }> => e.kind === 'timer' && (instanceId === undefined || e.instanceId === instanceId)).map((e) => e.fireAt);
  }

  subOrchestrations(name?: string): Array<Extract<TraceEntry, { kind: 'subOrchestration' }>> {
    return this.entries.filter((e): e is Extract<TraceEntry, { kind: 'subOrchestration' }> => e.kind === 'subOrchestration' && (name === undefined || e.name === name));
  }

  /** Position of the first entry that satisfies `matches` (-1 when none): for "A before B" assertions. */
  indexOf(matches: (entry: TraceEntry) => boolean): number {
    return this.entries.findIndex(matches);
  }
}
