/**
 * The module that devhost provides under the name `@azure/functions-core` (see
 * functionsCore.ts for how the name is resolved, under Node and under jest).
 */
import type { CoreFunctionMetadata, CoreHookName, FunctionCallback, RegisteredFunction, RegistrationSink } from './functionsCore';

let currentSink: RegistrationSink | undefined;

/** Points registrations at `sink` while an app loads; undefined when done. */
export function setRegistrationSink(sink: RegistrationSink | undefined): void {
  currentSink = sink;
}

function toRegisteredFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): RegisteredFunction {
  const entry = Object.entries(metadata.bindings).find(([, binding]) => /trigger$/i.test(binding.type));
  if (!entry) throw new Error(`Function "${metadata.name}" has no trigger binding`);
  const [bindingName, binding] = entry;
  return { name: metadata.name, metadata, callback, trigger: { ...binding, name: bindingName } };
}

export const version = '3.10.1';
export const hostVersion = '4.1000.0-devhost';

export function setProgrammingModel(_model: unknown): void {
  // The programming model converts RPC messages; devhost invokes handlers directly
  // with the library's own HttpRequest / InvocationContext objects instead.
}

export function getProgrammingModel(): undefined {
  return undefined;
}

export function registerFunction(metadata: CoreFunctionMetadata, callback: FunctionCallback): { dispose(): void } {
  if (!currentSink) throw new Error(`registerFunction("${metadata.name}") called while no app is loading`);
  currentSink.registerFunction(toRegisteredFunction(metadata, callback));
  return { dispose: () => undefined };
}

export function registerHook(hookName: CoreHookName, callback: (context: unknown) => unknown): { dispose(): void } {
  currentSink?.registerHook(hookName, callback);
  return { dispose: () => undefined };
}

export function log(level: string, category: string, message: string): void {
  if (level === 'error' || level === 'critical') console.error(`[${category}] ${message}`);
}
