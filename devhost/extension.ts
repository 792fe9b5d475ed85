/**
 * How a part of devhost that is not the HTTP/timer core plugs into the host.
 * The Durable Functions engine is one; the host knows nothing of Durable itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvocationContext } from '@azure/functions';
import type { Clock } from './clock';
import type { CoreBinding, RegisteredFunction } from './functionsCore';

export interface InvokeOptions {
  /** Values for the function's extra input bindings, by binding name. */
  extraInputs?: Record<string, unknown>;
  /** Trigger metadata as the real host passes it (e.g. `instanceId` for orchestrations). */
  triggerMetadata?: Record<string, unknown>;
}

export interface HostContext {
  /** Every function the app registered, by name. */
  readonly functions: ReadonlyMap<string, RegisteredFunction>;
  /** The app settings (what `process.env` holds for the app in Azure). */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /** Connection string of the storage account behind `AzureWebJobsStorage` (Azurite locally). */
  readonly storageConnectionString: string;
  /** The parsed host.json. */
  readonly hostJson: Record<string, unknown>;
  /** Where the host serves HTTP, e.g. `http://127.0.0.1:7071`. */
  readonly baseUrl: string;
  readonly clock: Clock;
  /** Invokes a registered function the way the worker does, with one structured log line. */
  invoke(fn: RegisteredFunction, triggerInput: unknown, options?: InvokeOptions): Promise<unknown>;
  /** Builds the InvocationContext the library's handlers expect (for extensions that call callbacks themselves). */
  createInvocationContext(fn: RegisteredFunction, options?: InvokeOptions): InvocationContext;
}

export interface DevhostExtension {
  readonly name: string;
  start(host: HostContext): Promise<void>;
  /** Stops accepting work and waits for what is in flight. */
  stop(): Promise<void>;
  /**
   * Serves a request that no HTTP trigger owns (for example the Durable HTTP API
   * under `/runtime/webhooks/durabletask/`). Resolves true when it answered.
   */
  handleRequest?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** The value of an input binding (for example `durableClient`), or undefined if not this extension's. */
  resolveInput?(binding: CoreBinding, fn: RegisteredFunction): unknown;
  /** Fires a non-HTTP function of this extension's trigger types now (admin endpoint); false if not its type. */
  fireFunction?(fn: RegisteredFunction, input: unknown): Promise<boolean>;
}
