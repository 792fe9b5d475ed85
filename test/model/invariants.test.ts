/**
 * The checker's invariants as pure rules: each one catches what it names and stays quiet on
 * what the product legitimately does (a forced route, a record read racing a deployment).
 */
import {
  checkAgreement,
  checkMigrationsOnce,
  checkOneMigrationRunning,
  checkNoTrafficOnBadReleases,
  checkOneRunning,
  checkTrafficSums,
  deploymentIdsIn,
  InvariantTracker,
  type AppObservation,
  type ArmAppView,
  type StatusAppView,
} from './invariants';
import { checkDeployWindows, checkGroupConsistency } from './groupInvariants';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

function arm(weights: Record<string, number>, digests: Record<string, string> = {}): ArmAppView {
  return {
    mode: 'Multiple',
    ingressWeights: Object.values(weights).filter((w) => w > 0),
    revisions: Object.entries(weights).map(([name, trafficWeight]) => ({ name, trafficWeight, active: true, digest: digests[name] })),
  };
}

const idleStatus: StatusAppView = { queued: [] };

function observation(fields: Partial<AppObservation>): AppObservation {
  return { app: 'a', hasIngress: true, deployments: [], ...fields };
}

describe('no traffic on a failed or rolled-back release unless forced', () => {
  it.each([
    ['ledger says failed, serving', { verdict: 'failed' }, 100, 1],
    ['ledger says rolled-back, serving 10 %', { verdict: 'rolled-back' }, 10, 1],
    ['ledger says failed, forced with a reason', { verdict: 'failed', forced: { reason: 'hotfix' } }, 100, 0],
    ['ledger says failed, no traffic', { verdict: 'failed' }, 0, 0],
    ['ledger says verified', { verdict: 'verified' }, 100, 0],
  ])('%s', (_name, release, weight, expected) => {
    const o = observation({ ledger: { releases: [{ revisionName: 'a--old', verdict: 'verified' }, { revisionName: 'a--new', ...release }] }, arm: arm({ 'a--old': 100 - weight, 'a--new': weight }) });
    expect(checkNoTrafficOnBadReleases(o)).toHaveLength(expected);
  });

  it('a single-revision app whose every release failed its checks has nowhere safe to go: what serves is not a violation', () => {
    const ledger = { releases: [{ revisionName: 'a--initial', verdict: 'failed' }, { revisionName: 'a--new', verdict: 'failed' }, { revisionName: 'a--rb', verdict: 'failed' }] };
    expect(checkNoTrafficOnBadReleases(observation({ ledger, arm: { ...arm({ 'a--rb': 100 }), mode: 'Single' } }))).toHaveLength(0);
    // One safe release left anywhere in the ledger, and serving a failed one is a violation again.
    const withSafe = { releases: [...ledger.releases, { revisionName: 'a--older', verdict: 'superseded' }] };
    expect(checkNoTrafficOnBadReleases(observation({ ledger: withSafe, arm: { ...arm({ 'a--rb': 100 }), mode: 'Single' } }))).toHaveLength(1);
  });

  it('without a ledger, a revision whose deployment rolled back must not serve', () => {
    const o = observation({ ledger: 'absent', deployments: [{ id: 'd1', phase: 'rolled-back', newRevision: 'a--new' }], arm: arm({ 'a--new': 100 }) });
    expect(checkNoTrafficOnBadReleases(o)).toHaveLength(1);
  });
});

describe('at most one running deployment per app', () => {
  it.each([
    [['succeeded', 'verifying', 'queued'], 0],
    [['health-waiting', 'promoting'], 1],
    [['rolled-back', 'superseded'], 0],
  ])('%j', (phases, expected) => {
    expect(checkOneRunning(observation({ deployments: phases.map((phase, i) => ({ id: `d${i}`, phase })) }))).toHaveLength(expected);
  });
});

describe('each migration run at most once', () => {
  it('counts executions per run id', () => {
    const o = observation({
      executions: [
        { job: 'j', name: 'e1', runId: 'migration-d1' },
        { job: 'j', name: 'e2', runId: 'migration-d1' },
        { job: 'j', name: 'e3', runId: 'down-a-a--new' },
      ],
    });
    expect(checkMigrationsOnce(o).map((v) => v.detail)).toEqual([expect.stringContaining('migration-d1 has 2 executions')]);
  });

  it('no two releases claim the same execution', () => {
    const o = observation({
      ledger: {
        releases: [
          { revisionName: 'a--1', verdict: 'verified', migration: { executionName: 'e1' } },
          { revisionName: 'a--2', verdict: 'verified', migration: { executionName: 'e1' } },
        ],
      },
    });
    expect(checkMigrationsOnce(o)).toHaveLength(1);
  });
});

