/**
 * The invariants the model checker holds Harbormaster to, as pure functions over what it observed
 * through public surfaces (the app's HTTP API and the simulated ARM). Observing is modelObserver.ts;
 * the memory that spans observations (deadlines, every deployment id ever answered) is
 * InvariantTracker here.
 *
 * Invariants written against the release ledger (`GET /api/apps/{app}/releases`) and the status
 * API's `servingRevision`/`servingDigest` switch on by themselves when the endpoint or field is
 * present; until then the checks below fall back to what the deployment records say (a revision
 * whose deployment ended `rolled-back` or `rejected` is a rolled-back release) or are skipped, and
 * the summary says which mode ran.
 */

export type InvariantName =
  | 'no-traffic-on-bad-release'
  | 'one-running-deployment'
  | 'deployment-deadline'
  | 'migration-at-most-once'
  | 'one-migration-running'
  | 'traffic-sums-to-100'
  | 'status-ledger-arm-agree'
  | 'no-lost-deployment'
  | 'group-release-consistent'
  | 'group-serving-agrees'
  | 'deploy-inside-window'
  | 'quiescence';

export interface Violation {
  invariant: InvariantName;
  app: string;
  detail: string;
  /** The event after which (or `quiescence`) it was seen. */
  at?: string;
}

export const TERMINAL = new Set(['succeeded', 'rolled-back', 'failed', 'superseded', 'rejected']);
const BAD_VERDICTS = new Set(['failed', 'rolled-back']);
/** Verdicts a rollback may go to on its own (src/domain/rollout/release.ts). */
const SAFE_VERDICTS = new Set(['verified', 'baseline', 'superseded', 'retired']);

export interface DeploymentView {
  id: string;
  phase: string;
  kind?: string;
  newRevision?: string;
  previousRevision?: string;
  reason?: string;
  createdAt?: string;
  image?: { digest?: string; tag?: string };
  steps?: Array<{ step: string; outcome: string; startedAt: string; endedAt?: string; detail?: string; member?: string }>;
}

export interface ReleaseView {
  revisionName: string;
  digest?: string;
  verdict: string;
  /** The contract's boolean, or the ledger's `{ reason, at, by }`: either way, truthy when forced. */
  forced?: boolean | { reason?: string };
  reason?: string;
  deploymentId?: string;
  migration?: { executionName?: string; down?: { executionName?: string; outcome?: string } };
  /** Released by a release group's deployment. */
  group?: { name: string; deploymentId: string };
}

export interface LedgerView {
  serving?: { revisionName: string; digest: string };
  releases: ReleaseView[];
}

export interface StatusAppView {
  running?: string;
  queued: string[];
  deployedDigest?: string;
  servingRevision?: string;
  servingDigest?: string;
  /** The status could not read ARM (`error` in its answer): it says nothing about what serves. */
  platformError?: string;
}

export interface RevisionView {
  name: string;
  digest?: string;
  trafficWeight: number;
  active: boolean;
}

export interface ArmAppView {
  mode: string;
  /** `configuration.ingress.traffic` weights; undefined without ingress. */
  ingressWeights?: number[];
  revisions: RevisionView[];
}

export interface ExecutionView {
  job: string;
  name: string;
  runId?: string;
  status?: string;
}

/** One app's observation: records and ledger first, then ARM, then records again. */
export interface AppObservation {
  app: string;
  hasIngress: boolean;
  deployments?: DeploymentView[];
  /** 'absent': the releases endpoint is not there (404 with no function serving it). */
  ledger?: LedgerView | 'absent';
  status?: StatusAppView;
  arm?: ArmAppView;
  executions?: ExecutionView[];
  deploymentsAfter?: DeploymentView[];
  statusAfter?: StatusAppView;
  /** This build's status API has `servingRevision`/`servingDigest` (else `deployedDigest` is compared). */
  statusHasServingFields?: boolean;
}

export function digestOfImage(image: string | undefined): string | undefined {
  const at = image?.lastIndexOf('@') ?? -1;
  return at >= 0 ? image!.slice(at + 1) : undefined;
}

