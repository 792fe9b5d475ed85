/**
 * The deployment pipeline's activities, built from narrow ports. Each
 * does one thing to the world and says what happened; the orchestration decides.
 * Expected failures return `{ ok: false, reason }`; thrown errors are transient and retried.
 */
import type { ContainerAppsPort } from '../../adapters/containerApps/containerAppsPort';
import type { HealthEndpointProbe } from '../../adapters/health/healthEndpointProbe';
import type { JobsPort } from '../../adapters/jobs/jobsPort';
import type { Notification, Severity } from '../../adapters/notify/notification';
import type { RegistryPort } from '../../adapters/registry/registryPort';
import type { DeploymentStore } from '../../adapters/storage/deploymentStore';
import type { ReleaseLedgerStore } from '../../adapters/storage/releaseLedgerStore';
import { baselineRelease, servingRevision } from '../../domain/rollout';
import { TrafficGate } from './trafficGate';
import type {
  DeployRevisionInput,
  DeployRevisionResult,
  FindDeployedRevisionInput,
  FindDeployedRevisionResult,
  GetMigrationStatusInput,
  MigrationStatus,
  NotifyDeploymentInput,
  ProbeRevisionInput,
  RecordDeploymentInput,
  RevisionActionInput,
  RevisionObservation,
  StartMigrationInput,
  StartMigrationResult,
  VerifyImageInput,
  VerifyImageResult,
} from '../../domain/deployment';

export interface DeploymentActivityPorts {
  containerApps: ContainerAppsPort;
  jobs: JobsPort;
  registry: RegistryPort;
  probe: HealthEndpointProbe;
  deployments: DeploymentStore;
  ledger: ReleaseLedgerStore;
  notify: (channels: readonly string[], notification: Notification) => Promise<unknown>;
}

const EVENT_SEVERITY: Record<NotifyDeploymentInput['event'], Severity> = {
  started: 'info',
  succeeded: 'info',
  'awaiting-approval': 'info',
  'rolled-back': 'warning',
  failed: 'critical',
  'rollback-started': 'warning',
  'rollback-succeeded': 'warning',
  'rollback-failed': 'critical',
  'waiting-for-window': 'info',
  'window-overridden': 'warning',
};

