/**
 * At most N deployments at once in one Container Apps environment: the holders of an
 * environment's slots, and the rules that claim and release them. Pure; the store applies them
 * under the row's ETag. A holder whose deployment has ended (it crashed before releasing) is
 * dropped when the next claim looks, so a slot is never lost for good.
 */
export interface SlotHolder {
  deploymentId: string;
  /** The app or release group deploying. */
  owner: string;
  since: string;
}

export interface EnvironmentSlots {
  holders: SlotHolder[];
}

export interface SlotClaim {
  deploymentId: string;
  owner: string;
  at: string;
  limit: number;
}

export function claimSlot(state: EnvironmentSlots, claim: SlotClaim, ended: ReadonlySet<string>): { state: EnvironmentSlots; result: { granted: boolean; holders: SlotHolder[] } } {
  const live = state.holders.filter((h) => !ended.has(h.deploymentId));
  // Idempotent: a replayed claim finds its slot.
  if (live.some((h) => h.deploymentId === claim.deploymentId)) return { state: live.length === state.holders.length ? state : { holders: live }, result: { granted: true, holders: live } };
  if (live.length >= claim.limit) return { state: live.length === state.holders.length ? state : { holders: live }, result: { granted: false, holders: live } };
  const holders = [...live, { deploymentId: claim.deploymentId, owner: claim.owner, since: claim.at }];
  return { state: { holders }, result: { granted: true, holders } };
}

export function releaseSlot(state: EnvironmentSlots, deploymentId: string): { state: EnvironmentSlots; result: boolean } {
  if (!state.holders.some((h) => h.deploymentId === deploymentId)) return { state, result: false };
  return { state: { holders: state.holders.filter((h) => h.deploymentId !== deploymentId) }, result: true };
}
