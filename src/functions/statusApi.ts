/**
 * Read-only status over HTTP (Reader role or a read key): every app (and every database's newest verified
 * backup), one app, deployments, deliveries.
 * The phase and step strings are those of src/domain/deployment/deploymentModel.ts.
 */
import { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { getServices } from '../composition/services';
import { MAX_DELIVERY_PAGE_SIZE } from '../adapters/storage/deliveryStore';
import { MAX_DEPLOYMENT_PAGE_SIZE } from '../adapters/storage/deploymentStore';
import { isTablePageToken } from '../adapters/storage/tables';
import type { DeploymentPhase, DeploymentRecord } from '../domain/deployment';
import { analysisInProgress, type AnalysisProgress } from '../domain/analysis';
import { registerApiRoute } from './http/apiRoute';
import { groupQueueKey } from '../domain/deployment/groupDeployment';
import { json, problem } from './http/problem';
import { parseQuery, type QueryRule } from './http/queryParameters';
import { describeBackupStatus } from './backups';
import { getHealthSummary } from './healthSweep';
import { describeStep, digestOfImage, servingRevision, type RolloutStep } from '../domain/rollout';
import type { AppView, ContainerAppRef } from '../adapters/containerApps/containerAppsPort';

/**
 * What serves an app, read from Azure: the app, its serving revision (the one shared rule) and
 * that revision's own image (in Multiple mode the template's image is the newest revision's,
 * which may serve nobody).
 */
async function readServing(ref: ContainerAppRef): Promise<{ view: AppView; serving?: string; revisionImage?: string }> {
  const containerApps = getServices().containerApps;
  const view = await containerApps.getApp(ref, { abortSignal: AbortSignal.timeout(10_000) });
  const serving = servingRevision(view);
  const revision = serving ? await containerApps.getRevision(ref, serving, { abortSignal: AbortSignal.timeout(10_000) }) : undefined;
  return { view, serving, revisionImage: revision?.image };
}

async function appSummary(name: string) {
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === name);
  if (!managed) return undefined;
  const group = (services.config.apps.groups ?? []).find((g) => g.apps.includes(name));
  const [state, recent, health, releases, groupState] = await Promise.all([
    services.appState.get(name),
    services.deployments.listWithGroup(name, group?.name, { limit: 10 }),
    getHealthSummary(name).catch(() => undefined),
    services.ledger.list(name).catch(() => []),
    group ? services.appState.get(groupQueueKey(group.name)) : Promise.resolve(undefined),
  ]);
  let platform: Record<string, unknown>;
  try {
    const { view, serving, revisionImage } = await readServing(managed.containerApp);
    const image = revisionImage ?? (view.activeRevisionsMode === 'Single' ? view.image : undefined);
    // The ledger's entry for what serves: its tag, since when, and what Harbormaster knows of it.
    const release = releases.find((r) => r.revisionName === serving);
    const servingRelease = release ? { tag: release.tag, verdict: release.verdict, createdAt: release.createdAt, deploymentId: release.deploymentId } : undefined;
    platform = { activeRevision: serving, servingRevision: serving, image, servingDigest: digestOfImage(image), servingRelease, traffic: view.traffic, mode: view.activeRevisionsMode, fqdn: view.fqdn };
  } catch (error) {
    platform = { error: `Container Apps unreachable (${(error as { statusCode?: number }).statusCode ?? (error as { code?: string }).code ?? 'error'})` };
  }
  return {
    app: name,
    ...platform,
    deployedDigest: state.deployedDigest,
    deployedTag: state.deployedTag,
    paused: state.paused ?? false,
    running: state.running?.deploymentId ?? groupState?.running?.deploymentId,
    ...runningAnalysis(recent.find((d) => d.id === (state.running?.deploymentId ?? groupState?.running?.deploymentId))),
    queued: [...state.queued, ...(groupState?.queued ?? [])].map((q) => q.deploymentId),
    ...(group ? { group: { name: group.name, members: group.apps, paused: groupState?.paused ?? false } } : {}),
    health,
    lastDeployment: recent[0] ? { id: recent[0].id, phase: recent[0].phase, createdAt: recent[0].createdAt, reason: recent[0].reason, ...(recent[0].opensAt ? { opensAt: recent[0].opensAt } : {}) } : undefined,
    recentDeployments: recent,
  };
}

/** The running deployment's step, and its analysis now (check, where, window, latest value), when it has any. */
function runningAnalysis(running: DeploymentRecord | undefined): { runningStep?: string; analysis?: AnalysisProgress[] } {
  if (!running) return {};
  const step = running.rollout?.steps[running.rollout.index];
  const analysis = analysisInProgress(running.analysis);
  return { ...(step ? { runningStep: describeStep(step as RolloutStep) } : {}), ...(analysis.length > 0 ? { analysis } : {}) };
}

export async function getStatus(request: Pick<HttpRequest, 'query'>): Promise<HttpResponseInit> {
  const parsed = parseQuery(request, {});
  if ('response' in parsed) return parsed.response;
  const services = getServices();
  const apps = await Promise.all(
    services.config.apps.apps.map(async (a) => {
      const summary = await appSummary(a.name);
      if (!summary) return undefined;
      const { recentDeployments: _recent, ...rest } = summary;
      return rest;
    }),
  );
  return json(200, { apps: apps.filter(Boolean), databases: await describeBackupStatus() });
}

