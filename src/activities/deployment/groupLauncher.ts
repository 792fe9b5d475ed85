/**
 * Launching a release group's deployments: a push (or manual deploy) of any member becomes one
 * deployment of the whole group, under the group's own queue (one at a time, newest wins, the
 * app queue's rules), recorded once with the group's members; and a finished group deployment
 * tells each member what it serves and starts the group's next one.
 */
import type { ReleaseGroup } from '../../config';
import {
  OrchestratorNames,
  finishRunning,
  startRollback,
  type DeploymentRequest,
  type FinishDeploymentInput,
  type FinishDeploymentResult,
  type RequestDecision,
} from '../../domain/deployment';
import { groupQueueKey, recordGroupRelease, type GroupDeploymentInput } from '../../domain/deployment/groupDeployment';
import type { LaunchRequest, LauncherDeps, OrchestrationStarter } from './deploymentLauncher';
import { admitRequest, handOn, newDeploymentRequest, type QueueTarget } from './queueSteps';
import { inputBase, scheduleFields } from './deploymentInput';
import { toDeployCalendars } from './toDeployCalendars';
import { releaseSlots } from './releaseSlots';
import { toDeploySpec } from './toDeploySpec';

export class GroupLauncher {
  constructor(private readonly deps: LauncherDeps) {}

  async request(group: ReleaseGroup, push: LaunchRequest, starter: OrchestrationStarter): Promise<RequestDecision> {
    return admitRequest(this.deps, this.queueOf(group, starter), this.newRequest(group, push), push, starter);
  }

  private queueOf(group: ReleaseGroup, starter: OrchestrationStarter): QueueTarget {
    const key = groupQueueKey(group.name);
    return {
      queueKey: key,
      recordApp: group.name,
      scheduled: this.calendarsOf(group).length > 0,
      describe: { reasonSuffix: ` (release group ${group.name}: ${group.apps.join(', ')})`, group: { name: group.name, members: [...group.apps] } },
      start: (request) => this.start(group, request, starter),
      forget: (deploymentId) =>
        this.deps.appState.transact(key, (state) => (state.running?.deploymentId === deploymentId ? { state: { ...state, running: undefined }, result: undefined } : { state, result: undefined })),
    };
  }

  async finish(input: FinishDeploymentInput, starter: OrchestrationStarter): Promise<FinishDeploymentResult> {
    const group = this.group(input.app);
    await releaseSlots(this.deps, group.apps.map((name) => this.app(name)), input.deploymentId);
    const record = await this.deps.deployments.get(input.deploymentId);
    const key = groupQueueKey(group.name);
    const before = await this.deps.appState.get(key);
    const pushedAt = before.running?.deploymentId === input.deploymentId ? before.running.pushedAt : undefined;
    // A rollback holding the queue released nothing: the group's deployed digest stays what it was.
    const holder = before.running?.deploymentId === input.deploymentId && before.running.source === 'rollback';
    const succeeded = input.phase === 'succeeded' && !holder;
    const outcome = await this.deps.appState.transact(key, (state) =>
      finishRunning(state, { deploymentId: input.deploymentId, succeeded, tag: record?.image.tag, servingDigest: input.servingDigest, servingTag: input.servingTag }),
    );
    // Each member learns what it serves (what the reconcile timer and duplicate checks read).
    for (const member of group.apps) {
      await this.deps.appState.transact(member, (state) => recordGroupRelease(state, { succeeded, digest: input.digest, tag: record?.image.tag, pushedAt }));
    }
    await handOn(this.deps, this.queueOf(group, starter), input.deploymentId, outcome);
    return { nextDeploymentId: outcome.next?.deploymentId };
  }

  /**
   * A group's manual rollback holds the group's queue while its members' rollbacks run: a push
   * or deploy meanwhile queues. Returns false when a group deployment runs (abort that instead).
   */
  async holdForRollback(group: ReleaseGroup, reason: string): Promise<{ held: true; rollbackId: string } | { held: false; running: DeploymentRequest }> {
    const now = this.deps.now();
    const request: DeploymentRequest = { ...this.newRequest(group, { registry: '', repository: '', digest: '', source: 'rollback', deliveryId: `rollback-${this.deps.newId().slice(0, 8)}` }) };
    const outcome = await this.deps.appState.transact(groupQueueKey(group.name), (state) => startRollback(state, request, { at: now.toISOString(), reason }));
    return outcome.started ? { held: true, rollbackId: request.deploymentId } : { held: false, running: outcome.running };
  }

  /** A member's rollback ended: once none of the group's members runs one, the group's queue goes on. */
  async memberFinished(group: ReleaseGroup, starter: OrchestrationStarter): Promise<void> {
    const state = await this.deps.appState.get(groupQueueKey(group.name));
    const holding = state.running;
    if (!holding || holding.source !== 'rollback') return;
    for (const member of group.apps) {
      if ((await this.deps.appState.get(member)).running) return;
    }
    await this.finish({ deploymentId: holding.deploymentId, app: group.name, group: { members: [] }, phase: 'succeeded', digest: holding.digest }, starter);
  }

  private async start(group: ReleaseGroup, request: DeploymentRequest, starter: OrchestrationStarter): Promise<void> {
    const members = group.apps.map((name) => this.app(name));
    const input: GroupDeploymentInput = { ...inputBase(request), group: group.name, members: members.map(toDeploySpec), ...scheduleFields(this.deps.schedule, members, request, group) };
    await starter.start(OrchestratorNames.groupDeployment, request.deploymentId, input);
  }

  private calendarsOf(group: ReleaseGroup) {
    return this.deps.schedule ? toDeployCalendars(this.deps.schedule, group.apps.map((name) => this.app(name)), group) : [];
  }

  private newRequest(group: ReleaseGroup, push: LaunchRequest): DeploymentRequest {
    return newDeploymentRequest(this.deps, groupQueueKey(group.name), group.name, push);
  }


  private group(name: string): ReleaseGroup {
    const group = this.deps.schedule?.groups.find((g) => g.name === name);
    if (!group) throw new Error(`No release group named "${name}" in the configuration`);
    return group;
  }

  private app(name: string) {
    const app = this.deps.apps.find((a) => a.name === name);
    if (!app) throw new Error(`No app named "${name}" in the configuration`);
    return app;
  }
}
