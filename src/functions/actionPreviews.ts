/**
 * What an action would do, before anyone confirms it (read only; the dashboard's confirmations
 * show these answers):
 *
 *   GET /api/apps/{app}/rollback/preview?revision=|release=&force=true
 *       what `POST /api/apps/{app}/rollback` with the same fields would do: abort the running
 *       deployment, or roll back from which release to which, with the migrations that stay
 *       applied (or are migrated down) on the way; refused the same way (404 or 409 saying why).
 *       For a member of a release group, what the group's rollback does: abort the group
 *       deployment running, or every member's rollback (`members`, in the order they start).
 *   GET /api/apps/{app}/deploy/preview?tag=|digest=
 *       the image the tag names now, the steps its deployment would run for this app (and why a
 *       step would be skipped), and the deployment it would queue behind.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { toDeploySpec } from '../activities/deployment/toDeploySpec';
import { getServices, type Services } from '../composition/services';
import type { ReleaseGroup } from '../config';
import type { PlanRollbackResult } from '../domain/deployment';
import { groupQueueKey } from '../domain/deployment/groupDeployment';
import type { MigrationRollbackPolicy, Release } from '../domain/rollout';
import { compileRollout, describeStep, skipReasonOf } from '../domain/rollout';
import { planGroupRollback } from './groupDeployments';
import { registerApiRoute } from './http/apiRoute';
import { json, problem } from './http/problem';
import { parseQuery } from './http/queryParameters';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

function releaseSummary(release: Release | undefined) {
  if (!release) return undefined;
  const { revisionName, tag, digest, verdict, reason, createdAt } = release;
  return { revisionName, tag, digest, verdict, reason, createdAt };
}

export async function previewRollback(request: HttpRequest): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const parsed = parseQuery(request, {
    revision: { kind: 'text', maxLength: 100 },
    release: { kind: 'text', maxLength: 128 },
    force: { kind: 'oneOf', values: ['true', 'false'] },
  });
  if ('response' in parsed) return parsed.response;
  const { revision, release } = parsed.query;
  if (revision && release) return problem(400, 'Invalid query parameter', 'give revision or release, not both', 'release');
  const force = parsed.query.force === 'true';

  // A member of a release group never rolls back alone: answer for the group (groupDeployments.ts).
  const group = (services.config.apps.groups ?? []).find((g) => g.apps.includes(managed.name));
  if (group) return previewGroupRollback(services, group, managed.name, { revision, release, force });

  // The same order of decisions as the rollback itself (manualDeployments.ts).
  const plan = await services.deploymentActivities.planRollback({ app: managed.name, request: { revision, release, force } });
  if (!plan.ok && (plan.status === 404 || revision || release)) return problem(plan.status, plan.status === 404 ? 'Unknown rollback target' : 'No safe rollback', plan.reason, plan.field);
  const state = await services.appState.get(managed.name);
  if (state.running) return json(200, { app: managed.name, action: 'abort', running: await runningSummary(services, state.running), pausesAutomaticDeploys: true });
  if (!plan.ok) return problem(plan.status, 'No safe rollback', plan.reason, plan.field);
  return json(200, { app: managed.name, action: 'rollback', ...planSummary(plan, managed.migration?.rollback), pausesAutomaticDeploys: true });
}

/**
 * What a member's rollback does: like `rollbackGroup`, abort the group deployment running, or
 * roll every member back (in reverse order), each from what it serves to its own target. The
 * answer keeps the asked member's plan at the top (`from`, `to`...) and lists every member's.
 */
