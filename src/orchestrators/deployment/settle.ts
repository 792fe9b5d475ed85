/** Settling a release's verdict in the ledger, from any orchestration that judged it. */
import type { Task } from 'durable-functions';
import { ActivityNames as A, type SettleReleaseInput } from '../../domain/deployment';
import type { ReleaseVerdict } from '../../domain/rollout';
import type { RolloutRun } from './rolloutRun';

/** `only`: the verdicts it may replace (a verdict settled by someone else is left alone). */
export function* settle(run: RolloutRun, revisionName: string, verdict: ReleaseVerdict, reason: string | undefined, only?: ReleaseVerdict[]): Generator<Task, void, unknown> {
  yield settleTask(run, revisionName, verdict, reason, only);
}

/** The settle activity as a task, to run beside others in one `Task.all`. */
export function settleTask(run: RolloutRun, revisionName: string, verdict: ReleaseVerdict, reason: string | undefined, only?: ReleaseVerdict[]): Task {
  return run.call(A.settleRelease, { app: run.input.spec.app, revisionName, verdict, reason, only, at: run.now() } satisfies SettleReleaseInput);
}
