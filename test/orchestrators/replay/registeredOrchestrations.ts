/**
 * The real orchestrators, registered the way the app registers them: `df.app.orchestration`
 * through the `@azure/functions-core` seam devhost provides (jest maps the module name to it,
 * see jest.config.js), by the app's own registration functions. So the callback a replay calls is
 * the one the Functions worker would call: the `durable-functions` Orchestrator wrapped around the
 * product's generator. Only the orchestrations: the app's activities and timers read its
 * configuration and build its services, which a replay never touches.
 */
import type { RegisteredFunction } from '../../../devhost/functionsCore';
import { setRegistrationSink } from '../../../devhost/functionsCoreModule';
import { registerBackupOrchestrations } from '../../../src/functions/backups';
import { registerDeploymentOrchestrations } from '../../../src/functions/deploymentPipeline';

let registered: ReadonlyMap<string, RegisteredFunction> | undefined;

/** Every orchestration function by name; registered once per test file (jest gives each file its own modules). */
export function registeredOrchestrations(): ReadonlyMap<string, RegisteredFunction> {
  if (registered) return registered;
  const functions = new Map<string, RegisteredFunction>();
  setRegistrationSink({ registerFunction: (fn) => functions.set(fn.name, fn), registerHook: () => undefined });
  try {
    registerDeploymentOrchestrations();
    registerBackupOrchestrations();
  } finally {
    setRegistrationSink(undefined);
  }
  registered = functions;
  return functions;
}
