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
 * currently loading an app.
 */
import Module from 'node:module';
import path from 'node:path';

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
const MODULE_FILENAME = path.join(__dirname, '__azure-functions-core__.js');

let currentSink: RegistrationSink | undefined;
let installed = false;

function toRegisteredFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): RegisteredFunction {
  const entry = Object.entries(metadata.bindings).find(([, binding]) => /trigger$/i.test(binding.type));
  if (!entry) throw new Error(`Function "${metadata.name}" has no trigger binding`);
  const [bindingName, binding] = entry;
  return { name: metadata.name, metadata, callback, trigger: { ...binding, name: bindingName } };
}

const coreApi = {
  version: '3.10.1',
  hostVersion: '4.1000.0-devhost',
  setProgrammingModel(_model: unknown): void {
    // The programming model converts RPC messages; devhost invokes handlers directly
    // with the library's own HttpRequest / InvocationContext objects instead.
  },
  getProgrammingModel(): undefined {
    return undefined;
  },
  registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): { dispose(): void } {
    if (!currentSink) throw new Error(`registerFunction("${metadata.name}") called while no app is loading`);
    currentSink.registerFunction(toRegisteredFunction(metadata, callback));
    return { dispose: () => undefined };
  },
  registerHook(hookName: CoreHookName, callback: (context: unknown) => unknown): { dispose(): void } {
    currentSink?.registerHook(hookName, callback);
    return { dispose: () => undefined };
  },
  log(level: string, category: string, message: string): void {
    if (level === 'error' || level === 'critical') console.error(`[${category}] ${message}`);
  },
};

/** Makes `require('@azure/functions-core')` resolve to devhost's module. Idempotent. */
export function installFunctionsCore(): void {
  if (installed) return;
  installed = true;
  const mod = new Module(MODULE_FILENAME);
  mod.filename = MODULE_FILENAME;
  mod.loaded = true;
  mod.exports = coreApi;
  require.cache[MODULE_FILENAME] = mod;
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
  currentSink = sink;
  try {
    require(path.resolve(entryPath));
  } finally {
    currentSink = undefined;
  }
}
