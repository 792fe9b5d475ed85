/**
 * A Container Apps environment runs at most `maxConcurrentDeployments` deployments at once: a
 * deployment that finds every slot taken records why and waits (a durable timer between claims)
 * until one frees; a manual rollback aborts the wait. The launcher releases the slot when the
 * deployment finishes. Only deployments of apps in a limited environment run this.
 */
import type { Task } from 'durable-functions';
import { ActivityNames as A, type AbortEvent, type ClaimDeploySlotInput, type ClaimDeploySlotResult, type DeploySlotNeed } from '../../domain/deployment';
import type { WindowOutcome, WindowRun } from './windowGate';

/** Between two claims of a full environment. */
const CLAIM_INTERVAL_MS = 5_000;

export interface SlotRun extends WindowRun {
  now(): string;
  call(activity: string, input: unknown): Task;
}

/** `again`: the deployment gave its slots back once (its window closed while it waited), so a claim granted at once is recorded too. */
export function* slotGate(run: SlotRun, needs: readonly DeploySlotNeed[], deploymentId: string, owner: string, again = false): Generator<Task, WindowOutcome, unknown> {
  // Sorted, so two deployments needing the same environments never hold one each and wait for the other.
  for (const need of [...needs].sort((a, b) => a.environment.localeCompare(b.environment))) {
    let waited = false;
    for (;;) {
      const claim = (yield run.call(A.claimDeploySlot, { ...need, deploymentId, owner, at: run.now() } satisfies ClaimDeploySlotInput)) as ClaimDeploySlotResult;
      if (claim.granted) {
        if (waited) yield run.record({ step: { name: 'slot', outcome: 'succeeded', detail: `a slot of ${need.environment} freed at ${run.now()}` } });
        else if (again) yield run.record({ step: { name: 'slot', outcome: 'succeeded', detail: `a slot of ${need.environment} claimed again at ${run.now()}` } });
        break;
      }
      if (!waited) {
        waited = true;
        const detail = `queued: environment ${need.environment} runs its maximum of ${need.limit} deployment${need.limit === 1 ? '' : 's'} (${claim.holders.join(', ')})`;
        yield run.record({ step: { name: 'slot', outcome: 'running', detail }, phase: 'queued', reason: detail });
      }
      if (run.abort.isCompleted) return { ok: false, phase: 'failed', reason: `aborted while waiting for a deployment slot: ${(run.abort.result as AbortEvent | undefined)?.reason ?? 'manual rollback'}` };
      const timer = run.context.df.createTimer(new Date(run.nowMs() + CLAIM_INTERVAL_MS));
      const winner = (yield run.context.df.Task.any([timer, run.abort])) as Task;
      if (winner !== timer) {
        timer.cancel();
        return { ok: false, phase: 'failed', reason: `aborted while waiting for a deployment slot: ${(run.abort.result as AbortEvent | undefined)?.reason ?? 'manual rollback'}` };
      }
    }
  }
  return { ok: true };
}
