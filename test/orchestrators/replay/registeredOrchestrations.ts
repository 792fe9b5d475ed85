/**
 * The real orchestrators, registered the way the app registers them: `df.app.orchestration`
 * through the `@azure/functions-core` seam devhost provides (jest maps the module name to it,
 * see jest.config.js). So the callback a replay calls is the one the Functions worker would
 * call: the `durable-functions` Orchestrator wrapped around the product's generator.
 *
 * The names and handlers are those of src/functions/deploymentPipeline.ts and backups.ts. Those
 * registration functions are not called here because they also register activities and timers
 * that read the app's configuration and build its services, which a replay never touches.
 */
import * as df from 'durable-functions';
import type { RegisteredFunction } from '../../../devhost/functionsCore';
import { setRegistrationSink } from '../../../devhost/functionsCoreModule';
import { BackupOrchestratorNames } from '../../../src/domain/backup';
import { OrchestratorNames } from '../../../src/domain/deployment';
import { backupOrchestrator } from '../../../src/orchestrators/backupOrchestrator';
import { deploymentOrchestrator } from '../../../src/orchestrators/deployment/deploymentOrchestrator';
import { groupDeploymentOrchestrator } from '../../../src/orchestrators/deployment/groupDeploymentOrchestrator';
import { rollbackOrchestrator } from '../../../src/orchestrators/deployment/rollbackOrchestrator';
import { healthWaitOrchestrator } from '../../../src/orchestrators/healthWaitOrchestrator';

let registered: ReadonlyMap<string, RegisteredFunction> | undefined;

/** Every orchestration function by name; registered once per test file (jest gives each file its own modules). */
export function registeredOrchestrations(): ReadonlyMap<string, RegisteredFunction> {
  if (registered) return registered;
  const functions = new Map<string, RegisteredFunction>();
  setRegistrationSink({ registerFunction: (fn) => functions.set(fn.name, fn), registerHook: () => undefined });
  try {
    df.app.orchestration(OrchestratorNames.deployment, deploymentOrchestrator);
    df.app.orchestration(OrchestratorNames.groupDeployment, groupDeploymentOrchestrator);
    df.app.orchestration(OrchestratorNames.rollback, rollbackOrchestrator);
    df.app.orchestration(OrchestratorNames.healthWait, healthWaitOrchestrator);
    df.app.orchestration(BackupOrchestratorNames.backup, backupOrchestrator);
  } finally {
    setRegistrationSink(undefined);
  }
  registered = functions;
  return functions;
}
