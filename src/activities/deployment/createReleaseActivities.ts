/**
 * Activities over the release ledger and the traffic gate: route traffic, re-apply a
 * release (single-revision rollback), record and settle releases, plan a rollback, run a
 * down migration, stop a migration. Refusals return `{ ok: false, reason }` (retrying would
 * not change them); thrown errors are transient.
 */
import type { ContainerAppsPort } from '../../adapters/containerApps/containerAppsPort';
import type { JobsPort } from '../../adapters/jobs/jobsPort';
import type { Notification } from '../../adapters/notify/notification';
import type { ReleaseLedgerStore } from '../../adapters/storage/releaseLedgerStore';
import type { ManagedApp } from '../../config';
import type {
  MigrationStatus,
  PlanRollbackInput,
  PlanRollbackResult,
  RecordReleaseInput,
  RestoreReleaseInput,
  RestoreReleaseResult,
  RouteTrafficInput,
  RouteTrafficResult,
  SettleReleaseInput,
  StartDownMigrationInput,
  StartMigrationResult,
  StopMigrationInput,
} from '../../domain/deployment';
import { baselineRelease, chooseRollbackTarget, servingRevision } from '../../domain/rollout';
import { TrafficGate, TrafficRefused } from './trafficGate';

export interface ReleaseActivityPorts {
  apps: ReadonlyArray<ManagedApp>;
  containerApps: ContainerAppsPort;
  jobs: JobsPort;
  ledger: ReleaseLedgerStore;
  notify: (channels: readonly string[], notification: Notification) => Promise<unknown>;
}

export function createReleaseActivities(ports: ReleaseActivityPorts) {
  const { containerApps, jobs, ledger } = ports;
  const gate = new TrafficGate({ containerApps, ledger, notify: ports.notify });

  async function refusedAsResult<T>(work: () => Promise<T>): Promise<T | { ok: false; reason: string }> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof TrafficRefused) return { ok: false, reason: error.message };
      throw error;
    }
  }

  return {
    async routeTraffic(input: RouteTrafficInput): Promise<RouteTrafficResult> {
      return refusedAsResult(async () => {
        await gate.route(input, input.traffic);
        return { ok: true as const };
      });
    },

    async restoreRelease(input: RestoreReleaseInput): Promise<RestoreReleaseResult> {
      return refusedAsResult(async () => {
        const revision = await gate.createRevision(input, { image: input.image, revisionSuffix: input.revisionSuffix, mode: 'Single', restores: input.restores });
        return { ok: true as const, revisionName: revision.name, fqdn: revision.fqdn };
      });
    },

    async recordRelease(input: RecordReleaseInput): Promise<void> {
      await ledger.update(input.app, input.revisionName, input.at, (current) =>
        current
          ? undefined
          : {
              verdict: 'pending',
              image: input.image,
              digest: input.digest,
              tag: input.tag,
              deploymentId: input.deploymentId,
              restoredFrom: input.restoredFrom,
              migration: input.migration?.executionName ? input.migration : undefined,
            },
      );
    },

    async settleRelease(input: SettleReleaseInput): Promise<void> {
      await ledger.update(input.app, input.revisionName, input.at, (current) => {
        if (input.down) return { migration: { down: { ...input.down, at: input.at } } };
        if (!current) return undefined;
        if (current.verdict === input.verdict) return undefined;
        if (input.only && !input.only.includes(current.verdict)) return undefined;
        return { verdict: input.verdict, reason: input.reason };
      });
    },

    async planRollback(input: PlanRollbackInput): Promise<PlanRollbackResult> {
      const app = ports.apps.find((a) => a.name === input.app);
      if (!app) return { ok: false, status: 404, reason: `no app named "${input.app}"`, field: 'app' };
      const [view, revisions, releases] = await Promise.all([containerApps.getApp(app.containerApp), containerApps.listRevisions(app.containerApp), ledger.list(app.name)]);
      const serving = servingRevision(view);
      // A serving revision Harbormaster has never seen is the app's baseline: record it, so the
      // rollback can name what it leaves and status and ledger agree.
      if (serving && !releases.some((r) => r.revisionName === serving)) {
        const revision = revisions.find((r) => r.name === serving);
        const baseline = await ledger.update(app.name, serving, revision?.createdTime ?? new Date().toISOString(), (current) =>
          current ? undefined : baselineRelease(revision?.image),
        );
        if (baseline) releases.push(baseline);
      }
      const plan = chooseRollbackTarget(
        {
          containerAppName: app.containerApp.name,
          mode: view.activeRevisionsMode,
          serving,
          releases,
          revisions: revisions.map((r) => ({ name: r.name, image: r.image, provisioningState: r.provisioningState, active: r.active })),
          policy: app.migration?.rollback ?? 'keep-schema',
        },
        input.request,
      );
      if (!plan.ok) return plan;
      return { ...plan, mode: view.activeRevisionsMode, fqdn: revisions.find((r) => r.name === plan.target.revisionName)?.fqdn };
    },

    async startDownMigration(input: StartDownMigrationInput): Promise<StartMigrationResult> {
      const job = { subscriptionId: input.containerApp.subscriptionId, resourceGroup: input.containerApp.resourceGroup, name: input.jobName };
      // One run id per release: a release is migrated down at most once, whatever retries or restarts.
      const execution = await jobs.startExecution(job, { image: input.image, command: input.command, runId: `down-${input.app}-${input.revisionName}` });
      return { ok: true, executionName: execution.name };
    },

    async stopMigration(input: StopMigrationInput): Promise<MigrationStatus> {
      const job = { subscriptionId: input.containerApp.subscriptionId, resourceGroup: input.containerApp.resourceGroup, name: input.jobName };
      const before = await jobs.getExecution(job, input.executionName);
      if (before && (before.status === 'Running' || before.status === 'Processing' || before.status === 'Unknown')) await jobs.stopExecution(job, input.executionName);
      const after = await jobs.getExecution(job, input.executionName);
      return after ? { status: after.status, reason: after.reason } : { status: 'Stopped', reason: 'execution no longer exists' };
    },
  };
}

export type ReleaseActivities = ReturnType<typeof createReleaseActivities>;
