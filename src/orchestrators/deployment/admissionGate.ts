/**
 * What a deployment passes before it does anything: its deploy window, then a slot of its
 * Container Apps environment. Waiting for a slot takes time, and the window may close (or a
 * freeze start) meanwhile, so from rollout version 3 the window is judged again when the slot
 * is granted: if it is no longer open, the slot is given back and the deployment waits for the
 * window again (a freeze refuses it; a person's override still lets it go).
 *
 * Deployments started before version 3 replay as they ran: window, slot, go.
 */
import type { Task } from 'durable-functions';
import { ActivityNames as A, SupersedeEventName, WindowOverrideEventName, type DeploymentInput, type ReleaseDeploySlotInput } from '../../domain/deployment';
import { judgeDeployWindow } from '../../domain/schedule/deployWindow';
import { slotGate, type SlotRun } from './slotGate';
import { windowGate, type WindowOutcome } from './windowGate';

/** The rollout version from which a slot granted outside the window is given back. */
export const RECHECK_WINDOW_AFTER_SLOT = 3;

type AdmissionInput = Pick<DeploymentInput, 'window' | 'override' | 'slots' | 'rolloutVersion' | 'deploymentId'>;

export function* admissionGate(run: SlotRun, input: AdmissionInput, owner: string): Generator<Task, WindowOutcome, unknown> {
  const { context } = run;
  const calendars = input.window?.calendars ?? [];
  const windowed = Boolean(input.window || input.override);
  const recheck = (input.rolloutVersion ?? 1) >= RECHECK_WINDOW_AFTER_SLOT && calendars.length > 0 && input.slots !== undefined;
  // One pair of event tasks for every pass, so an event that came during the slot wait is seen by the next window wait.
  const events = recheck ? { superseding: context.df.waitForExternalEvent(SupersedeEventName), overriding: context.df.waitForExternalEvent(WindowOverrideEventName) } : undefined;
  for (let again = false; ; again = true) {
    let overridden = false;
    if (windowed) {
      const window = yield* windowGate(run, calendars, input.override, events);
      if (!window.ok) return window;
      overridden = window.overridden === true;
    }
    if (!input.slots) return { ok: true };
    const slot = yield* slotGate(run, input.slots, input.deploymentId, owner, again);
    // A person's override lets it go whatever the window says by now.
    if (!slot.ok || !recheck || overridden) return slot;
    const verdict = judgeDeployWindow(calendars, context.df.currentUtcDateTime);
    if (verdict.kind === 'open') return slot;
    const detail = `given back at ${run.now()}: the deploy window is no longer open (${verdict.reason})`;
    yield run.call(A.releaseDeploySlot, { environments: input.slots.map((s) => s.environment), deploymentId: input.deploymentId } satisfies ReleaseDeploySlotInput);
    yield run.record({ step: { name: 'slot', outcome: 'skipped', detail } });
  }
}
