/**
 * Registers the deployment orchestrations and their activities. Handlers are thin: they
 * hand the input to the activity built by the composition root.
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
import type { SlotActivities } from '../activities/deployment/createSlotActivities';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';

type ActivityName = keyof DeploymentActivities | keyof ReleaseActivities | keyof AnalysisActivities | keyof SlotActivities;

function registerActivity(name: ActivityName): void {
  df.app.activity(ActivityNames[name], {
    handler: (input: unknown) => (getServices().deploymentActivities[name] as (input: unknown) => Promise<unknown>)(input),
  });
}

export async function finishDeployment(input: unknown, context: InvocationContext): Promise<FinishDeploymentResult> {
  const finish = input as FinishDeploymentInput;
  const launcher = createLauncher(getServices());
  return launcher.finish(finish, durableStarter(df.getClient(context)));
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
    'claimDeploySlot',
  ];
  for (const name of names) registerActivity(name);
  df.app.activity(ActivityNames.finishDeployment, { extraInputs: [df.input.durableClient()], handler: finishDeployment });
}
