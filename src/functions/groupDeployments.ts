/**
 * Manual control of release groups over HTTP (function key): deploy a group, roll a group
 * back, resume its automatic deploys. A member's own deploy and rollback routes act on its
 * group too: a member never releases or rolls back alone.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { getServices, type Services } from '../composition/services';
import type { ReleaseGroup } from '../config';
import { AbortEventName, pauseAutomatic, resumeAutomatic, type AbortEvent } from '../domain/deployment';
import { groupQueueKey } from '../domain/deployment/groupDeployment';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter, type OrchestrationStarter } from './durableStarter';
import { json, problem } from './http/problem';
import { deployBody, readValidated, referenceOf } from './manualDeployments';

const groupRollbackBody = z
  .strictObject({
    release: z.string().min(1).max(128).optional(),
    reason: z.string().min(1).max(500).optional(),
    force: z.boolean().optional(),
    by: z.string().max(100).optional(),
  })
  .default({})
  .superRefine((body, ctx) => {
    if (body.force && !body.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required with force: say why traffic may go to a release that failed' });
  });

function groupNamed(services: Services, name: string): ReleaseGroup | undefined {
  return (services.config.apps.groups ?? []).find((g) => g.name === name);
}

/** `POST /api/groups/{group}/deploy`: what a push of the group's image does, by hand (with an optional window override). */
export async function deployGroup(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = getServices();
  const group = groupNamed(services, request.params.group);
  if (!group) return problem(404, 'Unknown group', `no release group named "${request.params.group}"`, 'group');
  const body = await readValidated(request, deployBody, false);
  if ('response' in body) return body.response;
  const first = services.config.apps.apps.find((a) => a.name === group.apps[0])!;
  const { reference, field, tag } = referenceOf(body.value);
  const summary = await services.registry.getManifestSummary(first.image.registry, first.image.repository, reference);
  if (!summary) return problem(404, 'Image not found', `${first.image.repository}:${reference} is not in ${first.image.registry}`, field);
  const decision = await createLauncher(services).request(
    first.name,
    {
      registry: first.image.registry,
      repository: first.image.repository,
      tag,
      digest: summary.digest,
      source: 'manual',
      deliveryId: context.invocationId,
      ...(body.value.override ? { override: body.value.override } : {}),
    },
    durableStarter(df.getClient(context)),
  );
  const deploymentId = 'request' in decision ? decision.request.deploymentId : decision.decision === 'duplicate' ? decision.deploymentId : undefined;
  return json(decision.decision === 'started' || decision.decision === 'queued' ? 202 : 200, {
    group: group.name,
    members: group.apps,
    decision: decision.decision,
    reason: decision.reason,
    digest: summary.digest,
    ...(deploymentId ? { deploymentId, statusUrl: `/api/deployments/${deploymentId}` } : {}),
  });
}

/** `POST /api/groups/{group}/rollback`. */
export async function rollbackGroupRoute(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = getServices();
  const group = groupNamed(services, request.params.group);
  if (!group) return problem(404, 'Unknown group', `no release group named "${request.params.group}"`, 'group');
  const body = await readValidated(request, groupRollbackBody, true);
  if ('response' in body) return body.response;
  return rollbackGroup(services, group, { ...body.value, reason: body.value.reason ?? 'manual rollback' }, durableStarter(df.getClient(context)));
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
  const members = [...group.apps].reverse();
  const plans = [];
  for (const member of members) {
    const plan = await services.deploymentActivities.planRollback({ app: member, request: { release: rollback.release, force: rollback.force } });
    if (!plan.ok) return problem(plan.status, plan.status === 404 ? 'Unknown rollback target' : 'No safe rollback', `${member}: ${plan.reason}`, plan.field);
    plans.push({ member, plan });
  }
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

/** `POST /api/groups/{group}/resume`: the group's and its members' automatic deploys. */
export async function resumeGroup(request: HttpRequest): Promise<HttpResponseInit> {
  const services = getServices();
  const group = groupNamed(services, request.params.group);
  if (!group) return problem(404, 'Unknown group', `no release group named "${request.params.group}"`, 'group');
  await resumeGroupAndMembers(services, group);
  return json(200, { group: group.name, paused: false });
}

export async function resumeGroupAndMembers(services: Services, group: ReleaseGroup): Promise<void> {
  await services.appState.transact(groupQueueKey(group.name), resumeAutomatic);
  for (const member of group.apps) await services.appState.transact(member, resumeAutomatic);
}

export function registerGroupDeployments(): void {
  const client = [df.input.durableClient()];
  app.http('deployGroup', { route: 'groups/{group}/deploy', methods: ['POST'], authLevel: 'function', extraInputs: client, handler: deployGroup });
  app.http('rollbackGroup', { route: 'groups/{group}/rollback', methods: ['POST'], authLevel: 'function', extraInputs: client, handler: rollbackGroupRoute });
  app.http('resumeGroup', { route: 'groups/{group}/resume', methods: ['POST'], authLevel: 'function', handler: resumeGroup });
}