/** Release verdicts: the ledger's when it exists, else derived from the deployment records. */
export function badReleases(observation: AppObservation): Map<string, { verdict: string; forced: boolean; source: string }> {
  const bad = new Map<string, { verdict: string; forced: boolean; source: string }>();
  if (observation.ledger && observation.ledger !== 'absent') {
    for (const release of observation.ledger.releases) {
      if (BAD_VERDICTS.has(release.verdict)) bad.set(release.revisionName, { verdict: release.verdict, forced: Boolean(release.forced), source: `ledger${release.reason ? `: ${release.reason}` : ''}` });
    }
    return bad;
  }
  for (const d of observation.deployments ?? []) {
    if (!d.newRevision || d.kind === 'rollback') continue;
    if (d.phase === 'rolled-back' || d.phase === 'rejected') bad.set(d.newRevision, { verdict: 'rolled-back', forced: false, source: `deployment ${d.id} ${d.phase}` });
    // Failed after its revision was created: the rollback itself failed.
    else if (d.phase === 'failed') bad.set(d.newRevision, { verdict: 'failed', forced: false, source: `deployment ${d.id} failed: ${d.reason ?? ''}`.slice(0, 400) });
  }
  return bad;
}

/**
 * No traffic on a revision whose release verdict is `failed` or `rolled-back`, unless forced, or
 * unless no release the app could go to is left: a single-revision app must serve something, and
 * when every release in its ledger failed its checks (a rollback walked through all of them) the
 * one it ends on is the least bad, which the deployment's record and notification say.
 */
export function checkNoTrafficOnBadReleases(observation: AppObservation): Violation[] {
  if (!observation.arm || !observation.deployments) return [];
  const bad = badReleases(observation);
  const ledger = observation.ledger && observation.ledger !== 'absent' ? observation.ledger : undefined;
  if (ledger && observation.arm.mode === 'Single' && !ledger.releases.some((r) => SAFE_VERDICTS.has(r.verdict))) return [];
  const violations: Violation[] = [];
  for (const revision of observation.arm.revisions) {
    const verdict = bad.get(revision.name);
    if (verdict && !verdict.forced && revision.trafficWeight > 0) {
      violations.push({
        invariant: 'no-traffic-on-bad-release',
        app: observation.app,
        detail: `${revision.name} serves ${revision.trafficWeight} % but its release is ${verdict.verdict} (${verdict.source})`,
      });
    }
  }
  return violations;
}

/** At most one deployment of an app past `queued` and not yet terminal. */
export function checkOneRunning(observation: AppObservation): Violation[] {
  const running = (observation.deployments ?? []).filter((d) => d.phase !== 'queued' && !TERMINAL.has(d.phase));
  if (running.length <= 1) return [];
  return [{ invariant: 'one-running-deployment', app: observation.app, detail: `${running.length} running: ${running.map((d) => `${d.id} (${d.kind ?? 'deploy'}, ${d.phase})`).join(', ')}` }];
}

/** Each run id (one per release's migration, one per down migration) has at most one job execution. */
export function checkMigrationsOnce(observation: AppObservation): Violation[] {
  const byRun = new Map<string, ExecutionView[]>();
  const violations: Violation[] = [];
  for (const execution of observation.executions ?? []) {
    if (!execution.runId) {
      violations.push({ invariant: 'migration-at-most-once', app: observation.app, detail: `execution ${execution.name} of ${execution.job} carries no run id` });
      continue;
    }
    const list = byRun.get(execution.runId) ?? [];
    list.push(execution);
    byRun.set(execution.runId, list);
  }
  for (const [runId, list] of byRun) {
    if (list.length > 1) {
      violations.push({ invariant: 'migration-at-most-once', app: observation.app, detail: `run ${runId} has ${list.length} executions: ${list.map((e) => `${e.job}/${e.name} ${e.status ?? ''}`).join(', ')}` });
    }
  }
  // The ledger's view: no two releases name the same execution, up or down.
  if (observation.ledger && observation.ledger !== 'absent') {
    const seen = new Map<string, string>();
    for (const release of observation.ledger.releases) {
      for (const [what, name] of [['migration', release.migration?.executionName], ['down migration', release.migration?.down?.executionName]] as const) {
        if (!name) continue;
        const other = seen.get(name);
        if (other) violations.push({ invariant: 'migration-at-most-once', app: observation.app, detail: `execution ${name} is the ${what} of ${release.revisionName} and of ${other}` });
        seen.set(name, `${release.revisionName} (${what})`);
      }
    }
  }
  return violations;
}

