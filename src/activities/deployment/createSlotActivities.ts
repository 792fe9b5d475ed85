/**
 * The deployment slots of Container Apps environments (`environments[].maxConcurrentDeployments`):
 * a deployment claims one before it starts and the launcher releases it when the deployment
 * finishes (or the deployment gives it back itself, when its window closed while it waited). A claim drops holders whose deployments have ended, so a crash never keeps a slot.
 */
import type { DeploySlotStore } from '../../adapters/storage/deploySlotStore';
import type { DeploymentStore } from '../../adapters/storage/deploymentStore';
import { TERMINAL_PHASES, type ClaimDeploySlotInput, type ClaimDeploySlotResult, type ReleaseDeploySlotInput } from '../../domain/deployment';
import { claimSlot, releaseSlot } from '../../domain/schedule/deploySlots';

export interface SlotActivityPorts {
  slots: DeploySlotStore;
  deployments: DeploymentStore;
}

export function createSlotActivities(ports: SlotActivityPorts) {
  return {
    async claimDeploySlot(input: ClaimDeploySlotInput): Promise<ClaimDeploySlotResult> {
      const current = await ports.slots.get(input.environment);
      const ended = new Set<string>();
      for (const holder of current.holders) {
        if (holder.deploymentId === input.deploymentId) continue;
        const record = await ports.deployments.get(holder.deploymentId);
        if (!record || TERMINAL_PHASES.has(record.phase)) ended.add(holder.deploymentId);
      }
      const claimed = await ports.slots.transact(input.environment, (state) => claimSlot(state, { deploymentId: input.deploymentId, owner: input.owner, at: input.at, limit: input.limit }, ended));
      return { granted: claimed.granted, holders: claimed.holders.map((h) => `${h.deploymentId} (${h.owner})`) };
    },
    async releaseDeploySlot(input: ReleaseDeploySlotInput): Promise<{ released: string[] }> {
      const released: string[] = [];
      for (const environment of input.environments) {
        if (await ports.slots.transact(environment, (state) => releaseSlot(state, input.deploymentId))) released.push(environment);
      }
      return { released };
    },
  };
}

export type SlotActivities = ReturnType<typeof createSlotActivities>;