describe('one migration running at a time', () => {
  it.each([
    [['Succeeded', 'Running'], 0],
    [['Running', 'Running'], 1],
  ])('%j', (statuses, expected) => {
    const o = observation({ executions: statuses.map((status, i) => ({ job: 'j', name: `e${i}`, runId: `migration-d${i}`, status })) });
    expect(checkOneMigrationRunning(o)).toHaveLength(expected);
  });
});

describe('traffic sums to 100', () => {
  it.each([
    [{ x: 100 }, 0],
    [{ x: 90, y: 10 }, 0],
    [{ x: 90 }, 2],
  ])('%j', (weights, expected) => {
    expect(checkTrafficSums(observation({ arm: arm(weights) }))).toHaveLength(expected);
  });
});

describe('status, ledger and ARM agree when the app is idle', () => {
  const armView = arm({ 'a--1': 100, 'a--0': 0 }, { 'a--1': DIGEST_A, 'a--0': DIGEST_B });
  it('agreeing sources pass', () => {
    const status = { ...idleStatus, servingRevision: 'a--1', servingDigest: DIGEST_A };
    const o = observation({ arm: armView, status, statusAfter: status, deploymentsAfter: [], statusHasServingFields: true, ledger: { serving: { revisionName: 'a--1', digest: DIGEST_A }, releases: [] } });
    expect(checkAgreement(o)).toEqual([]);
  });

  it('a status naming another digest fails', () => {
    const status = { ...idleStatus, servingRevision: 'a--1', servingDigest: DIGEST_B };
    expect(checkAgreement(observation({ arm: armView, status, statusAfter: status, deploymentsAfter: [], statusHasServingFields: true }))).toHaveLength(1);
  });

  it('a release its ended deployment left pending disagrees', () => {
    const status = { ...idleStatus, servingRevision: 'a--1', servingDigest: DIGEST_A };
    const deployments = [{ id: 'd1', phase: 'succeeded', newRevision: 'a--1' }];
    const ledger = { releases: [{ revisionName: 'a--1', verdict: 'pending' }] };
    const o = observation({ arm: armView, status, statusAfter: status, deployments, deploymentsAfter: deployments, statusHasServingFields: true, ledger });
    expect(checkAgreement(o).map((v) => v.detail)).toEqual([expect.stringContaining('pending')]);
  });

  it.each([
    ['verified', 1],
    ['failed', 0],
    ['rolled-back', 0],
  ])('a rolled-back deployment whose release the ledger calls %s', (verdict, expected) => {
    const status = { ...idleStatus, servingRevision: 'a--1', servingDigest: DIGEST_A };
    const deployments = [{ id: 'd1', phase: 'rolled-back', newRevision: 'a--0' }];
    const ledger = { releases: [{ revisionName: 'a--0', verdict }] };
    const o = observation({ arm: armView, status, statusAfter: status, deployments, deploymentsAfter: deployments, statusHasServingFields: true, ledger });
    expect(checkAgreement(o)).toHaveLength(expected);
  });

  it('a status that could not read ARM says nothing', () => {
    const status = { ...idleStatus, platformError: 'Container Apps unreachable (429)' };
    expect(checkAgreement(observation({ arm: armView, status, statusAfter: status, deploymentsAfter: [], statusHasServingFields: true }))).toEqual([]);
  });

  it('without serving fields (older builds) deployedDigest is compared', () => {
    const status = { ...idleStatus, deployedDigest: DIGEST_B };
    expect(checkAgreement(observation({ arm: armView, status, statusAfter: status, deploymentsAfter: [] }))).toHaveLength(1);
  });

  it('is not judged while a deployment runs or records moved during the read', () => {
    const status = { ...idleStatus, servingDigest: DIGEST_B };
    expect(checkAgreement(observation({ arm: armView, status: { ...status, running: 'd1' }, statusAfter: status, deploymentsAfter: [] }))).toEqual([]);
    expect(checkAgreement(observation({ arm: armView, status, statusAfter: status, deploymentsAfter: [{ id: 'd2', phase: 'succeeded' }] }))).toEqual([]);
  });
});

