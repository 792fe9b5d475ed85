/**
 * A manual rollback of an idle app, as a recorded deployment of kind `rollback`: plan the
 * target from the release ledger, wake and health-check it before any traffic moves, switch
 * through the traffic gate, mark the release left behind `rolled-back`, apply the app's
 * migration policy, notify, and hand the app's queue on.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import {
  ActivityNames as A,
  OrchestratorNames,
  type DeploymentPhase,
  type FinishDeploymentInput,
  type HealthWaitInput,
  type HealthWaitResult,
  type PlanRollbackResult,
  type RollbackInput,
  type RouteTrafficInput,
  type RouteTrafficResult,
} from '../../domain/deployment';
import type { Release, RollbackPlan } from '../../domain/rollout';
import { activityFailureMessage } from '../activityFailure';
import { downMigration, keepSchemaNote } from './compensation';
import { restoreLive } from './restoreLive';
import { settle } from './settle';
import { startRolloutRun, sweepNow, type RolloutRun } from './rolloutRun';

export const rollbackOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, unknown, unknown> {
  const run = startRolloutRun(context);
  const input = context.df.getInput() as RollbackInput;
  let phase: DeploymentPhase = 'failed';
  let reason: string;
  let servingDigest: string | undefined;
  let servingTag: string | undefined;
  try {
    yield run.step('plan', 'running', undefined, 'rolling-back');
    const plan = (yield run.call(A.planRollback, { app: input.spec.app, request: input.request })) as PlanRollbackResult;
    if (!plan.ok) throw new Refused('plan', plan.reason);
    yield run.record({ step: { name: 'plan', outcome: 'succeeded', detail: describePlan(plan) }, previousRevision: plan.from?.revisionName, newRevision: plan.target.revisionName });
    yield run.notify('rollback-started', `${input.request.reason}: ${describePlan(plan)}`);

    const moved = plan.mode === 'Single' ? yield* restoreTemplate(run, input, plan) : yield* switchTraffic(run, input, plan);
    if (plan.from) yield* settleLeftBehind(run, plan.from, input.request.reason);
    const schema = yield* migrationsAfterRollback(run, plan);
    servingDigest = moved.digest;
    servingTag = moved.tag;
    phase = 'succeeded';
    reason = [`${input.request.reason}: ${moved.text}`, ...schema].join('; ');
    yield run.record({ phase, reason });
    yield run.notify('rollback-succeeded', reason);
  } catch (error) {
    const refused = error instanceof Refused ? error : new Refused('traffic', activityFailureMessage(error));
    reason = `rollback refused or failed at ${refused.step}: ${refused.message}`;
    servingDigest = refused.serves?.digest;
    servingTag = refused.serves?.tag;
    yield run.step(refused.step, 'failed', refused.message);
    yield run.record({ phase: 'failed', reason });
    yield run.notify('rollback-failed', reason);
  }
  yield run.call(A.finishDeployment, {
    deploymentId: input.deploymentId,
    app: input.spec.app,
    phase,
    digest: input.image.digest,
    servingDigest,
    servingTag,
  } satisfies FinishDeploymentInput);
  if (phase === 'succeeded') yield* sweepNow(run);
  return { deploymentId: input.deploymentId, phase, reason };
};

/** The rollout version from which a failed single-revision walk settles the release it left behind. */
export const SETTLE_LEFT_BEHIND_AFTER_FAILED_WALK = 4;

function servesImageOf(serves: { revisionName: string; digest?: string }, release: Release): boolean {
  return serves.revisionName === release.revisionName || (serves.digest !== undefined && serves.digest === release.digest);
}

/** The release the person rolled away from is `rolled-back`, unless someone settled it otherwise. */
function* settleLeftBehind(run: RolloutRun, from: Release, reason: string): Generator<Task, void, unknown> {
  yield* settle(run, from.revisionName, 'rolled-back', reason, ['pending', 'verified', 'baseline', 'superseded']);
}

class Refused extends Error {
  /** `serves`: a release other than the target that serves at the end (single-revision walk). */
  constructor(readonly step: 'plan' | 'reactivate' | 'health-wait' | 'traffic', reason: string, readonly serves?: { digest?: string; tag?: string }) {
    super(reason);
  }
}

/** What the move did, and the release serving after it. */
interface Moved {
  text: string;
  digest?: string;
  tag?: string;
}

