/**
 * Manual control over HTTP (function key): deploy a tag or digest, roll back, resume
 * automatic deploys, approve or reject a deployment at its gate.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { getServices } from '../composition/services';
import type { ManagedApp } from '../config';
import { ApprovalEventName, TERMINAL_PHASES, resumeAutomatic } from '../domain/deployment';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';
import { json, problem } from './http/problem';
import { parseJson, readBodyCapped } from './http/readBody';
import { resumeGroupAndMembers, rollbackGroup } from './groupDeployments';

/** Deploy outside the deploy windows (and through a freeze): recorded on the deployment and sent to the channels. */
const override = z.strictObject({ reason: z.string().trim().min(1, 'must say why').max(500), by: z.string().max(100).optional() }).optional();

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
    by: z.string().max(100).optional(),
  })
  .default({})
  .superRefine((body, ctx) => {
    if (body.revision && body.release) ctx.addIssue({ code: 'custom', path: ['release'], message: 'give revision or release, not both' });
    if (body.force && !body.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required with force: say why traffic may go to a release that failed' });
  });
const approvalBody = z.strictObject({ by: z.string().max(100).optional(), comment: z.string().max(500).optional() }).default({});

export async function readValidated<T>(request: HttpRequest, schema: z.ZodType<T>, allowEmpty: boolean): Promise<{ value: T } | { response: HttpResponseInit }> {
  const read = await readBodyCapped(request, 16 * 1024);
  if ('response' in read) return read;
  if (read.raw.length === 0 && allowEmpty) {
    const parsed = schema.safeParse(undefined);
    if (parsed.success) return { value: parsed.data };
  }
  const body = parseJson(read.raw);
  if ('response' in body) return body;
  const parsed = schema.safeParse(body.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : '(body)';
    return { response: problem(400, 'Invalid request', `${field}: ${issue.message}`, field) };
  }
  return { value: parsed.data };
}

export async function deployApp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = getServices();
  const appName = request.params.app;
  const managed = services.config.apps.apps.find((a) => a.name === appName);
  if (!managed) return problem(404, 'Unknown app', `no app named "${appName}"`, 'app');
  return deployRequested(request, context, managed);
}

/**
 * A manual deploy of `managed`'s image (a group member's deploys its group): validates the body,
 * resolves the tag or digest in the registry, hands the request to the launcher, answers with
 * the decision (202 when started or queued) and `extra` fields.
 */
export async function deployRequested(request: HttpRequest, context: InvocationContext, managed: ManagedApp, extra: Record<string, unknown> = {}): Promise<HttpResponseInit> {
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
      ...(body.value.override ? { override: body.value.override } : {}),
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
export async function rollbackApp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const body = await readValidated(request, rollbackBody, true);
  if ('response' in body) return body.response;
  const { revision, release, force, by } = body.value;
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

export async function resumeApp(request: HttpRequest): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const group = (services.config.apps.groups ?? []).find((g) => g.apps.includes(managed.name));
  if (group) await resumeGroupAndMembers(services, group);
  else await services.appState.transact(managed.name, resumeAutomatic);
  return json(200, { app: managed.name, paused: false });
}

async function decide(request: HttpRequest, context: InvocationContext, approved: boolean): Promise<HttpResponseInit> {
  const services = getServices();
  const record = await services.deployments.get(request.params.id);
  if (!record) return problem(404, 'Unknown deployment', `no deployment "${request.params.id}"`, 'id');
  const body = await readValidated(request, approvalBody, true);
  if ('response' in body) return body.response;
  if (TERMINAL_PHASES.has(record.phase)) return problem(409, 'Deployment has ended', `deployment is ${record.phase}`);
  if (record.phase !== 'awaiting-approval') return problem(409, 'Not waiting for approval', `deployment is ${record.phase}`);
  await df.getClient(context).raiseEvent(record.id, ApprovalEventName, { approved, by: body.value.by, comment: body.value.comment });
  return json(202, { deploymentId: record.id, decision: approved ? 'approved' : 'rejected', statusUrl: `/api/deployments/${record.id}` });
}

export const approveDeployment = (request: HttpRequest, context: InvocationContext) => decide(request, context, true);
export const rejectDeployment = (request: HttpRequest, context: InvocationContext) => decide(request, context, false);

export function registerManualDeployments(): void {
  const client = [df.input.durableClient()];
  app.http('deployApp', { route: 'apps/{app}/deploy', methods: ['POST'], authLevel: 'function', extraInputs: client, handler: deployApp });
  app.http('rollbackApp', { route: 'apps/{app}/rollback', methods: ['POST'], authLevel: 'function', extraInputs: client, handler: rollbackApp });
  app.http('resumeApp', { route: 'apps/{app}/resume', methods: ['POST'], authLevel: 'function', handler: resumeApp });
  app.http('approveDeployment', { route: 'deployments/{id}/approve', methods: ['POST'], authLevel: 'function', extraInputs: client, handler: approveDeployment });
  app.http('rejectDeployment', { route: 'deployments/{id}/reject', methods: ['POST'], authLevel: 'function', extraInputs: client, handler: rejectDeployment });
}
