/**
 * Turns a deployment request (webhook, reconcile, manual deploy, manual rollback) into a
 * started or queued deployment, and a finished deployment into the next one. All decisions
 * are the pure queue rules (src/domain/deployment/deploymentQueue.ts); this applies them under
 * the app state's ETag, keeps the records, and starts orchestrations.
 */
import type { ManagedApp } from '../../config';
import type { AppStateStore } from '../../adapters/storage/appStateStore';
import type { DeploymentStore } from '../../adapters/storage/deploymentStore';
import {
  AbortEventName,
  OrchestratorNames,
  ROLLOUT_VERSION,
  type WindowOverride,
  TERMINAL_PHASES,
  clearStaleRunning,
  finishRunning,
  startRollback,
  type AbortEvent,
  type DeploymentInput,
  type DeploymentRequest,
  type FinishDeploymentInput,
  type FinishDeploymentResult,
  type RequestDecision,
  type RequestSource,
  type RollbackInput,
} from '../../domain/deployment';
import { imageOf, inputBase, scheduleFields } from './deploymentInput';
import { toDeploySpec } from './toDeploySpec';
import { groupOf, toDeployCalendars, type ScheduleConfig } from './toDeployCalendars';
import type { DeploySlotStore } from '../../adapters/storage/deploySlotStore';
import { releaseSlots } from './releaseSlots';
import { GroupLauncher } from './groupLauncher';
import { admitRequest, handOn, newDeploymentRequest, recordThenStart, type QueueTarget } from './queueSteps';

export interface OrchestrationStarter {
  start(name: string, instanceId: string, input: unknown): Promise<void>;
  raiseEvent?(instanceId: string, eventName: string, data: unknown): Promise<void>;
  isRunning?(instanceId: string): Promise<boolean>;
}

export interface LaunchRequest {
  registry: string;
  repository: string;
  tag?: string;
  digest: string;
  source: RequestSource;
  deliveryId: string;
  /** The registry's time of the push, when the sender says. */
  pushedAt?: string;
  /** Manual deploys: the API's authenticated caller. */
  requestedBy?: string;
  /** A person deploys outside the deploy windows, for this reason. */
  override?: WindowOverride;
}

export interface LauncherDeps {
  apps: ReadonlyArray<ManagedApp>;
  appState: AppStateStore;
  deployments: DeploymentStore;
  now: () => Date;
  newId: () => string;
  /** Release groups, the global deploy windows and the environments' deployment limits (absent: none). */
  schedule?: ScheduleConfig;
  /** Where the environments' deployment slots are kept (needed with `schedule.environments`). */
  slots?: DeploySlotStore;
}



export type RollbackLaunch =
  | { kind: 'rollback'; deploymentId: string }
  | { kind: 'aborted'; deploymentId: string }
  | { kind: 'busy'; deploymentId: string; reason: string };

export class DeploymentLauncher {
  private readonly groups: GroupLauncher;

  constructor(private readonly deps: LauncherDeps) {
    this.groups = new GroupLauncher(deps);
  }

  async request(appName: string, push: LaunchRequest, starter: OrchestrationStarter): Promise<RequestDecision> {
    const app = this.app(appName);
    // A member of a release group deploys with its group, as one deployment.
    const group = this.deps.schedule ? groupOf(this.deps.schedule, app.name) : undefined;
    if (group) return this.groups.request(group, push, starter);
    return admitRequest(this.deps, this.queueOf(app, starter), this.newRequest(app, push), push, starter);
  }

  private queueOf(app: ManagedApp, starter: OrchestrationStarter): QueueTarget {
    return {
      queueKey: app.name,
      recordApp: app.name,
      scheduled: this.calendarsOf(app).length > 0,
      start: (request) => this.startOrchestration(app, request, starter),
      forget: (deploymentId) => this.forget(app.name, deploymentId),
    };
  }

