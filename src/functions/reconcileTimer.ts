/** The reconcile timer (HARBORMASTER_RECONCILE_SCHEDULE, default every 5 minutes). */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getServices } from '../composition/services';
import { getConfig } from '../config';
import { reconcileApps } from '../activities/push/reconcileApps';
import { parseImageReference } from '../domain/rollout';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';
import { lateRecordError } from './lateRecordError';

/** A deployment accepted this long ago with no orchestration running it is stale. */
const STALE_RUNNING_MS = 10 * 60_000;

export async function reconcile(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  const starter = durableStarter(df.getClient(context));
  // First repair apps whose `running` names a deployment that ended or never started, so a
  // lost orchestration start or a failed finish cannot wedge an app's queue for good.
  const launcher = createLauncher(services);
  for (const managed of services.config.apps.apps) {
    const repaired = await launcher.repairStale(managed.name, starter, STALE_RUNNING_MS).catch((error: unknown) => `repair failed: ${(error as Error).message}`);
    if (repaired) context.warn(`reconcile ${managed.name}: ${repaired}`);
  }
  const findings = await reconcileApps(
    { apps: services.config.apps.apps, registry: services.registry, deliveries: services.deliveries, appState: services.appState, launcher, now: () => new Date(), onLateRecordError: lateRecordError },
    starter,
    async (app) => parseImageReference((await services.containerApps.getApp(app.containerApp)).image),
    (app) => services.ledger.list(app),
  );
  for (const finding of findings) context.info(`reconcile ${finding.app}: ${finding.outcome}`);
}

export function registerReconcileTimer(): void {
  // The schedule is read from the validated settings (default every 5 minutes).
  app.timer('reconcile', { schedule: getConfig().settings.reconcileSchedule, extraInputs: [df.input.durableClient()], handler: reconcile });
}
