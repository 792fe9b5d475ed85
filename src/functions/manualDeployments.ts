/**
 * Manual control over HTTP (Operator role or an operate key): deploy a tag or digest, roll back,
 * resume automatic deploys, approve or reject a deployment at its gate. Who did it is the
 * authenticated caller, recorded with the action; a `by` in the body is refused (400), since
 * anything a caller writes there could name someone else.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { getServices } from '../composition/services';
import type { Caller } from '../domain/access';
import type { ManagedApp } from '../config';
import { ApprovalEventName, TERMINAL_PHASES, resumeAutomatic } from '../domain/deployment';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';
import { registerApiRoute } from './http/apiRoute';
import { json, problem } from './http/problem';
import { parseJson, readBodyCapped } from './http/readBody';
import { resumeGroupAndMembers, rollbackGroup } from './groupDeployments';

/** Deploy outside the deploy windows (and through a freeze): recorded on the deployment and sent to the channels. */
// Who overrides is the authenticated caller, like every action's.
const override = z.strictObject({ reason: z.string().trim().min(1, 'must say why').max(500) }).optional();

export const deployBody = z
  .strictObject({
    tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'must be an image tag').optional(),
    digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256: and 64 hex characters').optional(),
    override,
  })
  .superRefine((body, ctx) => {
    if ((body.tag === undefined) === (body.digest === undefined)) ctx.addIssue({ code: 'custom', path: ['tag'], message: 'give a tag or a digest (one of them)' });
  });

/** The tag or digest a deploy body names, and which field it came from. */
export function referenceOf(body: z.output<typeof deployBody>): { reference: string; field: 'tag' | 'digest'; tag?: string } {
  return body.tag !== undefined ? { reference: body.tag, field: 'tag', tag: body.tag } : { reference: body.digest!, field: 'digest' };
}

