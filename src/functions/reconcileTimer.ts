/** The reconcile timer (HARBORMASTER_RECONCILE_SCHEDULE, default every 5 minutes). */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getServices } from '../composition/services';
import { getConfig } from '../config';
import { parseImageReference, reconcileApps } from '../activities/push/reconcileApps';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';

export async function reconcile(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  const findings = await reconcileApps(
    { apps: services.config.apps.apps, registry: services.registry, deliveries: services.deliveries, appState: services.appState, launcher: createLauncher(services), now: () => new Date() },
    durableStarter(df.getClient(context)),
    async (app) => parseImageReference((await services.containerApps.getApp(app.containerApp)).image),
  );
  for (const finding of findings) context.info(`reconcile ${finding.app}: ${finding.outcome}`);
}

export function registerReconcileTimer(): void {
  // The schedule is read from the validated settings (default every 5 minutes).
  app.timer('reconcile', { schedule: getConfig().settings.reconcileSchedule, extraInputs: [df.input.durableClient()], handler: reconcile });
}
