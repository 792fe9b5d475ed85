import type { ManagedApp } from '../../config';
import { releaseSlot } from '../../domain/schedule/deploySlots';
import type { LauncherDeps } from './deploymentLauncher';
import { toSlotNeeds } from './toDeployCalendars';

/** A finished deployment gives back the slots it held (nothing when it held none). */
export async function releaseSlots(deps: LauncherDeps, apps: ReadonlyArray<ManagedApp>, deploymentId: string): Promise<void> {
  if (!deps.schedule || !deps.slots) return;
  for (const need of toSlotNeeds(deps.schedule, apps)) await deps.slots.transact(need.environment, (state) => releaseSlot(state, deploymentId));
}
