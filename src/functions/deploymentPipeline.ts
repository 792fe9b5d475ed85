/**
 * Registers the deployment orchestrations and their activities. Handlers are thin: they
 * hand the input to the activity built by the composition root, with one log line per activity
 * carrying the deployment's id. A finished deployment is reported as telemetry (its trace and
 * metrics, from the record) by the activity that finishes it.
 */
import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { ActivityNames, OrchestratorNames, type FinishDeploymentInput, type FinishDeploymentResult } from '../domain/deployment';
import { deploymentOrchestrator } from '../orchestrators/deployment/deploymentOrchestrator';
import { rollbackOrchestrator } from '../orchestrators/deployment/rollbackOrchestrator';
import { groupDeploymentOrchestrator } from '../orchestrators/deployment/groupDeploymentOrchestrator';
import { healthWaitOrchestrator } from '../orchestrators/healthWaitOrchestrator';
import { getServices } from '../composition/services';
import type { DeploymentActivities } from '../activities/deployment/createDeploymentActivities';
import type { ReleaseActivities } from '../activities/deployment/createReleaseActivities';
import type { AnalysisActivities } from '../activities/analysis/createAnalysisActivities';
import type { HookActivities } from '../activities/hooks/createHookActivities';
import type { SlotActivities } from '../activities/deployment/createSlotActivities';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';
import { deploymentLogger, getLogger } from '../telemetry/logger';
import { reportFinishedDeployment } from '../telemetry/deploymentTelemetry';

type ActivityName = keyof DeploymentActivities | keyof ReleaseActivities | keyof AnalysisActivities | keyof HookActivities | keyof SlotActivities;

function registerActivity(name: ActivityName): void {
  df.app.activity(ActivityNames[name], {
    handler: async (input: unknown) => {
      const log = loggerFor(input);
      const started = performance.now();
      try {
        const result = await (getServices().deploymentActivities[name] as (input: unknown) => Promise<unknown>)(input);
        log.debug({ activity: name, durationMs: Math.round(performance.now() - started) }, 'activity done');
        return result;
      } catch (error) {
        log.warn({ activity: name, durationMs: Math.round(performance.now() - started), error: (error as Error).message }, 'activity failed (the orchestration retries or compensates)');
        throw error;
      }
    },
  });
}

/** Every deployment activity's input names its deployment (`deploymentId`) and, mostly, its app. */
function loggerFor(input: unknown) {
  const { deploymentId, app } = (typeof input === 'object' && input !== null ? input : {}) as { deploymentId?: unknown; app?: unknown };
  return typeof deploymentId === 'string' ? deploymentLogger(deploymentId, typeof app === 'string' ? app : undefined) : getLogger();
}

export async function finishDeployment(input: unknown, context: InvocationContext): Promise<FinishDeploymentResult> {
  const finish = input as FinishDeploymentInput;
  const services = getServices();
  const result = await createLauncher(services).finish(finish, durableStarter(df.getClient(context)));
  const record = await services.deployments.get(finish.deploymentId);
  const traceId = record ? reportFinishedDeployment(record) : undefined;
  deploymentLogger(finish.deploymentId, finish.app).info({ phase: finish.phase, ...(traceId ? { traceId } : {}), next: result.nextDeploymentId }, 'deployment finished');
  return result;
}

export function registerDeploymentPipeline(): void {
  df.app.orchestration(OrchestratorNames.deployment, deploymentOrchestrator);
  df.app.orchestration(OrchestratorNames.groupDeployment, groupDeploymentOrchestrator);
  df.app.orchestration(OrchestratorNames.rollback, rollbackOrchestrator);
  df.app.orchestration(OrchestratorNames.healthWait, healthWaitOrchestrator);
  const names: ActivityName[] = [
    'recordDeployment',
    'verifyImage',
    'startMigration',
    'getMigrationStatus',
    'deployRevision',
    'findDeployedRevision',
    'probeRevision',
    'routeTraffic',
    'restoreRelease',
    'recordRelease',
    'settleRelease',
    'planRollback',
    'startDownMigration',
    'stopMigration',
    'activateRevision',
    'deactivateRevision',
    'notifyDeployment',
    'measureAnalysis',
    'callHook',
    'startHookJob',
    'claimDeploySlot',
    'releaseDeploySlot',
  ];
  for (const name of names) registerActivity(name);
  df.app.activity(ActivityNames.finishDeployment, { extraInputs: [df.input.durableClient()], handler: finishDeployment });
}