/** At most one execution of an app's migration job runs at a time (a migration must not outlive its deployment into the next one's). */
export function checkOneMigrationRunning(observation: AppObservation): Violation[] {
  const running = (observation.executions ?? []).filter((e) => e.status === 'Running' || e.status === 'Processing');
  if (running.length <= 1) return [];
  return [{ invariant: 'one-migration-running', app: observation.app, detail: `${running.length} executions running at once: ${running.map((e) => `${e.name} (${e.runId ?? 'no run id'})`).join(', ')}` }];
}

/** ARM traffic sums to 100 (ingress configuration and effective revision weights). */
export function checkTrafficSums(observation: AppObservation): Violation[] {
  const arm = observation.arm;
  if (!arm || !observation.hasIngress) return [];
  const violations: Violation[] = [];
  const configured = (arm.ingressWeights ?? []).reduce((a, b) => a + b, 0);
  if (configured !== 100) violations.push({ invariant: 'traffic-sums-to-100', app: observation.app, detail: `ingress traffic weights sum to ${configured}` });
  const effective = arm.revisions.reduce((a, r) => a + r.trafficWeight, 0);
  if (effective !== 100) {
    violations.push({ invariant: 'traffic-sums-to-100', app: observation.app, detail: `revision traffic weights sum to ${effective}: ${arm.revisions.filter((r) => r.trafficWeight).map((r) => `${r.name}=${r.trafficWeight}`).join(', ')}` });
  }
  return violations;
}

function idle(status: StatusAppView | undefined, deployments: DeploymentView[] | undefined): boolean {
  return !!status && !!deployments && status.running === undefined && status.queued.length === 0 && deployments.every((d) => TERMINAL.has(d.phase));
}

function sameRecords(a: DeploymentView[] | undefined, b: DeploymentView[] | undefined): boolean {
  const key = (list: DeploymentView[] | undefined) => (list ?? []).map((d) => `${d.id}:${d.phase}`).sort().join(',');
  return key(a) === key(b);
}

/** The revision ARM serves from (highest effective weight above 0). */
export function servingRevision(arm: ArmAppView): RevisionView | undefined {
  return [...arm.revisions].filter((r) => r.trafficWeight > 0).sort((a, b) => b.trafficWeight - a.trafficWeight)[0];
}

/**
 * Status, ledger and ARM agree on what serves, when the app is idle (no deployment running or
 * queued, before and after the ARM read, with no record changing in between).
 */
export function checkAgreement(observation: AppObservation): Violation[] {
  const { arm, status } = observation;
  if (!arm || !observation.hasIngress) return [];
  if (!idle(status, observation.deployments) || !idle(observation.statusAfter, observation.deploymentsAfter)) return [];
  if (!sameRecords(observation.deployments, observation.deploymentsAfter)) return [];
  const serving = servingRevision(arm);
  if (!serving) return [];
  const violations: Violation[] = [];
  const says = (source: string, revision: string | undefined, digest: string | undefined): void => {
    const wrong: string[] = [];
    if (revision !== undefined && revision !== serving.name) wrong.push(`revision ${revision}`);
    if (digest !== undefined && digest !== serving.digest) wrong.push(`digest ${digest.slice(0, 19)}…`);
    if (wrong.length) {
      violations.push({
        invariant: 'status-ledger-arm-agree',
        app: observation.app,
        detail: `${source} says ${wrong.join(' and ')}; ARM serves ${serving.name} (${serving.digest?.slice(0, 19)}…, ${serving.trafficWeight} %)`,
      });
    }
  };
  if (status!.platformError === undefined) {
    if (observation.statusHasServingFields) says('GET /api/status servingRevision/servingDigest', status!.servingRevision ?? '(none)', status!.servingDigest ?? '(none)');
    else if (status!.deployedDigest !== undefined) says('GET /api/status deployedDigest', undefined, status!.deployedDigest);
  }
  // A deployment that ended has judged its release: nothing it created stays `pending`.
  if (observation.ledger && observation.ledger !== 'absent') {
    const byRevision = new Map(observation.ledger.releases.map((r) => [r.revisionName, r]));
    for (const d of observation.deployments ?? []) {
      const release = d.newRevision ? byRevision.get(d.newRevision) : undefined;
      if (release?.verdict === 'pending') {
        violations.push({ invariant: 'status-ledger-arm-agree', app: observation.app, detail: `${d.id} ended ${d.phase} but the ledger still has its release ${release.revisionName} pending` });
      }
      // A deployment that was rolled back or rejected cannot leave its release looking good.
      if (d.newRevision && d.kind !== 'rollback' && (d.phase === 'rolled-back' || d.phase === 'rejected') && !['failed', 'rolled-back', 'retired'].includes(release?.verdict ?? '')) {
        violations.push({
          invariant: 'status-ledger-arm-agree',
          app: observation.app,
          detail: `${d.id} ended ${d.phase} but the ledger has its release ${d.newRevision} ${release ? release.verdict : 'missing'}`,
        });
      }
    }
  }
  // `serving` is optional in the releases answer (absent when its own ARM read failed).
  if (observation.ledger && observation.ledger !== 'absent' && observation.ledger.serving) {
    says('the ledger (releases.serving)', observation.ledger.serving.revisionName, observation.ledger.serving.digest);
  }
  return violations;
}

