/**
 * Registers the deployment orchestrations and their activities. Handlers are thin: they
 * hand the input to the activity built by the composition root, with one log line per activity
 * carrying the deployment's id (from the input, or else from the orchestration that called it). A finished deployment is reported as telemetry (its trace and
 * metrics, from the record) by the activity that finishes it.
 */
import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import { ActivityNames, OrchestratorNames, deploymentIdOfInstance, type FinishDeploymentInput, type FinishDeploymentResult } from '../domain/deployment';
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
    handler: async (input: unknown, context: InvocationContext) => {
      const log = loggerFor(input, context);
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

/**
 * A logger bound to the activity's deployment: the input's `deploymentId`, or else the one the
 * calling orchestration works for (its instance id, which the trigger's metadata carries:
 * activities that only read the platform, such as a health probe, take no deployment id). The
 * app, when the input names it.
 */
function loggerFor(input: unknown, context: InvocationContext) {
  const { deploymentId, app } = (typeof input === 'object' && input !== null ? input : {}) as { deploymentId?: unknown; app?: unknown };
  const instanceId = context.triggerMetadata?.instanceId;
  const id = typeof deploymentId === 'string' ? deploymentId : deploymentIdOfInstance(typeof instanceId === 'string' ? instanceId : undefined);
  return id ? deploymentLogger(id, typeof app === 'string' ? app : undefined) : getLogger();
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

/** The deployment orchestrations alone: what the replay tests register too (they read no configuration). */
export function registerDeploymentOrchestrations(): void {
  df.app.orchestration(OrchestratorNames.deployment, deploymentOrchestrator);
  df.app.orchestration(OrchestratorNames.groupDeployment, groupDeploymentOrchestrator);
  df.app.orchestration(OrchestratorNames.rollback, rollbackOrchestrator);
  df.app.orchestration(OrchestratorNames.healthWait, healthWaitOrchestrator);
}

export function registerDeploymentPipeline(): void {
  registerDeploymentOrchestrations();
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
