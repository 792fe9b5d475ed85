/**
 * The answers of every activity a deployment calls, for a world where everything goes well:
 * the image verifies, the backup and migration succeed, the new revision is created beside the
 * one serving (`<app>--stable`) and is healthy, the traffic gate lets every change through.
 * A test names only the activities whose answers make its case; the rest answer as here.
 */
import { ActivityNames as A, type DeployRevisionInput, type DeployRevisionResult, type RestoreReleaseInput, type RevisionObservation } from '../../../src/domain/deployment';
import { BackupActivityNames as B } from '../../../src/domain/backup';
import { SweepActivityNames } from '../../../src/domain/health/sweepContracts';
import type { ActivityScript } from './activityScript';

/** The digest of the release serving before every deployment in the replay tests. */
export const STABLE_DIGEST = `sha256:${'5'.repeat(64)}`;

export const stableRevisionOf = (app: string): string => `${app}--stable`;

/** What `probeRevision` reads of a revision that runs and answers its health path. */
export const HEALTHY: RevisionObservation = {
  platform: { exists: true, provisioningState: 'Provisioned', runningState: 'Running', healthState: 'Healthy', replicas: 1, active: true },
  endpoint: { status: 200, body: '{"status":"ok"}', latencyMs: 4 },
};

/** What `probeRevision` reads of a healthy revision: its health path too when its ingress is external, else the platform only. */
export function healthyProbe(probe: { health: { ingress: string } }): RevisionObservation {
  return probe.health.ingress === 'external' ? HEALTHY : { platform: HEALTHY.platform };
}

/** A revision that runs but whose health path answers 503. */
export const UNHEALTHY: RevisionObservation = {
  platform: HEALTHY.platform,
  endpoint: { status: 503, body: '{"status":"unhealthy"}', latencyMs: 4 },
};

/** A revision whose containers keep crashing. */
export const CRASH_LOOPING: RevisionObservation = {
  platform: { exists: true, provisioningState: 'Provisioned', runningState: 'Failed', healthState: 'Unhealthy', replicas: 0, active: true },
};

export interface WorldOptions {
  /** The revision mode of each app's Container App (default Multiple). */
  modes?: Readonly<Record<string, 'Single' | 'Multiple'>>;
}

/** Throws: an activity's answer that fails it (after its retries, for `callActivityWithRetry`). */
export function fail(message: string): never {
  throw new Error(message);
}

export function healthyWorld(overrides: ActivityScript = {}, options: WorldOptions = {}): ActivityScript {
  const revisionOf = (containerApp: { name: string }, suffix: string): string => `${containerApp.name}--${suffix}`;
  const deployed = (input: DeployRevisionInput): DeployRevisionResult => ({
    revisionName: revisionOf(input.containerApp, input.revisionSuffix),
    fqdn: `${revisionOf(input.containerApp, input.revisionSuffix)}.example.test`,
    mode: options.modes?.[input.app] ?? 'Multiple',
    previousRevision: stableRevisionOf(input.app),
    previousImage: input.image.replace(/@sha256:[0-9a-f]+$/, `@${STABLE_DIGEST}`),
  });
  const world: ActivityScript = {
    [A.recordDeployment]: () => undefined,
    [A.notifyDeployment]: () => undefined,
    [A.finishDeployment]: () => ({}),
    [A.verifyImage]: (input) => ({ ok: true, digest: input.image.digest, platforms: [input.platform], sizeBytes: 52_000_000 }),
    [A.startMigration]: (input) => ({ ok: true, executionName: `${input.jobName}-exec1` }),
    [A.getMigrationStatus]: () => ({ status: 'Succeeded' }),
    [A.stopMigration]: () => ({ status: 'Stopped' }),
    [A.startDownMigration]: (input) => ({ ok: true, executionName: `${input.jobName}-down1` }),
    [A.deployRevision]: deployed,
    [A.findDeployedRevision]: () => ({ exists: false }),
    [A.probeRevision]: healthyProbe,
    [A.routeTraffic]: () => ({ ok: true }),
    [A.activateRevision]: () => undefined,
    [A.deactivateRevision]: () => ({ deactivated: true }),
    [A.restoreRelease]: (input: RestoreReleaseInput) => ({ ok: true, revisionName: revisionOf(input.containerApp, input.revisionSuffix), fqdn: `${revisionOf(input.containerApp, input.revisionSuffix)}.example.test` }),
    [A.recordRelease]: () => undefined,
    [A.settleRelease]: () => undefined,
    [A.planRollback]: () => ({ ok: false, status: 409, reason: 'no release to roll back to' }),
    [A.measureAnalysis]: () => ({ kind: 'value', value: 0, stable: 0 }),
    [A.callHook]: () => ({ ok: true, detail: 'POST hooks.example.test answered 200' }),
    [A.startHookJob]: (input) => ({ ok: true, executionName: `${input.hook.jobName}-exec1`, link: `https://portal.example.test/${input.hook.jobName}` }),
    [A.claimDeploySlot]: () => ({ granted: true, holders: [] }),
    [A.releaseDeploySlot]: () => undefined,
    [SweepActivityNames.sweepApp]: () => undefined,
    [B.claimBackup]: (input) => ({ kind: 'claimed', backupId: input.backupId }),
    [B.startBackupExecution]: (input) => ({ ok: true, executionName: `backup-${input.backupId}` }),
    [B.getBackupProgress]: () => ({ state: 'Complete', executionStatus: 'Succeeded' }),
    [B.failBackup]: () => undefined,
    [B.finishBackup]: () => undefined,
  };
  return { ...world, ...overrides };
}