/** Every check that needs one observation only. */
export function checkObservation(observation: AppObservation): Violation[] {
  return [
    ...checkNoTrafficOnBadReleases(observation),
    ...checkOneRunning(observation),
    ...checkMigrationsOnce(observation),
    ...checkOneMigrationRunning(observation),
    ...checkTrafficSums(observation),
    ...checkAgreement(observation),
  ];
}

/**
 * What spans observations: when each deployment was first seen started (or queued), so a
 * deployment that never ends is caught at its deadline; and every deployment id the API ever
 * answered, so a record lost across a crash is caught.
 */
export class InvariantTracker {
  private readonly startedAt = new Map<string, { at: number; downAt: number }>();
  private readonly queuedAt = new Map<string, { at: number; downAt: number }>();
  private readonly late = new Set<string>();
  /** Deployment id → app, for every id any answer carried. */
  readonly known = new Map<string, string>();

  remember(id: string, app: string): void {
    if (!this.known.has(id)) this.known.set(id, app);
  }

  /**
   * Deadlines: a started deployment must end within `deadlineMs` of being first seen started, and
   * a queued one start within the same bound; the controller's downtime is added to both.
   */
  checkDeadlines(app: string, deployments: DeploymentView[], deadlineMs: number, now: number, downMs: number): Violation[] {
    const violations: Violation[] = [];
    for (const d of deployments) {
      this.remember(d.id, app);
      if (TERMINAL.has(d.phase)) continue;
      const table = d.phase === 'queued' ? this.queuedAt : this.startedAt;
      const first = table.get(d.id) ?? { at: now, downAt: downMs };
      table.set(d.id, first);
      const allowed = deadlineMs + (downMs - first.downAt);
      const key = `${d.id}:${d.phase === 'queued' ? 'queued' : 'started'}`;
      if (now - first.at > allowed && !this.late.has(key)) {
        this.late.add(key);
        violations.push({
          invariant: 'deployment-deadline',
          app,
          detail: `${d.id} (${d.kind ?? 'deploy'}) still ${d.phase} ${Math.round((now - first.at) / 1000)} s after it was first seen ${d.phase === 'queued' ? 'queued' : 'started'} (allowed ${Math.round(allowed / 1000)} s)`,
        });
      }
    }
    return violations;
  }

  /** Ids of `app` the API once answered with that the listing no longer has. */
  missingFrom(app: string, deployments: DeploymentView[]): string[] {
    const listed = new Set(deployments.map((d) => d.id));
    return [...this.known].filter(([id, a]) => a === app && !listed.has(id)).map(([id]) => id);
  }
}

/** Every `deploymentId` / `aborted` string anywhere in an answer. */
export function deploymentIdsIn(body: unknown): string[] {
  const ids: string[] = [];
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === 'string') {
      if (key === 'deploymentId' || key === 'aborted') ids.push(value);
      return;
    }
    if (Array.isArray(value)) value.forEach((v) => visit(v));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(body);
  return ids;
}