export function createDeploymentActivities(ports: DeploymentActivityPorts) {
  const { containerApps, jobs, registry, probe, deployments, ledger } = ports;
  const gate = new TrafficGate({ containerApps, ledger, notify: ports.notify });

  /**
   * What served before `newName`, once `newName` serves (single-revision mode): the deploy
   * activity recorded it in the ledger before it created the revision.
   */
  async function servedBefore(app: string, newName: string): Promise<{ previousRevision?: string; previousImage?: string }> {
    const before = (await ledger.list(app)).find((r) => r.revisionName !== newName && r.verdict !== 'failed' && r.verdict !== 'rolled-back');
    return { previousRevision: before?.revisionName, previousImage: before?.image };
  }

  /** The new revision's release, `pending` until its deployment settles it. */
  async function recordPending(input: DeployRevisionInput, revisionName: string): Promise<void> {
    const { digest, tag, migration, group } = input.release;
    await ledger.update(input.app, revisionName, input.at, (current) =>
      current
        ? undefined
        : { verdict: 'pending', image: input.image, digest, tag, deploymentId: input.deploymentId, migration: migration?.executionName ? migration : undefined, group },
    );
  }

  return {
    async recordDeployment(input: RecordDeploymentInput): Promise<void> {
      await deployments.update(input.deploymentId, input.app, input.at, {
        phase: input.phase,
        step: input.step,
        previousRevision: input.previousRevision,
        newRevision: input.newRevision,
        reason: input.reason,
        rollout: input.rollout,
        analysis: input.analysis,
        opensAt: input.opensAt,
      });
    },

    async verifyImage(input: VerifyImageInput): Promise<VerifyImageResult> {
      const { image } = input;
      const summary = await registry.getManifestSummary(image.registry, image.repository, image.digest);
      if (!summary) return { ok: false, reason: `${image.repository}@${image.digest} is not in ${image.registry}` };
      if (summary.digest !== image.digest) {
        return { ok: false, reason: `registry resolved ${image.digest} to ${summary.digest}` };
      }
      // A late or replayed push must not deploy what its tag no longer names.
      if (image.tag) {
        const named = await registry.getManifestSummary(image.registry, image.repository, image.tag);
        if (named?.digest !== image.digest) {
          return { ok: false, reason: `stale: tag ${image.tag} ${named ? `now names ${named.digest}` : 'is no longer in the registry'}, not ${image.digest}` };
        }
      }
      if (!summary.platforms.includes(input.platform)) {
        return { ok: false, reason: `image has platforms [${summary.platforms.join(', ')}], app needs ${input.platform}` };
      }
      const sizeBytes = summary.sizeBytesByPlatform[input.platform] ?? 0;
      if (input.maxSizeBytes !== undefined && sizeBytes > input.maxSizeBytes) {
        return { ok: false, reason: `image is ${sizeBytes} bytes, over the app's cap of ${input.maxSizeBytes}` };
      }
      return { ok: true, digest: summary.digest, platforms: summary.platforms, sizeBytes };
    },

    async startMigration(input: StartMigrationInput): Promise<StartMigrationResult> {
      const job = { subscriptionId: input.containerApp.subscriptionId, resourceGroup: input.containerApp.resourceGroup, name: input.jobName };
      // The run id makes a retried start find the execution it already started:
      // a release's migration never runs twice.
      const execution = await jobs.startExecution(job, { image: input.image, command: input.command, runId: `migration-${input.deploymentId}` });
      return { ok: true, executionName: execution.name };
    },

    async getMigrationStatus(input: GetMigrationStatusInput): Promise<MigrationStatus> {
      const job = { subscriptionId: input.containerApp.subscriptionId, resourceGroup: input.containerApp.resourceGroup, name: input.jobName };
      const execution = await jobs.getExecution(job, input.executionName);
      if (!execution) return { status: 'Failed', reason: `execution ${input.executionName} no longer exists` };
      return { status: execution.status, reason: execution.reason };
    },

    /**
     * Reads what serves (recording it as the app's `baseline` release when the ledger has never
     * seen it), then creates the new revision through the traffic gate and records it as a
     * `pending` release: one activity, so a deployment pays one round trip for all of it.
     */
    async deployRevision(input: DeployRevisionInput): Promise<DeployRevisionResult> {
      const app = await containerApps.getApp(input.containerApp);
      const newName = `${input.containerApp.name}--${input.revisionSuffix}`;
      let previousRevision = servingRevision(app);
      let previousImage: string | undefined;
      if (previousRevision === newName) {
        // A retry after the revision was created (Single mode: it serves already).
        ({ previousRevision, previousImage } = await servedBefore(input.app, newName));
      } else if (previousRevision) {
        const revision = await containerApps.getRevision(input.containerApp, previousRevision);
        previousImage = revision?.image;
        await ledger.update(input.app, previousRevision, revision?.createdTime ?? input.at, (current) =>
          current ? undefined : baselineRelease(previousImage),
        );
      }
      const mode = app.activeRevisionsMode;
      const revision = await gate.createRevision(
        { app: input.app, containerApp: input.containerApp, deploymentId: input.deploymentId, at: input.at },
        // Multiple mode: traffic is pinned to the serving revision by name before the template changes.
        { image: input.image, revisionSuffix: input.revisionSuffix, mode, pinTo: mode === 'Multiple' ? previousRevision : undefined },
      );
      await recordPending(input, revision.name);
      // A retried activity finds the new revision serving in Single mode: what served before is in the ledger.
      return { revisionName: revision.name, fqdn: revision.fqdn, mode, previousRevision, previousImage };
    },

    async findDeployedRevision(input: FindDeployedRevisionInput): Promise<FindDeployedRevisionResult> {
      const name = `${input.containerApp.name}--${input.revisionSuffix}`;
      // The app and the list, not the revision's own URL: that read may be what kept failing.
      const [app, revisions] = await Promise.all([containerApps.getApp(input.containerApp), containerApps.listRevisions(input.containerApp)]);
      const revision = revisions.find((r) => r.name === name);
      if (!revision) return { exists: false };
      const serving = servingRevision(app);
      const before = serving && serving !== name ? { previousRevision: serving, previousImage: revisions.find((r) => r.name === serving)?.image } : await servedBefore(input.app, name);
      await recordPending(input, name);
      return { exists: true, revisionName: name, fqdn: revision.fqdn, mode: app.activeRevisionsMode, ...before };
    },

    async probeRevision(input: ProbeRevisionInput): Promise<RevisionObservation> {
      const revision = await containerApps.getRevision(input.containerApp, input.revisionName);
      if (!revision) return { platform: { exists: false } };
      const platform = {
        exists: true,
        provisioningState: revision.provisioningState,
        runningState: revision.runningState,
        healthState: revision.healthState,
        replicas: revision.replicas,
        active: revision.active,
      };
      const fqdn = input.fqdn ?? revision.fqdn;
      if (!fqdn || input.health.ingress === 'none') return { platform };
      // A request to the FQDN also wakes an app that scaled to zero.
      const result = await probe(`https://${fqdn}${input.health.path}`, { timeoutMs: input.health.timeoutSeconds * 1000 });
      return { platform, endpoint: result };
    },

    async activateRevision(input: RevisionActionInput): Promise<void> {
      await containerApps.activateRevision(input.containerApp, input.revisionName);
    },

    async deactivateRevision(input: RevisionActionInput): Promise<{ deactivated: boolean }> {
      const revision = await containerApps.getRevision(input.containerApp, input.revisionName);
      if (!revision || !revision.active) return { deactivated: false };
      if (input.onlyIfIdle && revision.trafficWeight > 0) return { deactivated: false };
      await containerApps.deactivateRevision(input.containerApp, input.revisionName);
      return { deactivated: true };
    },

    async notifyDeployment(input: NotifyDeploymentInput): Promise<void> {
      const image = `${input.image.repository}${input.image.tag ? `:${input.image.tag}` : ''}@${input.image.digest.slice(0, 19)}`;
      const titles: Record<NotifyDeploymentInput['event'], string> = {
        started: `Deploying ${input.app}`,
        succeeded: `Deployed ${input.app}`,
        'awaiting-approval': `${input.app} waits for approval`,
        'rolled-back': `Rolled back ${input.app}`,
        failed: `Deployment of ${input.app} failed`,
        'rollback-started': `Rolling back ${input.app}`,
        'rollback-succeeded': `Rolled back ${input.app}`,
        'rollback-failed': `Rollback of ${input.app} failed`,
        'waiting-for-window': `${input.app} waits for its deploy window`,
        'window-overridden': `${input.app} deploys outside its window`,
      };
      await ports.notify(input.channels, {
        event: `deployment.${input.event}`,
        app: input.app,
        severity: EVENT_SEVERITY[input.event],
        title: titles[input.event],
        text: input.reason ?? image,
        facts: { deployment: input.deploymentId, image },
        dedupKey: `harbormaster:deployment:${input.deploymentId}`,
      });
    },
  };
}

export type DeploymentActivities = ReturnType<typeof createDeploymentActivities>;
