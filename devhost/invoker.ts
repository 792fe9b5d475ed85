/**
 * Invokes registered functions the way the Node.js worker does: `callback(triggerInput, context)`
 * with the library's own `InvocationContext`, extra inputs set by binding name, and one
 * structured log line per invocation. Handler log calls (`context.log/info/warn/error`) become
 * log lines tagged with the function and invocation id.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { InvocationContext, type EffectiveFunctionOptions, type FunctionInput, type FunctionOutput, type FunctionTrigger } from '@azure/functions';
import type { DevhostExtension, InvokeOptions } from './extension';
import type { RegisteredFunction } from './functionsCore';
import { formatArgs, fromLibraryLevel, type LogWriter } from './devhostLog';

const RETURN_BINDING = '$return';

/** The `options` the library exposes on the context (same split as its `fromRpcBindings`). */
function effectiveOptions(fn: RegisteredFunction): EffectiveFunctionOptions {
  const extraInputs: FunctionInput[] = [];
  const extraOutputs: FunctionOutput[] = [];
  let returnBinding: FunctionOutput | undefined;
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (name === fn.trigger.name) continue;
    if (name === RETURN_BINDING) returnBinding = { ...binding, name };
    else if (binding.direction === 'in') extraInputs.push({ ...binding, name });
    else extraOutputs.push({ ...binding, name });
  }
  const trigger: FunctionTrigger = { ...fn.trigger };
  return { trigger, return: returnBinding, extraInputs, extraOutputs };
}

export class Invoker {
  constructor(
    private readonly log: LogWriter,
    private readonly extensions: () => readonly DevhostExtension[],
  ) {}

  createInvocationContext(fn: RegisteredFunction, options: InvokeOptions = {}): InvocationContext {
    const invocationId = randomUUID();
    const context = new InvocationContext({
      invocationId,
      functionName: fn.name,
      triggerMetadata: options.triggerMetadata,
      options: effectiveOptions(fn),
      logHandler: (level, ...args) => {
        const mapped = fromLibraryLevel(level);
        if (mapped) this.log({ level: mapped, msg: formatArgs(args), category: 'user', function: fn.name, invocationId });
      },
    });
    for (const input of context.options.extraInputs) {
      const given = options.extraInputs?.[input.name];
      const value = given !== undefined ? given : this.resolveInput(fn, input.name);
      if (value !== undefined) context.extraInputs.set(input.name, value);
    }
    return context;
  }

  /** Runs the callback with a context built here; logs the outcome; rethrows the handler's error. */
  async invoke(fn: RegisteredFunction, triggerInput: unknown, options?: InvokeOptions): Promise<unknown> {
    return this.invokeWithContext(fn, triggerInput, this.createInvocationContext(fn, options));
  }

  async invokeWithContext(fn: RegisteredFunction, triggerInput: unknown, context: InvocationContext): Promise<unknown> {
    const started = performance.now();
    const line = { function: fn.name, invocationId: context.invocationId, triggerType: fn.trigger.type };
    try {
      const result = await fn.callback(triggerInput, context);
      this.log({ level: 'info', msg: 'invocation', ...line, durationMs: Math.round(performance.now() - started), outcome: 'success' });
      return result;
    } catch (error) {
      this.log({
        level: 'error',
        msg: 'invocation',
        ...line,
        durationMs: Math.round(performance.now() - started),
        outcome: 'failure',
        error: { name: (error as Error)?.name ?? 'Error', message: (error as Error)?.message ?? String(error) },
      });
      throw error;
    }
  }

  private resolveInput(fn: RegisteredFunction, bindingName: string): unknown {
    const binding = fn.metadata.bindings[bindingName];
    for (const extension of this.extensions()) {
      const value = extension.resolveInput?.(binding, fn);
      if (value !== undefined) return value;
    }
    return undefined;
  }
}