describe('deadlines and lost records', () => {
  it('a started deployment past its deadline is late once; controller downtime extends it', () => {
    const tracker = new InvariantTracker();
    const running = [{ id: 'd1', phase: 'health-waiting' }];
    expect(tracker.checkDeadlines('a', running, 10_000, 0, 0)).toEqual([]);
    expect(tracker.checkDeadlines('a', running, 10_000, 15_000, 8_000)).toEqual([]);
    expect(tracker.checkDeadlines('a', running, 10_000, 19_000, 8_000)).toHaveLength(1);
    expect(tracker.checkDeadlines('a', running, 10_000, 25_000, 8_000)).toEqual([]);
  });

  it('an id once answered and no longer listed is missing', () => {
    const tracker = new InvariantTracker();
    for (const id of deploymentIdsIn({ apps: [{ app: 'a', deploymentId: 'd1' }], aborted: 'd2' })) tracker.remember(id, 'a');
    expect(tracker.missingFrom('a', [{ id: 'd1', phase: 'succeeded' }])).toEqual(['d2']);
  });
});

describe('release groups: no member serves a release the others rolled back', () => {
  const group = { name: 'g', deploymentId: 'g-1' };
  const member = (app: string, serving: string, releases: any[], hasIngress = true): AppObservation =>
    observation({
      app,
      hasIngress,
      status: idleStatus,
      statusAfter: idleStatus,
      deploymentsAfter: [],
      ledger: { serving: { revisionName: serving, digest: DIGEST_B }, releases },
      arm: arm({ [serving]: 100 }),
    });

  it.each([
    ['the worker still serves what the web rolled back', 'rolled-back', 1],
    ['the worker still serves what the web failed', 'failed', 1],
    ['both verified', 'verified', 0],
  ])('%s', (_name, webVerdict, expected) => {
    const web = member('web', 'web--old', [{ revisionName: 'web--new', verdict: webVerdict, group }, { revisionName: 'web--old', verdict: 'verified' }]);
    const worker = member('wrk', 'wrk--new', [{ revisionName: 'wrk--new', verdict: 'verified', group }], false);
    expect(checkGroupConsistency('g', [web, worker])).toHaveLength(expected);
  });

  /** A worker without ingress in single-revision mode: ARM has no traffic to read, only which revision is active. */
  const singleWorker = (active: string, ledgerServing: string, releases: any[]): AppObservation => ({
    ...member('wrk', ledgerServing, releases, false),
    arm: { mode: 'Single', revisions: [{ name: 'wrk--old', trafficWeight: 0, active: active === 'wrk--old' }, { name: 'wrk--new', trafficWeight: 0, active: active === 'wrk--new' }] },
  });

  it('reads what a worker without ingress serves from ARM, not from the ledger', () => {
    const web = member('web', 'web--old', [{ revisionName: 'web--new', verdict: 'rolled-back', group }, { revisionName: 'web--old', verdict: 'verified' }]);
    const releases = [{ revisionName: 'wrk--new', verdict: 'verified', group }, { revisionName: 'wrk--old', verdict: 'superseded' }];
    // ARM still runs the group's release the web app rolled back, while the ledger says the old one serves.
    const stuck = checkGroupConsistency('g', [web, singleWorker('wrk--new', 'wrk--old', releases)]);
    expect(stuck.map((v) => v.invariant).sort()).toEqual(['group-release-consistent', 'group-serving-agrees']);
    // Back on the old revision at ARM, and the ledger agrees.
    expect(checkGroupConsistency('g', [web, singleWorker('wrk--old', 'wrk--old', releases)])).toEqual([]);
  });

  it('reports a worker whose ledger names another revision than the one ARM has active', () => {
    const web = member('web', 'web--new', [{ revisionName: 'web--new', verdict: 'verified', group }]);
    const releases = [{ revisionName: 'wrk--new', verdict: 'verified', group }, { revisionName: 'wrk--old', verdict: 'superseded' }];
    expect(checkGroupConsistency('g', [web, singleWorker('wrk--old', 'wrk--new', releases)])).toEqual([expect.objectContaining({ invariant: 'group-serving-agrees', app: 'wrk' })]);
    expect(checkGroupConsistency('g', [web, singleWorker('wrk--new', 'wrk--new', releases)])).toEqual([]);
  });

  it('is not judged while a member is still on its way back', () => {
    const web = member('web', 'web--old', [{ revisionName: 'web--new', verdict: 'rolled-back', group }]);
    const worker = { ...member('wrk', 'wrk--new', [{ revisionName: 'wrk--new', verdict: 'pending', group }], false), status: { queued: [], running: 'g-1' } };
    expect(checkGroupConsistency('g', [web, worker])).toEqual([]);
  });
});

