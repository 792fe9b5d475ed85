/**
 * The deploy window, before anything else a deployment does: outside the allowed hours it
 * waits on a durable timer until they open (visible as `waiting-for-window` with the opening
 * time), a freeze refuses with its reason, a newer request queued behind it supersedes it, and
 * a person's override lets it go at once (recorded and notified).
 *
 * Only deployments whose app, group or configuration has windows or freezes run this; the
 * way back (compensation, manual rollback) never does, so a rollback is never held by a window.
 */
import type { Task } from 'durable-functions';
import { ActivityNames as A, SupersedeEventName, WindowOverrideEventName, type AbortEvent, type DeploymentPhase, type FinishDeploymentInput, type SupersedeEvent, type WindowOverride } from '../../domain/deployment';
import { judgeDeployWindow, type DeployCalendar } from '../../domain/schedule/deployWindow';
import type { RolloutRun } from './rolloutRun';

export type WindowOutcome = { ok: true; overridden?: boolean } | { ok: false; phase: Extract<DeploymentPhase, 'rejected' | 'superseded' | 'failed'>; reason: string };

/** What the gate needs of a run: a single app's or a release group's. */
export type WindowRun = Pick<RolloutRun, 'context' | 'abort' | 'record' | 'notify' | 'nowMs'>;

/** The events a waiting deployment listens for; a caller that waits for the window more than once passes one pair for every wait. */
export interface WindowEvents {
  superseding: Task;
  overriding: Task;
}

export function* windowGate(run: WindowRun, calendars: readonly DeployCalendar[], override: WindowOverride | undefined, events?: WindowEvents): Generator<Task, WindowOutcome, unknown> {
  const { context } = run;
  if (override) return yield* overridden(run, calendars, override);
  const superseding = events?.superseding ?? context.df.waitForExternalEvent(SupersedeEventName);
  const overriding = events?.overriding ?? context.df.waitForExternalEvent(WindowOverrideEventName);
  let waited = false;
  for (;;) {
    const verdict = judgeDeployWindow(calendars, context.df.currentUtcDateTime);
    if (verdict.kind === 'open') {
      if (waited) yield run.record({ step: { name: 'window', outcome: 'succeeded', detail: `window open at ${context.df.currentUtcDateTime.toISOString()}` } });
      return { ok: true };
    }
    if (verdict.kind === 'frozen' || verdict.kind === 'never') {
      yield run.record({ step: { name: 'window', outcome: 'failed', detail: verdict.reason } });
      return { ok: false, phase: 'rejected', reason: verdict.reason };
    }
    if (!waited) {
      waited = true;
      const detail = `waiting until ${verdict.opensAt}: ${verdict.reason}`;
      yield context.df.Task.all([
        run.record({ step: { name: 'window', outcome: 'running', detail }, phase: 'waiting-for-window', opensAt: verdict.opensAt, reason: detail }),
        run.notify('waiting-for-window', detail),
      ]);
    }
    // An event that came while something else was awaited would never win a new Task.any: look first.
    if (superseding.isCompleted) return superseded(superseding);
    if (overriding.isCompleted) return yield* overridden(run, calendars, overriding.result as WindowOverride, 'verifying');
    if (run.abort.isCompleted) return { ok: false, phase: 'failed', reason: `aborted while waiting for the deploy window: ${abortedBy(run)}` };
    const timer = context.df.createTimer(new Date(Math.max(Date.parse(verdict.opensAt), run.nowMs() + 1000)));
    const winner = (yield context.df.Task.any([timer, superseding, overriding, run.abort])) as Task;
    if (winner !== timer) timer.cancel();
    if (winner === superseding) return superseded(superseding);
    if (winner === overriding) return yield* overridden(run, calendars, overriding.result as WindowOverride, 'verifying');
    if (winner === run.abort) return { ok: false, phase: 'failed', reason: `aborted while waiting for the deploy window: ${abortedBy(run)}` };
  }
}

/** A person's override: recorded as the window step's outcome and sent to the channels. */
function* overridden(run: WindowRun, calendars: readonly DeployCalendar[], override: WindowOverride, phase?: DeploymentPhase): Generator<Task, WindowOutcome, unknown> {
  const { context } = run;
  const verdict = judgeDeployWindow(calendars, context.df.currentUtcDateTime);
  const what = verdict.kind === 'open' ? 'inside the window anyway' : verdict.reason;
  const detail = `overridden${override.by ? ` by ${override.by}` : ''}: ${override.reason} (${what})`;
  yield context.df.Task.all([run.record({ step: { name: 'window', outcome: 'succeeded', detail }, ...(phase ? { phase } : {}) }), run.notify('window-overridden', detail)]);
  return { ok: true, overridden: true };
}

function abortedBy(run: WindowRun): string {
  const event = run.abort.result as AbortEvent | undefined;
  return `${event?.reason ?? 'manual rollback'}${event?.by ? ` (by ${event.by})` : ''}`;
}

/**
 * A single app's deployment that ended at its window (refused, superseded, aborted): nothing
 * changed in the world, so it records, tells the channels when it was refused, and hands the
 * app's queue on.
 */
export function* endAtWindow(run: RolloutRun, outcome: Extract<WindowOutcome, { ok: false }>): Generator<Task, unknown, unknown> {
  const { deploymentId, spec, image } = run.input;
  yield run.record({ phase: outcome.phase, reason: outcome.reason });
  if (outcome.phase !== 'superseded') yield run.notify('failed', outcome.reason);
  const finished = (yield run.call(A.finishDeployment, { deploymentId, app: spec.app, phase: outcome.phase, digest: image.digest } satisfies FinishDeploymentInput)) as { nextDeploymentId?: string };
  return { deploymentId, phase: outcome.phase, next: finished.nextDeploymentId };
}

function superseded(event: Task): WindowOutcome {
  const by = (event.result as SupersedeEvent | undefined)?.by;
  return { ok: false, phase: 'superseded', reason: `superseded while waiting for the deploy window${by ? ` by ${by}` : ''}` };
}