/** Multiple mode: wake and check the target at 0 %, then give it all the traffic. */
function* switchTraffic(run: RolloutRun, input: RollbackInput, plan: RollbackPlan & { fqdn?: string }): Generator<Task, Moved, unknown> {
  const target = plan.target.revisionName;
  const { spec } = input;
  if (plan.reactivate) {
    yield run.step('reactivate', 'running', target);
    yield run.call(A.activateRevision, { containerApp: spec.containerApp, revisionName: target });
    yield run.step('reactivate', 'succeeded', `${target} activated`);
  }
  yield run.step('health-wait', 'running', `${target}, before any traffic moves`);
  const health = (yield run.context.df.callSubOrchestrator(
    OrchestratorNames.healthWait,
    { spec, revisionName: target, fqdn: plan.fqdn } satisfies HealthWaitInput,
    `${input.deploymentId}:health`,
  )) as HealthWaitResult;
  if (health.verdict !== 'passed') throw new Refused('health-wait', `${target} is not healthy: ${health.reason}; traffic not moved`);
  yield run.step('health-wait', 'succeeded', health.reason);
  yield run.step('traffic', 'running', `100 % to ${target}`);
  const routed = (yield run.call(A.routeTraffic, {
    app: spec.app,
    deploymentId: input.deploymentId,
    containerApp: spec.containerApp,
    traffic: [{ revisionName: target, weight: 100 }],
    force: input.request.force,
    reason: input.request.reason,
    by: input.request.by,
    channels: spec.notify,
    at: run.now(),
  } satisfies RouteTrafficInput)) as RouteTrafficResult;
  if (!routed.ok) throw new Refused('traffic', routed.reason);
  yield run.step('traffic', 'succeeded', `100 % on ${target}${plan.forced ? ' (forced)' : ''}`);
  return { text: `100 % on ${target}${plan.from ? `, away from ${plan.from.revisionName}` : ''}`, digest: plan.target.digest, tag: plan.target.tag };
}

/**
 * Single-revision mode: the target's image is applied again and judged on live traffic
 * (restoreLive.ts). If it fails there, the walk goes on to the next safe release, so the app is
 * not left on it, and the rollback fails naming what serves instead.
 */
function* restoreTemplate(run: RolloutRun, input: RollbackInput, plan: RollbackPlan): Generator<Task, Moved, unknown> {
  const target = plan.target;
  yield run.step('traffic', 'running', `re-apply ${target.revisionName}'s image (single-revision mode)`);
  const walk = yield* restoreLive(run, { revisionName: target.revisionName, image: target.image ?? '', tag: target.tag }, {
    force: input.request.force,
    reason: input.request.reason,
    by: input.request.by,
    healthInstanceId: (attempt) => (attempt === 0 ? `${input.deploymentId}:health` : `${input.deploymentId}:health-${attempt}`),
  });
  if (!walk.serves) throw new Refused('traffic', walk.detail);
  const serves = { digest: walk.serves.digest, tag: walk.serves.tag };
  if (!walk.firstPassed) {
    // The rollback failed, but traffic left the release it was asked to leave all the same: that one
    // is settled `rolled-back` as after a rollback that succeeded. Left `verified`, it would be the
    // newest safe release, and the next un-targeted rollback would go straight back to it. Not when
    // the walk came back to its image (as a new revision, or through an older row with the same digest).
    // Rollbacks started before version 4 replay as they ran.
    const leftBehind = plan.from && !servesImageOf(walk.serves, plan.from) ? plan.from : undefined;
    if (leftBehind && (input.rolloutVersion ?? 1) >= SETTLE_LEFT_BEHIND_AFTER_FAILED_WALK) yield* settleLeftBehind(run, leftBehind, input.request.reason);
    throw new Refused('health-wait', `${target.revisionName} failed on live traffic and is marked failed; ${walk.serves.restoredAs} serves ${walk.serves.revisionName}'s image instead: ${walk.detail}`, serves);
  }
  yield run.step('traffic', 'succeeded', `${walk.serves.restoredAs} runs ${target.revisionName}'s image`);
  yield run.step('health-wait', 'succeeded', `${walk.detail} (judged on live traffic)`);
  return { text: `${walk.serves.restoredAs} serves ${target.revisionName}'s image (single-revision mode; health judged on live traffic)`, ...serves };
}

/** Each migration the rollback crosses, newest first, by the app's policy. */
function* migrationsAfterRollback(run: RolloutRun, plan: RollbackPlan): Generator<Task, string[], unknown> {
  const migration = run.input.spec.migration;
  const notes: string[] = [];
  for (const release of plan.crossedMigrations) {
    if (migration?.rollback === 'down' && migration.downCommand && release.image) {
      notes.push(yield* downMigration(run, { revisionName: release.revisionName, image: release.image }));
    } else {
      notes.push(keepSchemaNote(nameOf(release), release.migration?.executionName ?? '?', release.migration?.database, release.migration?.backupId));
    }
  }
  return notes;
}

function describePlan(plan: RollbackPlan): string {
  const from = plan.from ? `${nameOf(plan.from)} (${plan.from.revisionName})` : 'what serves now';
  return `from ${from} to ${nameOf(plan.target)} (${plan.target.revisionName}, ${plan.target.verdict}${plan.forced ? ', forced' : ''})`;
}

function nameOf(release: Release): string {
  return release.tag ?? release.digest?.slice(0, 19) ?? release.revisionName;
}
