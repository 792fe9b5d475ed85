/**
 * Manual control over HTTP (function key): deploy a tag or digest, roll back by switching
 * traffic, resume automatic deploys, approve or reject a deployment at its gate.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { getServices } from '../composition/services';
import { ApprovalEventName, TERMINAL_PHASES } from '../domain/deployment';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';
import { json, problem } from './http/problem';
import { parseJson, readBodyCapped } from './http/readBody';

const deployBody = z.union([
  z.strictObject({ tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'must be an image tag') }),
  z.strictObject({ digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256: and 64 hex characters') }),
]);

const rollbackBody = z.strictObject({ revision: z.string().min(1).max(100).optional(), reason: z.string().max(500).optional() }).default({});
const approvalBody = z.strictObject({ by: z.string().max(100).optional(), comment: z.string().max(500).optional() }).default({});

async function readValidated<T>(request: HttpRequest, schema: z.ZodType<T>, allowEmpty: boolean): Promise<{ value: T } | { response: HttpResponseInit }> {
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
  const body = await readValidated(request, deployBody, false);
  if ('response' in body) return body.response;
  const reference = 'tag' in body.value ? body.value.tag : body.value.digest;
  const summary = await services.registry.getManifestSummary(managed.image.registry, managed.image.repository, reference);
  if (!summary) return problem(404, 'Image not found', `${managed.image.repository}:${reference} is not in ${managed.image.registry}`, 'tag' in body.value ? 'tag' : 'digest');
  const decision = await createLauncher(services).request(
    managed.name,
    { registry: managed.image.registry, repository: managed.image.repository, tag: 'tag' in body.value ? body.value.tag : undefined, digest: summary.digest, source: 'manual', deliveryId: context.invocationId },
    durableStarter(df.getClient(context)),
  );
  const deploymentId = 'request' in decision ? decision.request.deploymentId : decision.decision === 'duplicate' ? decision.deploymentId : undefined;
  return json(decision.decision === 'started' || decision.decision === 'queued' ? 202 : 200, {
    decision: decision.decision,
    reason: decision.reason,
    digest: summary.digest,
    ...(deploymentId ? { deploymentId, statusUrl: `/api/deployments/${deploymentId}` } : {}),
  });
}

/** A traffic switch, not a new pipeline: seconds, and automatic deploys pause until resumed. */
export async function rollbackApp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const body = await readValidated(request, rollbackBody, true);
  if ('response' in body) return body.response;
  const target = managed.containerApp;
  const view = await services.containerApps.getApp(target);
  const revisions = await services.containerApps.listRevisions(target);
  const serving = [...view.traffic].sort((a, b) => b.weight - a.weight)[0]?.revisionName ?? view.latestReadyRevisionName;
  let to = body.value.revision;
  if (to && !to.includes('--')) to = `${target.name}--${to}`;
  if (!to) {
    const candidates = revisions
      .filter((r) => r.name !== serving && r.provisioningState !== 'Failed')
      .sort((a, b) => (b.createdTime ?? '').localeCompare(a.createdTime ?? ''));
    to = candidates[0]?.name;
    if (!to) return problem(409, 'No revision to roll back to', `${managed.name} has no earlier revision`);
  } else if (!revisions.some((r) => r.name === to)) {
    return problem(404, 'Unknown revision', `${to} is not a revision of ${managed.name}`, 'revision');
  }

  // Stop a deployment in flight first, so it cannot move traffic after us.
  const client = df.getClient(context);
  const state = await services.appState.get(managed.name);
  if (state.running) {
    await client.terminate(state.running.deploymentId, 'manual rollback').catch(() => undefined);
    await services.deployments.update(state.running.deploymentId, managed.name, new Date().toISOString(), { phase: 'failed', reason: `stopped by a manual rollback to ${to}` }).catch(() => undefined);
  }
  await services.containerApps.activateRevision(target, to);
  if (view.activeRevisionsMode === 'Multiple') await services.containerApps.setTraffic(target, [{ revisionName: to, weight: 100 }]);
  const reason = body.value.reason ?? `manual rollback to ${to}`;
  const at = new Date().toISOString();
  await services.appState.transact(managed.name, (s) => ({ state: { ...s, running: undefined, queued: [], paused: { at, reason } }, result: undefined }));
  return json(200, { app: managed.name, from: serving, to, paused: true, resumeUrl: `/api/apps/${managed.name}/resume` });
}

export async function resumeApp(request: HttpRequest): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  await services.appState.transact(managed.name, (s) => ({ state: { ...s, paused: undefined }, result: undefined }));
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