export const rollbackBody = z
  .strictObject({
    revision: z.string().min(1).max(100).optional(),
    release: z.string().min(1).max(128).optional(),
    reason: z.string().min(1).max(500).optional(),
    force: z.boolean().optional(),
  })
  .default({})
  .superRefine((body, ctx) => {
    if (body.revision && body.release) ctx.addIssue({ code: 'custom', path: ['release'], message: 'give revision or release, not both' });
    if (body.force && !body.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required with force: say why traffic may go to a release that failed' });
  });
const approvalBody = z.strictObject({ comment: z.string().max(500).optional() }).default({});

export async function readValidated<T>(request: HttpRequest, schema: z.ZodType<T>, allowEmpty: boolean): Promise<{ value: T } | { response: HttpResponseInit }> {
  const read = await readBodyCapped(request, 16 * 1024);
  if ('response' in read) return read;
  if (read.raw.length === 0 && allowEmpty) {
    const parsed = schema.safeParse(undefined);
    if (parsed.success) return { value: parsed.data };
  }
  const body = parseJson(read.raw);
  if ('response' in body) return body;
  if (typeof body.body === 'object' && body.body !== null && 'by' in body.body) {
    return { response: problem(400, 'Invalid request', 'by: is not accepted: who acts is the authenticated caller, recorded by Harbormaster', 'by') };
  }
  const parsed = schema.safeParse(body.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : '(body)';
    return { response: problem(400, 'Invalid request', `${field}: ${issue.message}`, field) };
  }
  return { value: parsed.data };
}

export async function deployApp(request: HttpRequest, context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
  const services = getServices();
  const appName = request.params.app;
  const managed = services.config.apps.apps.find((a) => a.name === appName);
  if (!managed) return problem(404, 'Unknown app', `no app named "${appName}"`, 'app');
  return deployRequested(request, context, caller, managed);
}

/**
 * A manual deploy of `managed`'s image (a group member's deploys its group): validates the body,
 * resolves the tag or digest in the registry, hands the request to the launcher, answers with
 * the decision (202 when started or queued) and `extra` fields.
 */
export async function deployRequested(request: HttpRequest, context: InvocationContext, caller: Caller, managed: ManagedApp, extra: Record<string, unknown> = {}): Promise<HttpResponseInit> {
  const services = getServices();
  const body = await readValidated(request, deployBody, false);
  if ('response' in body) return body.response;
  const { reference, field, tag } = referenceOf(body.value);
  const summary = await services.registry.getManifestSummary(managed.image.registry, managed.image.repository, reference);
  if (!summary) return problem(404, 'Image not found', `${managed.image.repository}:${reference} is not in ${managed.image.registry}`, field);
  const decision = await createLauncher(services).request(
    managed.name,
    {
      registry: managed.image.registry,
      repository: managed.image.repository,
      tag,
      digest: summary.digest,
      source: 'manual' as const,
      deliveryId: context.invocationId,
      requestedBy: caller.name,
      ...(body.value.override ? { override: { ...body.value.override, by: caller.name } } : {}),
    },
    durableStarter(df.getClient(context)),
  );
  const deploymentId = 'request' in decision ? decision.request.deploymentId : decision.decision === 'duplicate' ? decision.deploymentId : undefined;
  return json(decision.decision === 'started' || decision.decision === 'queued' ? 202 : 200, {
    ...extra,
    decision: decision.decision,
    reason: decision.reason,
    digest: summary.digest,
    ...(deploymentId ? { deploymentId, statusUrl: `/api/deployments/${deploymentId}` } : {}),
  });
}

/**
 * Manual rollback. The handler only validates and starts: an app with a deployment running
 * gets that deployment aborted (its own compensation restores what served before it); an
 * idle app gets a rollback orchestration that health-checks the target before traffic moves.
 * No safe target, or a migration policy that blocks: 409 saying why. Either way automatic
 * deploys of the app pause until resumed.
 */
export async function rollbackApp(request: HttpRequest, context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const body = await readValidated(request, rollbackBody, true);
  if ('response' in body) return body.response;
  const { revision, release, force } = body.value;
  const by = caller.name;
  const reason = body.value.reason ?? 'manual rollback';
  const starter = durableStarter(df.getClient(context));
  // A member of a release group never rolls back alone: its whole group does.
  const group = (services.config.apps.groups ?? []).find((g) => g.apps.includes(managed.name));
  if (group) {
    if (revision) return problem(409, 'Member of a release group', `${managed.name} releases with group ${group.name}: roll back the group, naming a release (tag or digest) rather than one member's revision`, 'revision');
    return rollbackGroup(services, group, { release, force, by, reason }, starter);
  }
  const launcher = createLauncher(services);
  const rollback = { revision, release, force, by, reason };
  const image = { registry: managed.image.registry, repository: managed.image.repository };

  // A named target is checked first, whatever runs: an unknown one is a 404 naming the field.
  const plan = await services.deploymentActivities.planRollback({ app: managed.name, request: rollback });
  if (!plan.ok && (plan.status === 404 || revision || release)) return problem(plan.status, plan.status === 404 ? 'Unknown rollback target' : 'No safe rollback', plan.reason, plan.field);

  const state = await services.appState.get(managed.name);
  if (state.running) {
    const launched = await launcher.rollback(managed.name, rollback, { ...image, digest: state.running.digest }, starter);
    if (launched.kind === 'busy') return problem(409, 'A deployment is running', launched.reason);
    return json(202, { app: managed.name, aborted: launched.deploymentId, paused: true, statusUrl: `/api/deployments/${launched.deploymentId}`, resumeUrl: `/api/apps/${managed.name}/resume` });
  }
  if (!plan.ok) return problem(plan.status, 'No safe rollback', plan.reason, plan.field);
  const launched = await launcher.rollback(managed.name, rollback, { ...image, digest: plan.target.digest ?? '', tag: plan.target.tag }, starter);
  if (launched.kind === 'busy') return problem(409, 'A deployment is running', launched.reason);
  if (launched.kind === 'aborted') {
    return json(202, { app: managed.name, aborted: launched.deploymentId, paused: true, statusUrl: `/api/deployments/${launched.deploymentId}`, resumeUrl: `/api/apps/${managed.name}/resume` });
  }
  return json(202, {
    app: managed.name,
    kind: 'rollback',
    deploymentId: launched.deploymentId,
    from: plan.from?.revisionName,
    to: plan.target.revisionName,
    toRelease: { tag: plan.target.tag, digest: plan.target.digest, verdict: plan.target.verdict },
    forced: plan.forced,
    migrationsKept: plan.crossedMigrations.map((r) => ({ revisionName: r.revisionName, tag: r.tag, execution: r.migration?.executionName, backupId: r.migration?.backupId })),
    paused: true,
    statusUrl: `/api/deployments/${launched.deploymentId}`,
    resumeUrl: `/api/apps/${managed.name}/resume`,
  });
}

export async function resumeApp(request: HttpRequest, context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const group = (services.config.apps.groups ?? []).find((g) => g.apps.includes(managed.name));
  if (group) await resumeGroupAndMembers(services, group);
  else await services.appState.transact(managed.name, resumeAutomatic);
  context.log(JSON.stringify({ msg: 'automatic deploys resumed', app: managed.name, ...(group ? { group: group.name } : {}), by: caller.name }));
  return json(200, { app: managed.name, paused: false, by: caller.name });
}

async function decide(request: HttpRequest, context: InvocationContext, caller: Caller, approved: boolean): Promise<HttpResponseInit> {
  const services = getServices();
  const record = await services.deployments.get(request.params.id);
  if (!record) return problem(404, 'Unknown deployment', `no deployment "${request.params.id}"`, 'id');
  const body = await readValidated(request, approvalBody, true);
  if ('response' in body) return body.response;
  if (TERMINAL_PHASES.has(record.phase)) return problem(409, 'Deployment has ended', `deployment is ${record.phase}`);
  if (record.phase !== 'awaiting-approval') return problem(409, 'Not waiting for approval', `deployment is ${record.phase}`);
  await df.getClient(context).raiseEvent(record.id, ApprovalEventName, { approved, by: caller.name, comment: body.value.comment });
  return json(202, { deploymentId: record.id, decision: approved ? 'approved' : 'rejected', by: caller.name, statusUrl: `/api/deployments/${record.id}` });
}

export const approveDeployment = (request: HttpRequest, context: InvocationContext, caller: Caller) => decide(request, context, caller, true);
export const rejectDeployment = (request: HttpRequest, context: InvocationContext, caller: Caller) => decide(request, context, caller, false);

export function registerManualDeployments(): void {
  const client = [df.input.durableClient()];
  registerApiRoute('deployApp', { route: 'apps/{app}/deploy', methods: ['POST'], extraInputs: client, handler: deployApp });
  registerApiRoute('rollbackApp', { route: 'apps/{app}/rollback', methods: ['POST'], extraInputs: client, handler: rollbackApp });
  registerApiRoute('resumeApp', { route: 'apps/{app}/resume', methods: ['POST'], handler: resumeApp });
  registerApiRoute('approveDeployment', { route: 'deployments/{id}/approve', methods: ['POST'], extraInputs: client, handler: approveDeployment });
  registerApiRoute('rejectDeployment', { route: 'deployments/{id}/reject', methods: ['POST'], extraInputs: client, handler: rejectDeployment });
}
