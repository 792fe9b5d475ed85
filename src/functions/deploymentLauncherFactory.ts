import { randomUUID } from 'node:crypto';
import type { Services } from '../composition/services';
import { DeploymentLauncher } from '../activities/deployment/deploymentLauncher';
import { scheduleConfigOf } from '../activities/deployment/toDeployCalendars';

export function createLauncher(services: Services): DeploymentLauncher {
  return new DeploymentLauncher({
    apps: services.config.apps.apps,
    appState: services.appState,
    deployments: services.deployments,
    now: () => new Date(),
    newId: () => randomUUID().replace(/-/g, ''),
    schedule: scheduleConfigOf(services.config.apps),
    slots: services.deploySlots,
  });
}
