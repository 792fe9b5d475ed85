/**
 * The `@azure/functions-core` seam.
 *
 * In Azure, the Node.js language worker provides a module named `@azure/functions-core`;
 * `@azure/functions` (and through it `durable-functions`) calls its `registerFunction`
 * for every `app.http`, `app.timer`, `df.app.orchestration`, ... registration. devhost
 * provides a module of that name to the process so the same compiled entry registers
 * the same functions, with the same binding metadata, as it does under the real worker.
 *
 * `@azure/functions` looks the module up once and keeps it, so the module installed here
 * is a process-wide singleton that forwards registrations to whichever registry is
 * currently loading an app. Under Node the name is resolved by a `Module._resolveFilename`
 * hook; under jest (which has its own resolver) by `moduleNameMapper` in jest.config.js.
 */
import Module from 'node:module';
import path from 'node:path';
import { setRegistrationSink } from './functionsCoreModule';

export type BindingDirection = 'in' | 'out' | 'inout';

/** One binding as `@azure/functions` describes it to the host (function.json shape). */
export interface CoreBinding {
  type: string;
  direction: BindingDirection;
  name?: string;
  [property: string]: unknown;
}

/** What `registerFunction` receives: the same object the real worker receives. */
export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, CoreBinding>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RegisteredFunction {
  name: string;
  metadata: CoreFunctionMetadata;
  callback: FunctionCallback;
  /** The trigger binding (the one binding whose type ends in `Trigger`). */
  trigger: CoreBinding & { name: string };
}

export type CoreHookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';

/** Receives what an app registers while it loads. */
export interface RegistrationSink {
  registerFunction(fn: RegisteredFunction): void;
  registerHook(hookName: CoreHookName, callback: (context: unknown) => unknown): void;
}

const MODULE_ID = '@azure/functions-core';
const MODULE_FILENAME = require.resolve('./functionsCoreModule');
let installed = false;

/** Makes `require('@azure/functions-core')` resolve to devhost's module. Idempotent. */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const moduleInternals = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function resolveWithCore(request: string, ...rest: unknown[]): string {
    if (request === MODULE_ID) return MODULE_FILENAME;
    return original.call(this, request, ...rest);
  };
}

/**
 * Loads an app entry (its compiled `main`) and returns what it registered.
 * The app's own modules are dropped from the require cache first, so one process can
 * load the app more than once (tests start several hosts); libraries stay cached.
 */
export function loadApp(entryPath: string, sink: RegistrationSink): void {
  installFunctionsCore();
  const appRoot = path.dirname(path.resolve(entryPath));
  const appDistRoot = path.resolve(appRoot, '..');
  for (const cached of Object.keys(require.cache)) {
    if (cached.startsWith(appDistRoot + path.sep) && !cached.includes(`${path.sep}node_modules${path.sep}`) && !cached.includes(`${path.sep}devhost${path.sep}`)) {
      delete require.cache[cached];
    }
  }
  setRegistrationSink(sink);
  try {
    // The entry is only known at run time and must load synchronously into this registry.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(path.resolve(entryPath));
  } finally {
    setRegistrationSink(undefined);
  }
}
