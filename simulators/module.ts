/**
 * The contract between the simulator's HTTPS server and the Azure services it simulates.
 * One module per service (Container Apps, Jobs, registry, Key Vault, Monitor); the server
 * authenticates, applies fault rules, and offers each request to the modules in turn.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SimRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  /** The raw body (already read; capped by the server). */
  readonly body: Buffer;
  /** `body` parsed as JSON, or undefined when empty or not JSON. */
  readonly json: unknown;
  /** The host the client addressed (Host header, without the port). */
  readonly host: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless a Buffer or string. */
  body?: unknown;
}

export interface SimModule {
  readonly name: string;
  /** Answers the request, or returns undefined when it is not this module's. */
  handle(request: SimRequest, raw: { req: IncomingMessage; res: ServerResponse }): Promise<SimResponse | undefined>;
  /** Releases processes and timers. */
  close?(): Promise<void>;
  /**
   * The operation name (REST operationId, e.g. `ContainerApps_CreateOrUpdate`) when the request is this
   * module's, so fault rules can match by operation. Optional.
   */
  operationOf?(request: SimRequest): string | undefined;
}