describe('nothing deploys outside its window unless overridden', () => {
  const evenMinutes = (atMs: number) => new Date(atMs).getUTCMinutes() % 2 === 0;
  /** `judgedAt`: when the window was judged; after a wait, verify may open a moment later (here in the next, odd minute). */
  const deployment = (judgedAt: string, window?: string) => ({
    id: 'd1',
    phase: 'succeeded',
    steps: window
      ? [{ step: 'window', outcome: 'succeeded', startedAt: '2026-12-02T09:55:10Z', endedAt: judgedAt, detail: window }, { step: 'verify', outcome: 'succeeded', startedAt: '2026-12-02T10:05:10Z' }]
      : [{ step: 'verify', outcome: 'succeeded', startedAt: judgedAt }],
  });
  it.each([
    ['inside the window', deployment('2026-12-02T10:02:30Z'), 0],
    ['outside the window', deployment('2026-12-02T10:03:30Z'), 1],
    ['outside, after waiting for the window', deployment('2026-12-02T10:03:30Z', 'window open at 2026-12-02T10:03:30Z'), 1],
    ['inside after waiting, verify a moment later', deployment('2026-12-02T10:04:59Z', 'window open at 2026-12-02T10:04:59Z'), 0],
    ['outside, overridden by a person', deployment('2026-12-02T10:03:30Z', 'overridden: hotfix (outside the deploy window of group g)'), 0],
  ])('%s', (_name, d, expected) => {
    expect(checkDeployWindows(observation({ deployments: [d] }), evenMinutes)).toHaveLength(expected);
  });

  /** Admitted by the window at 10:02:30, then queued for an environment slot until `verifyAt`. */
  const slotted = (verifyAt: string, window = 'window open at 2026-12-02T10:02:30Z') => ({
    id: 'd2',
    phase: 'succeeded',
    steps: [
      { step: 'window', outcome: 'succeeded', startedAt: '2026-12-02T10:01:10Z', endedAt: '2026-12-02T10:02:30Z', detail: window },
      { step: 'slot', outcome: 'succeeded', startedAt: '2026-12-02T10:02:31Z', endedAt: verifyAt, detail: 'a slot of env freed' },
      { step: 'verify', outcome: 'succeeded', startedAt: verifyAt },
    ],
  });
  it.each([
    ['a slot granted inside the window', slotted('2026-12-02T10:04:20Z'), 0],
    ['a slot granted after the window closed, deployed anyway', slotted('2026-12-02T10:03:20Z'), 1],
    ['a slot granted after the window closed, overridden on the second wait', { ...slotted('2026-12-02T10:03:20Z'), steps: [...slotted('2026-12-02T10:03:20Z').steps, { step: 'window', outcome: 'succeeded', startedAt: '2026-12-02T10:03:20Z', detail: 'overridden: hotfix (outside the deploy window of app a)' }] }, 0],
  ])('%s', (_name, d, expected) => {
    expect(checkDeployWindows(observation({ deployments: [d] }), evenMinutes)).toHaveLength(expected);
  });

  it('judges a deployment that waited for the window twice by its last wait', () => {
    const twice = {
      id: 'd3',
      phase: 'succeeded',
      steps: [
        { step: 'window', outcome: 'succeeded', startedAt: '2026-12-02T10:01:10Z', endedAt: '2026-12-02T10:02:00Z', detail: 'window open at 2026-12-02T10:02:00Z' },
        { step: 'window', outcome: 'succeeded', startedAt: '2026-12-02T10:03:00Z', endedAt: '2026-12-02T10:03:40Z', detail: 'window open at 2026-12-02T10:03:40Z' },
        { step: 'verify', outcome: 'succeeded', startedAt: '2026-12-02T10:03:40Z' },
      ],
    };
    expect(checkDeployWindows(observation({ deployments: [twice] }), evenMinutes)).toHaveLength(1);
  });
});
