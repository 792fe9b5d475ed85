/**
 * Observes one run's apps through public surfaces only: the deployment records, the release
 * ledger and the status (HTTP API, function key), then the container app, its revisions and its
 * migration job's executions (simulated ARM), then the records and status again. Reading the
 * records before ARM matters: a deployment records `rolled-back` only after its traffic moved
 * back, so a record read first and traffic read after cannot disagree by a race of ours.
 */
import type { ModelApp, ModelWorld } from './modelStack';
import {
  digestOfImage,
  type AppObservation,
  type ArmAppView,
  type DeploymentView,
  type ExecutionView,
  type LedgerView,
  type StatusAppView,
} from './invariants';

const RUN_ID_ENV = 'HARBORMASTER_RUN_ID';

export interface WorldObservation {
  apps: AppObservation[];
  /** False when the controller did not answer (killed, restarting): records were not read. */
  reachable: boolean;
  ledgerPresent: boolean;
  servingFieldsPresent: boolean;
}

/** Every deployment record of the app, page after page (a lost record is an invariant broken). */
async function deploymentsOf(world: ModelWorld, app: ModelApp): Promise<DeploymentView[] | undefined> {
  const all: DeploymentView[] = [];
  let token: string | undefined;
  do {
    const answer = await world.api('GET', `/deployments?app=${app.name}${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`);
    if (answer.status !== 200 || !Array.isArray(answer.body?.deployments)) return undefined;
    all.push(...(answer.body.deployments as DeploymentView[]));
    token = typeof answer.body.continuationToken === 'string' ? answer.body.continuationToken : undefined;
  } while (token);
  return all;
}

async function ledgerOf(world: ModelWorld, app: ModelApp): Promise<LedgerView | 'absent' | undefined> {
  const answer = await world.api('GET', `/apps/${app.name}/releases`);
  if (answer.status === 404 && /No function serves/.test(String(answer.body?.detail ?? ''))) return 'absent';
  if (answer.status !== 200 || !Array.isArray(answer.body?.releases)) return undefined;
  return { serving: answer.body.serving, releases: answer.body.releases };
}

async function statusOf(world: ModelWorld): Promise<Map<string, StatusAppView> | undefined> {
  const answer = await world.api('GET', '/status');
  if (answer.status !== 200 || !Array.isArray(answer.body?.apps)) return undefined;
  const map = new Map<string, StatusAppView>();
  for (const a of answer.body.apps as any[]) {
    map.set(a.app, {
      running: a.running ?? undefined,
      queued: a.queued ?? [],
      deployedDigest: a.deployedDigest,
      servingRevision: a.servingRevision,
      servingDigest: a.servingDigest,
      platformError: typeof a.error === 'string' ? a.error : undefined,
    });
  }
  return map;
}

async function armOf(world: ModelWorld, app: ModelApp): Promise<ArmAppView | undefined> {
  const [appAnswer, revisionsAnswer] = await Promise.all([world.armGet(world.appPath(app)), world.armGet(`${world.appPath(app)}/revisions`)]);
  if (appAnswer.status !== 200 || revisionsAnswer.status !== 200) return undefined;
  const configuration = appAnswer.body?.properties?.configuration ?? {};
  return {
    mode: configuration.activeRevisionsMode ?? 'Single',
    ingressWeights: configuration.ingress ? ((configuration.ingress.traffic ?? []) as any[]).map((t) => Number(t.weight ?? 0)) : undefined,
    revisions: ((revisionsAnswer.body?.value ?? []) as any[]).map((r) => ({
      name: r.name as string,
      digest: digestOfImage(r.properties?.template?.containers?.[0]?.image),
      trafficWeight: Number(r.properties?.trafficWeight ?? 0),
      active: r.properties?.active === true,
    })),
  };
}

async function executionsOf(world: ModelWorld, app: ModelApp): Promise<ExecutionView[] | undefined> {
  if (!app.migrationJob) return [];
  const answer = await world.armGet(`${world.jobPath(app, app.migrationJob)}/executions`);
  if (answer.status !== 200) return undefined;
  return ((answer.body?.value ?? []) as any[]).map((e) => {
    const env = ((e.properties?.template?.containers ?? []) as any[]).flatMap((c) => (c.env ?? []) as Array<{ name: string; value?: string }>);
    return { job: app.migrationJob!, name: e.name, runId: env.find((v) => v.name === RUN_ID_ENV)?.value, status: e.properties?.status };
  });
}

export async function observeWorld(world: ModelWorld): Promise<WorldObservation> {
  // Records, ledger and status first...
  const before = await Promise.all(world.apps.map(async (app) => ({ app, deployments: await deploymentsOf(world, app), ledger: await ledgerOf(world, app) })));
  const status = await statusOf(world);
  // ...then ARM...
  const arm = await Promise.all(world.apps.map(async (app) => ({ arm: await armOf(world, app), executions: await executionsOf(world, app) })));
  // ...then records and status again, so agreement is judged only when nothing moved meanwhile.
  const after = await Promise.all(world.apps.map((app) => deploymentsOf(world, app)));
  const statusAfter = await statusOf(world);
  const statusHasServingFields = [...(status?.values() ?? [])].some((s) => s.servingDigest !== undefined || s.servingRevision !== undefined);
  const apps = before.map(({ app, deployments, ledger }, i): AppObservation => ({
    statusHasServingFields,
    app: app.name,
    hasIngress: app.hasIngress,
    deployments,
    ledger,
    status: status?.get(app.name),
    arm: arm[i].arm,
    executions: arm[i].executions,
    deploymentsAfter: after[i],
    statusAfter: statusAfter?.get(app.name),
  }));
  return {
    apps,
    reachable: before.every((b) => b.deployments !== undefined) && status !== undefined,
    ledgerPresent: before.some((b) => b.ledger !== undefined && b.ledger !== 'absent'),
    servingFieldsPresent: statusHasServingFields,
  };
}
