/**
 * A release group's deployment as runs the single-app step helpers understand: one run for the
 * group (its record, its notifications, its abort) and one per member (its own input, facts and
 * sub-orchestration ids), whose records go to the group's one deployment record, each step
 * marked with the member. Orchestrator code: deterministic, no I/O.
 */
import type { OrchestrationContext, Task } from 'durable-functions';
import {
  AbortEventName,
  ActivityNames as A,
  type DeploymentInput,
  type NotifyDeploymentInput,
  type RecordDeploymentInput,
} from '../../domain/deployment';
import type { DeploySpec } from '../../domain/deployment';
import type { GroupDeploymentInput } from '../../domain/deployment/groupDeployment';
import { armRetry, type RolloutRun } from './rolloutRun';
import type { WindowRun } from './windowGate';

export interface GroupRun extends WindowRun {
  readonly input: GroupDeploymentInput;
  now(): string;
  call(activity: string, input: unknown): Task;
  /** Every member's channels, once each. */
  readonly channels: string[];
}

export function startGroupRun(context: OrchestrationContext): GroupRun {
  const input = context.df.getInput() as GroupDeploymentInput;
  const retry = armRetry();
  const now = (): string => context.df.currentUtcDateTime.toISOString();
  const call = (activity: string, activityInput: unknown): Task => context.df.callActivityWithRetry(activity, retry, activityInput);
  const channels = [...new Set(input.members.flatMap((m) => m.notify))];
  return {
    context,
    input,
    channels,
    abort: context.df.waitForExternalEvent(AbortEventName),
    now,
    nowMs: () => context.df.currentUtcDateTime.getTime(),
    call,
    record: (fields) => call(A.recordDeployment, { deploymentId: input.deploymentId, app: input.group, at: now(), ...fields } satisfies RecordDeploymentInput),
    notify: (event, reason) =>
      context.df.callActivity(A.notifyDeployment, {
        deploymentId: input.deploymentId,
        app: input.group,
        channels,
        event,
        image: input.image,
        reason,
      } satisfies NotifyDeploymentInput),
  };
}

/**
 * One member's part. Its deployment id is the group's prefixed with the member (so revision
 * suffixes and sub-orchestration ids stay apart and still end in the group deployment's id);
 * its records are the group's, marked with the member; the abort is the group's.
 */
export function memberRun(group: GroupRun, spec: DeploySpec): RolloutRun {
  const { input } = group;
  const memberInput: DeploymentInput = {
    deploymentId: `${spec.app}-in-${input.deploymentId}`,
    spec,
    image: input.image,
    source: input.source,
    requestedAt: input.requestedAt,
    releaseGroup: { name: input.group, deploymentId: input.deploymentId },
    ...(input.rolloutVersion ? { rolloutVersion: input.rolloutVersion } : {}),
  };
  const record: RolloutRun['record'] = (fields) => {
    // The member's revisions and rollout progress are its own; the group record keeps the steps and the phase.
    const { rollout: _rollout, previousRevision: _previous, newRevision: _new, ...kept } = fields;
    return group.record({ ...kept, ...(fields.step ? { step: { ...fields.step, member: spec.app } } : {}) });
  };
  return {
    context: group.context,
    input: memberInput,
    retry: armRetry(),
    abort: group.abort,
    facts: {},
    now: group.now,
    nowMs: group.nowMs,
    call: group.call,
    record,
    step: (name, outcome, detail, phase) => record({ step: { name, outcome, detail }, phase }),
    notify: (event, reason) => group.notify(event, `${spec.app}: ${reason ?? event}`),
  };
}