  /**
   * A manual rollback. An idle app gets a rollback orchestration (the app's one running
   * deployment, recorded as kind `rollback`); an app with a deployment running gets that
   * deployment aborted, so its own compensation puts back what served before it.
   */
  async rollback(appName: string, rollback: RollbackInput['request'], target: { digest: string; tag?: string; registry: string; repository: string }, starter: OrchestrationStarter): Promise<RollbackLaunch> {
    const app = this.app(appName);
    const now = this.deps.now();
    const at = now.toISOString();
    const request: DeploymentRequest = {
      ...this.newRequest(app, { ...target, source: 'rollback', deliveryId: `rollback-${this.deps.newId().slice(0, 8)}` }),
    };
    const pause = { at, reason: rollback.reason };
    const outcome = await this.deps.appState.transact(app.name, (state) => startRollback(state, request, pause));
    if (!outcome.started) {
      const running = outcome.running;
      if (running.source === 'rollback') return { kind: 'busy', deploymentId: running.deploymentId, reason: `rollback ${running.deploymentId} is already running` };
      if (rollback.revision || rollback.release) {
        return { kind: 'busy', deploymentId: running.deploymentId, reason: `deployment ${running.deploymentId} is running: roll back without a target to abort it (its own rollback restores what served before it), then choose a target` };
      }
      await this.deps.appState.transact(app.name, (state) => (state.paused ? { state, result: undefined } : { state: { ...state, paused: pause }, result: undefined }));
      if (!starter.raiseEvent) throw new Error('starter cannot raise events');
      await starter.raiseEvent(running.deploymentId, AbortEventName, { reason: rollback.reason, by: rollback.by } satisfies AbortEvent);
      return { kind: 'aborted', deploymentId: running.deploymentId };
    }
    const record = { id: request.deploymentId, app: app.name, kind: 'rollback' as const, image: imageOf(request), source: request.source, at: request.receivedAt, phase: 'rolling-back' as const, reason: rollback.reason, ...(rollback.by ? { requestedBy: rollback.by } : {}) };
    await recordThenStart(this.deps, record, () => {
      const input: RollbackInput = {
        deploymentId: request.deploymentId,
        spec: toDeploySpec(app),
        image: imageOf(request),
        source: 'rollback',
        requestedAt: request.receivedAt,
        rolloutVersion: ROLLOUT_VERSION,
        request: rollback,
      };
      return starter.start(OrchestratorNames.rollback, request.deploymentId, input);
    }, () => this.forget(app.name, request.deploymentId));
    return { kind: 'rollback', deploymentId: request.deploymentId };
  }

  /** The launcher of release groups' deployments (a member's requests go to its group). */
  get groupLauncher(): GroupLauncher {
    return this.groups;
  }

  async finish(input: FinishDeploymentInput, starter: OrchestrationStarter): Promise<FinishDeploymentResult> {
    if (input.group) return this.groups.finish(input, starter);
    const app = this.app(input.app);
    await releaseSlots(this.deps, [app], input.deploymentId);
    const record = await this.deps.deployments.get(input.deploymentId);
    const outcome = await this.deps.appState.transact(app.name, (state) =>
      finishRunning(state, {
        deploymentId: input.deploymentId,
        succeeded: input.phase === 'succeeded',
        tag: record?.image.tag,
        servingDigest: input.servingDigest,
        servingTag: input.servingTag,
      }),
    );
    await handOn(this.deps, this.queueOf(app, starter), input.deploymentId, outcome);
    const group = this.deps.schedule ? groupOf(this.deps.schedule, app.name) : undefined;
    if (group) await this.groups.memberFinished(group, starter);
    return { nextDeploymentId: outcome.next?.deploymentId };
  }

  /**
   * Repairs an app whose `running` names a deployment that is over or never started: clears
   * it (and starts what was queued). Returns what it did, for reconcile's findings.
   */
  async repairStale(appName: string, starter: OrchestrationStarter, minAgeMs: number): Promise<string | undefined> {
    const app = this.app(appName);
    const state = await this.deps.appState.get(app.name);
    const running = state.running;
    if (!running) return undefined;
    const record = await this.deps.deployments.get(running.deploymentId);
    const orchestrating = starter.isRunning ? await starter.isRunning(running.deploymentId) : true;
    const old = this.deps.now().getTime() - Date.parse(running.receivedAt) > minAgeMs;
    if (record && TERMINAL_PHASES.has(record.phase)) {
      await this.finish({ deploymentId: running.deploymentId, app: app.name, phase: record.phase, digest: running.digest }, starter);
      return `finished ${running.deploymentId} (${record.phase}), which had ended without releasing the app`;
    }
    if (!orchestrating && old) {
      await this.deps.appState.transact(app.name, (s) => clearStaleRunning(s, running.deploymentId));
      if (record) await this.deps.deployments.update(running.deploymentId, app.name, this.deps.now().toISOString(), { phase: 'failed', reason: 'its orchestration never started or vanished; cleared by reconcile' });
      return `cleared ${running.deploymentId}: no orchestration runs it`;
    }
    return undefined;
  }

  private newRequest(app: ManagedApp, push: LaunchRequest): DeploymentRequest {
    return newDeploymentRequest(this.deps, app.name, app.name, push);
  }


  private calendarsOf(app: ManagedApp) {
    return this.deps.schedule ? toDeployCalendars(this.deps.schedule, [app]) : [];
  }

  /**
   * Writes the deployment's record, then starts what runs it. Never leaves the app "running" a
   * deployment that has no record or no orchestration: every later push would queue behind nothing.
   */
  private async forget(app: string, deploymentId: string): Promise<void> {
    await this.deps.appState.transact(app, (state) => clearStaleRunning(state, deploymentId));
  }

  private async startOrchestration(app: ManagedApp, request: DeploymentRequest, starter: OrchestrationStarter): Promise<void> {
    const input: DeploymentInput = { ...inputBase(request), spec: toDeploySpec(app), ...scheduleFields(this.deps.schedule, [app], request) };
    await starter.start(OrchestratorNames.deployment, request.deploymentId, input);
  }

  private app(name: string): ManagedApp {
    const app = this.deps.apps.find((a) => a.name === name);
    if (!app) throw new Error(`No app named "${name}" in the configuration`);
    return app;
  }
}