async function previewGroupRollback(services: Services, group: ReleaseGroup, app: string, request: { revision?: string; release?: string; force: boolean }): Promise<HttpResponseInit> {
  if (request.revision) return problem(409, 'Member of a release group', `${app} releases with group ${group.name}: roll back the group, naming a release (tag or digest) rather than one member's revision`, 'revision');
  const state = await services.appState.get(groupQueueKey(group.name));
  if (state.running) return json(200, { app, group: group.name, action: 'abort', running: await runningSummary(services, state.running), pausesAutomaticDeploys: true });
  const planned = await planGroupRollback(services, group, request);
  if (!planned.ok) return planned.response;
  const members = planned.plans.map(({ member, plan }) => ({ app: member, ...planSummary(plan, services.config.apps.apps.find((a) => a.name === member)?.migration?.rollback) }));
  const own = members.find((m) => m.app === app)!;
  const { app: _app, ...ownPlan } = own;
  return json(200, { app, group: group.name, action: 'rollback', ...ownPlan, members, pausesAutomaticDeploys: true });
}

async function runningSummary(services: Services, running: { deploymentId: string; digest: string }) {
  const record = await services.deployments.get(running.deploymentId);
  return { deploymentId: running.deploymentId, phase: record?.phase, tag: record?.image.tag, digest: running.digest };
}

function planSummary(plan: Extract<PlanRollbackResult, { ok: true }>, policy: MigrationRollbackPolicy | undefined) {
  return {
    mode: plan.mode,
    from: releaseSummary(plan.from),
    to: releaseSummary(plan.target),
    forced: plan.forced,
    reactivate: plan.reactivate,
    migrationPolicy: policy ?? 'keep-schema',
    migrationsCrossed: plan.crossedMigrations.map((r) => ({ revisionName: r.revisionName, tag: r.tag, digest: r.digest, execution: r.migration?.executionName, backupId: r.migration?.backupId, database: r.migration?.database })),
  };
}

export async function previewDeploy(request: HttpRequest): Promise<HttpResponseInit> {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const parsed = parseQuery(request, { tag: { kind: 'text', maxLength: 128 }, digest: { kind: 'text', maxLength: 71 } });
  if ('response' in parsed) return parsed.response;
  const { tag, digest } = parsed.query;
  if (Boolean(tag) === Boolean(digest)) return problem(400, 'Invalid query parameter', 'give tag or digest', 'tag');
  if (tag !== undefined && !TAG.test(tag)) return problem(400, 'Invalid query parameter', 'tag must be an image tag', 'tag');
  if (digest !== undefined && !DIGEST.test(digest)) return problem(400, 'Invalid query parameter', 'digest must be sha256: and 64 hex characters', 'digest');
  const reference = (tag ?? digest) as string;
  const [summary, view, state] = await Promise.all([
    services.registry.getManifestSummary(managed.image.registry, managed.image.repository, reference),
    services.containerApps.getApp(managed.containerApp, { abortSignal: AbortSignal.timeout(10_000) }),
    services.appState.get(managed.name),
  ]);
  if (!summary) return problem(404, 'Image not found', `${managed.image.repository}:${reference} is not in ${managed.image.registry}`, tag ? 'tag' : 'digest');
  const spec = toDeploySpec(managed);
  const steps = compileRollout(spec, view.activeRevisionsMode).map((step) => {
    const skipped = skipReasonOf(step, spec);
    return { ...step, description: describeStep(step), ...(skipped ? { skipped } : {}) };
  });
  return json(200, {
    app: managed.name,
    image: { registry: managed.image.registry, repository: managed.image.repository, tag, digest: summary.digest },
    alreadyDeployed: state.deployedDigest === summary.digest,
    mode: view.activeRevisionsMode,
    strategy: spec.strategy.kind,
    steps,
    queuedBehind: state.running?.deploymentId,
    migrationPolicy: spec.migration?.rollback,
    database: spec.database,
  });
}

export function registerActionPreviews(): void {
  registerApiRoute('previewRollback', { route: 'apps/{app}/rollback/preview', methods: ['GET'], handler: previewRollback });
  registerApiRoute('previewDeploy', { route: 'apps/{app}/deploy/preview', methods: ['GET'], handler: previewDeploy });
}
