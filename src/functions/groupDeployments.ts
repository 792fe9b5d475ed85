/**
 * Manual control of release groups over HTTP (Operator role or an operate key): deploy a group, roll a group
 * back, resume its automatic deploys. A member's own deploy and rollback routes act on its
 * group too: a member never releases or rolls back alone.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getServices, type Services } from '../composition/services';
import type { ReleaseGroup } from '../config';
import type { Caller } from '../domain/access';
import { AbortEventName, pauseAutomatic, resumeAutomatic, type AbortEvent, type PlanRollbackResult } from '../domain/deployment';
import { groupQueueKey } from '../domain/deployment/groupDeployment';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter, type OrchestrationStarter } from './durableStarter';
import { registerApiRoute } from './http/apiRoute';
import { json, problem } from './http/problem';
import { deployRequested, readValidated, rollbackBody } from './manualDeployments';

function groupNamed(services: Services, name: string): ReleaseGroup | undefined {
  return (services.config.apps.groups ?? []).find((g) => g.name === name);
}

function unknownGroup(request: HttpRequest): HttpResponseInit {
  return problem(404, 'Unknown group', `no release group named "${request.params.group}"`, 'group');
}

/** `POST /api/groups/{group}/deploy`: what a push of the group's image does, by hand (with an optional window override). */
export async function deployGroup(request: HttpRequest, context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
  const services = getServices();
  const group = groupNamed(services, request.params.group);
  if (!group) return unknownGroup(request);
  const first = services.config.apps.apps.find((a) => a.name === group.apps[0])!;
  return deployRequested(request, context, caller, first, { group: group.name, members: group.apps });
}

/** `POST /api/groups/{group}/rollback`. */
export async function rollbackGroupRoute(request: HttpRequest, context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
  const services = getServices();
  const group = groupNamed(services, request.params.group);
  if (!group) return unknownGroup(request);
  const body = await readValidated(request, rollbackBody, true);
  if ('response' in body) return body.response;
  const { revision, ...rest } = body.value;
  if (revision) return problem(409, 'A release group', `group ${group.name} rolls back as a whole: name a release (tag or digest) rather than one member's revision`, 'revision');
  return rollbackGroup(services, group, { ...rest, by: caller.name, reason: rest.reason ?? 'manual rollback' }, durableStarter(df.getClient(context)));
}

/**
 * Rolls a release group back. A group deployment running is aborted: its own compensation puts
 * every member back, in reverse order. An idle group gets a rollback of every member (each
 * health-checked before its traffic moves, as a single app's), started in reverse order, once
 * every member has a safe target. Either way the group's automatic deploys pause.
 */
export async function rollbackGroup(
  services: Services,
  group: ReleaseGroup,
  rollback: { release?: string; reason: string; force?: boolean; by?: string },
  starter: OrchestrationStarter,
): Promise<HttpResponseInit> {
  const at = new Date().toISOString();
  const key = groupQueueKey(group.name);
  const resumeUrl = `/api/groups/${group.name}/resume`;
  const state = await services.appState.get(key);
  if (state.running) {
    await services.appState.transact(key, (s) => pauseAutomatic(s, { at, reason: rollback.reason }));
    await starter.raiseEvent(state.running.deploymentId, AbortEventName, { reason: rollback.reason, by: rollback.by } satisfies AbortEvent);
    return json(202, { group: group.name, aborted: state.running.deploymentId, paused: true, statusUrl: `/api/deployments/${state.running.deploymentId}`, resumeUrl });
  }
  const planned = await planGroupRollback(services, group, rollback);
  if (!planned.ok) return planned.response;
  const { plans } = planned;
  const launcher = createLauncher(services);
  // The group's queue is held while the members roll back: a push or deploy meanwhile waits its turn.
  const held = await launcher.groupLauncher.holdForRollback(group, rollback.reason);
  if (!held.held) return problem(409, 'A deployment is running', `${held.running.deploymentId} of group ${group.name} started meanwhile: roll back again to abort it`);
  const rollbacks = [];
  for (const { member, plan } of plans) {
    const managed = services.config.apps.apps.find((a) => a.name === member)!;
    const launched = await launcher.rollback(
      member,
      { ...rollback, reason: `${rollback.reason} (group ${group.name})` },
      { registry: managed.image.registry, repository: managed.image.repository, digest: plan.target.digest ?? '', tag: plan.target.tag },
      starter,
    );
    rollbacks.push({ app: member, kind: launched.kind, deploymentId: launched.deploymentId, from: plan.from?.revisionName, to: plan.target.revisionName, statusUrl: `/api/deployments/${launched.deploymentId}` });
  }
  // Members whose rollback could not start (one of theirs ran) release the hold when that one ends.
  await launcher.groupLauncher.memberFinished(group, starter);
  return json(202, { group: group.name, kind: 'rollback', rollbacks, paused: true, resumeUrl });
}

/**
 * Every member's rollback target, in the order the rollbacks start (reverse member order), or the
 * refusal of the first member without a safe one. The rollback and its preview both plan here.
 */
export async function planGroupRollback(
  services: Services,
  group: ReleaseGroup,
  request: { release?: string; force?: boolean },
): Promise<{ ok: true; plans: Array<{ member: string; plan: Extract<PlanRollbackResult, { ok: true }> }> } | { ok: false; response: HttpResponseInit }> {
  const plans = [];
  for (const member of [...group.apps].reverse()) {
    const plan = await services.deploymentActivities.planRollback({ app: member, request: { release: request.release, force: request.force } });
    if (!plan.ok) return { ok: false, response: problem(plan.status, plan.status === 404 ? 'Unknown rollback target' : 'No safe rollback', `${member}: ${plan.reason}`, plan.field) };
    plans.push({ member, plan });
  }
  return { ok: true, plans };
}

/** `POST /api/groups/{group}/resume`: the group's and its members' automatic deploys. */
export async function resumeGroup(request: HttpRequest, context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
  const services = getServices();
  const group = groupNamed(services, request.params.group);
  if (!group) return unknownGroup(request);
  await resumeGroupAndMembers(services, group);
  context.log(JSON.stringify({ msg: 'automatic deploys resumed', group: group.name, by: caller.name }));
  return json(200, { group: group.name, paused: false, by: caller.name });
}

export async function resumeGroupAndMembers(services: Services, group: ReleaseGroup): Promise<void> {
  await services.appState.transact(groupQueueKey(group.name), resumeAutomatic);
  for (const member of group.apps) await services.appState.transact(member, resumeAutomatic);
}

export function registerGroupDeployments(): void {
  const client = [df.input.durableClient()];
  registerApiRoute('deployGroup', { route: 'groups/{group}/deploy', methods: ['POST'], extraInputs: client, handler: deployGroup });
  registerApiRoute('rollbackGroup', { route: 'groups/{group}/rollback', methods: ['POST'], extraInputs: client, handler: rollbackGroupRoute });
  registerApiRoute('resumeGroup', { route: 'groups/{group}/resume', methods: ['POST'], handler: resumeGroup });
}
