/** Starts orchestrations through the Durable client, idempotently by instance id. */
import type { DurableClient } from 'durable-functions';

export interface OrchestrationStarter {
  /** Starts `name` as `instanceId` unless an instance with that id already exists. */
  start(name: string, instanceId: string, input: unknown): Promise<void>;
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
  isRunning(instanceId: string): Promise<boolean>;
}

/**
 * `client` may be a getter: the client is then built on first use, so a request that starts
 * nothing (most webhook deliveries) never pays for one.
 */
export function durableStarter(clientOrGetter: DurableClient | (() => DurableClient)): OrchestrationStarter {
  let built: DurableClient | undefined;
  const get = (): DurableClient => (built ??= typeof clientOrGetter === 'function' ? clientOrGetter() : clientOrGetter);
  return {
    async start(name, instanceId, input) {
      const existing = await get().getStatus(instanceId).catch(() => undefined);
      if (existing && existing.runtimeStatus) return;
      await get().startNew(name, { instanceId, input });
    },
    async raiseEvent(instanceId, eventName, data) {
      await get().raiseEvent(instanceId, eventName, data);
    },
    async isRunning(instanceId) {
      const status = await get().getStatus(instanceId).catch(() => undefined);
      return status?.runtimeStatus === 'Running' || status?.runtimeStatus === 'Pending';
    },
  };
}
