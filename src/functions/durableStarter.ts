/** Starts orchestrations through the Durable client, idempotently by instance id. */
import type { DurableClient } from 'durable-functions';

export interface OrchestrationStarter {
  /** Starts `name` as `instanceId` unless an instance with that id already exists. */
  start(name: string, instanceId: string, input: unknown): Promise<void>;
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
  isRunning(instanceId: string): Promise<boolean>;
}

export function durableStarter(client: DurableClient): OrchestrationStarter {
  return {
    async start(name, instanceId, input) {
      const existing = await client.getStatus(instanceId).catch(() => undefined);
      if (existing && existing.runtimeStatus) return;
      await client.startNew(name, { instanceId, input });
    },
    async raiseEvent(instanceId, eventName, data) {
      await client.raiseEvent(instanceId, eventName, data);
    },
    async isRunning(instanceId) {
      const status = await client.getStatus(instanceId).catch(() => undefined);
      return status?.runtimeStatus === 'Running' || status?.runtimeStatus === 'Pending';
    },
  };
}
