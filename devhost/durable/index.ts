/**
 * Durable Functions for devhost: `createDurableExtension()` plugs the replay engine, the
 * task hub on Azure Storage and the Durable HTTP API into the host.
 */
import type { DevhostExtension, HostContext } from '../extension';
import type { CoreBinding } from '../functionsCore';
import { durableClientBindingData } from './clientBinding';
import { DurableRuntime } from './durableRuntime';
import { handleDurableRequest } from './httpApi';
import { durableTaskLimit, resolveHubName } from './taskHubNames';
import type { InstanceRecord } from './taskHubStore';

export interface DurableExtensionOptions {
  /** Overrides host.json `extensions.durableTask.hubName` (tests pass a fresh name). */
  hubName?: string;
  log?: (message: string) => void;
}

export interface DurableExtension extends DevhostExtension {
  /** The running engine (after start): client operations, counters. */
  readonly runtime: DurableRuntime;
  /** Resolves with the instance once it is Completed, Failed or Terminated. */
  waitForInstance(instanceId: string, options?: { timeoutMs?: number }): Promise<InstanceRecord>;
}

export function createDurableExtension(options: DurableExtensionOptions = {}): DurableExtension {
  let runtime: DurableRuntime | undefined;
  let host: HostContext | undefined;
  const started = (): DurableRuntime => {
    if (!runtime) throw new Error('The durable extension has not been started');
    return runtime;
  };
  return {
    name: 'durable',
    get runtime() {
      return started();
    },
    async start(context: HostContext): Promise<void> {
      host = context;
      const cores = 2;
      runtime = new DurableRuntime(context, {
        hubName: options.hubName ?? resolveHubName(context.hostJson, context.settings),
        maxConcurrentActivityFunctions: durableTaskLimit(context.hostJson, 'maxConcurrentActivityFunctions', 10 * cores),
        maxConcurrentOrchestratorFunctions: durableTaskLimit(context.hostJson, 'maxConcurrentOrchestratorFunctions', 10 * cores),
        log: options.log ?? ((message) => console.error(`[durable] ${message}`)),
      });
      await runtime.start();
    },
    async stop(): Promise<void> {
      await runtime?.stop();
    },
    handleRequest(req, res) {
      if (!runtime || !host) return Promise.resolve(false);
      return handleDurableRequest(runtime, host.baseUrl, req, res);
    },
    resolveInput(binding: CoreBinding) {
      if (binding.type !== 'durableClient' && binding.type !== 'orchestrationClient') return undefined;
      const hubName = started().store.names.hubName;
      return durableClientBindingData((host as HostContext).baseUrl, hubName);
    },
    waitForInstance(instanceId, waitOptions) {
      return started().waitForInstance(instanceId, waitOptions);
    },
  };
}