export async function getApp(request: HttpRequest): Promise<HttpResponseInit> {
  const services = getServices();
  const name = request.params.app;
  const summary = await appSummary(name);
  if (!summary) return problem(404, 'Unknown app', `no app named "${name}"`, 'app');
  const managed = services.config.apps.apps.find((a) => a.name === name);
  let revisions: unknown = undefined;
  if (managed) {
    revisions = await services.containerApps.listRevisions(managed.containerApp).catch(() => undefined);
  }
  return json(200, { ...summary, revisions });
}

/** The release ledger of one app, newest first, with what serves now. */
export async function listReleases(request: HttpRequest): Promise<HttpResponseInit> {
  const parsed = parseQuery(request, {});
  if ('response' in parsed) return parsed.response;
  const services = getServices();
  const managed = services.config.apps.apps.find((a) => a.name === request.params.app);
  if (!managed) return problem(404, 'Unknown app', `no app named "${request.params.app}"`, 'app');
  const releases = await services.ledger.list(managed.name);
  let serving: { revisionName: string; digest?: string } | undefined;
  try {
    const read = await readServing(managed.containerApp);
    if (read.serving) serving = { revisionName: read.serving, digest: digestOfImage(read.revisionImage) };
  } catch {
    serving = undefined;
  }
  return json(200, { app: managed.name, serving, releases });
}

export async function getDeployment(request: HttpRequest): Promise<HttpResponseInit> {
  const record = await getServices().deployments.get(request.params.id);
  if (!record) return problem(404, 'Unknown deployment', `no deployment "${request.params.id}"`, 'id');
  return json(200, record);
}

/** Every phase, for `?status=` (a record over the union, so the compiler keeps the list whole). */
const PHASE_NAMES: Record<DeploymentPhase, true> = {
  queued: true, 'waiting-for-window': true, verifying: true, 'backing-up': true, migrating: true, deploying: true, 'health-waiting': true, 'awaiting-approval': true,
  promoting: true, 'rolling-back': true, succeeded: true, 'rolled-back': true, failed: true, superseded: true, rejected: true,
};
const PHASES = Object.keys(PHASE_NAMES);

/** `?app=` of a list: one of the configured apps. */
export function appFilter(): QueryRule {
  return { kind: 'oneOf', values: getServices().config.apps.apps.map((a) => a.name) };
}

/** `?limit=&continuationToken=` of a paged list: a page size up to `maxPageSize`, and a token from a previous page. */
function pageRules(maxPageSize: number) {
  return { limit: { kind: 'integer', min: 1, max: maxPageSize }, continuationToken: { kind: 'text', maxLength: 2048 } } as const;
}

const badToken = () => problem(400, 'Invalid query parameter', 'continuationToken must be a token from a previous page of this listing', 'continuationToken');

/** The answer of a paged list: its items under `name`, and the token of the next page when there is one. */
function pageBody(name: string, page: { records: unknown[]; continuationToken?: string }): Record<string, unknown> {
  return { [name]: page.records, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
}

export async function listDeployments(request: HttpRequest): Promise<HttpResponseInit> {
  const parsed = parseQuery(request, { app: appFilter(), status: { kind: 'oneOf', values: PHASES }, ...pageRules(MAX_DEPLOYMENT_PAGE_SIZE) });
  if ('response' in parsed) return parsed.response;
  const { app, status, limit, continuationToken } = parsed.query;
  if (continuationToken !== undefined && !isTablePageToken(continuationToken)) return badToken();
  const services = getServices();
  // A release group's member: its own deployments and its group's (which deploy it), newest first, paged like the rest.
  const group = app ? (services.config.apps.groups ?? []).find((g) => g.apps.includes(app))?.name : undefined;
  const scope = group && app ? { apps: [app, group] } : { app };
  const page = await services.deployments.listPage({ ...scope, phase: status, maxPageSize: limit, continuationToken });
  return json(200, pageBody('deployments', page));
}

export async function listEvents(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const parsed = parseQuery(request, { app: appFilter(), ...pageRules(MAX_DELIVERY_PAGE_SIZE) });
  if ('response' in parsed) return parsed.response;
  const { app, limit, continuationToken } = parsed.query;
  if (continuationToken !== undefined && !isTablePageToken(continuationToken)) return badToken();
  const page = await getServices().deliveries.listPage({ app, maxPageSize: limit, continuationToken });
  return json(200, pageBody('events', page));
}

export function registerStatusApi(): void {
  registerApiRoute('getStatus', { route: 'status', methods: ['GET'], handler: getStatus });
  registerApiRoute('getApp', { route: 'apps/{app}', methods: ['GET'], handler: getApp });
  registerApiRoute('listReleases', { route: 'apps/{app}/releases', methods: ['GET'], handler: listReleases });
  registerApiRoute('getDeployment', { route: 'deployments/{id}', methods: ['GET'], handler: getDeployment });
  registerApiRoute('listDeployments', { route: 'deployments', methods: ['GET'], handler: listDeployments });
  registerApiRoute('listEvents', { route: 'events', methods: ['GET'], handler: listEvents });
}
