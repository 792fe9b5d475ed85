/**
 * Single-revision mode has no idle revision to switch to: a release is restored by applying its
 * image again as a new revision, which serves as soon as it is ready, so its health can only be
 * judged on live traffic. A restored release that fails there is no longer a safe place: it is
 * marked `failed` and the next safe release in the ledger is tried, so an app is not left serving
 * a release that just failed its checks while an older good one exists. Both ways back use this
 * walk: a deployment's compensation and a manual rollback.
 */
import type { Task } from 'durable-functions';
import {
  ActivityNames as A,
  OrchestratorNames,
  restoreSuffixFor,
  type HealthWaitInput,
  type HealthWaitResult,
  type PlanRollbackInput,
  type PlanRollbackResult,
  type RecordReleaseInput,
  type RestoreReleaseInput,
  type RestoreReleaseResult,
} from '../../domain/deployment';
import { digestOfImage } from '../../domain/rollout';
import { settle } from './settle';
import type { RolloutRun } from './rolloutRun';

/** How many releases one walk tries, newest first, before it gives up. */
const MAX_RESTORES = 3;

/** A release to apply again: its revision (the ledger row) and its image. */
export interface ReleaseToRestore {
  revisionName: string;
  image: string;
  tag?: string;
}

export interface RestoreWalkOptions {
  /** A person routes to an unsafe release on purpose: passed to the gate for the first release only. */
  force?: boolean;
  reason?: string;
  /** The health-wait sub-orchestration's instance id for each attempt (stable across replays). */
  healthInstanceId: (attempt: number) => string;
}

export interface RestoreWalk {
  ok: boolean;
  /** One clause per release tried. */
  detail: string;
  /** The release that serves at the end, when one passed on live traffic. */
  serves?: ReleaseToRestore & { digest?: string; restoredAs: string };
  /** The first release asked for passed (not a later one). */
  firstPassed: boolean;
}

export function* restoreLive(run: RolloutRun, first: ReleaseToRestore, options: RestoreWalkOptions): Generator<Task, RestoreWalk, unknown> {
  const { spec, deploymentId } = run.input;
  const clauses: string[] = [];
  let release = first;
  for (let attempt = 0; ; attempt++) {
    const digest = digestOfImage(release.image) ?? '';
    const restored = (yield run.call(A.restoreRelease, {
      app: spec.app,
      deploymentId,
      containerApp: spec.containerApp,
      channels: spec.notify,
      at: run.now(),
      restores: release.revisionName,
      image: release.image,
      revisionSuffix: restoreSuffixFor(deploymentId, digest),
      ...(attempt === 0 && options.force ? { force: true, reason: options.reason } : { restoring: true }),
    } satisfies RestoreReleaseInput)) as RestoreReleaseResult;
    if (!restored.ok) return { ok: false, detail: [...clauses, restored.reason].join('; '), firstPassed: false };
    yield run.call(A.recordRelease, {
      app: spec.app,
      revisionName: restored.revisionName,
      image: release.image,
      digest,
      tag: release.tag,
      deploymentId,
      restoredFrom: release.revisionName,
      at: run.now(),
    } satisfies RecordReleaseInput);
    const health = (yield run.context.df.callSubOrchestrator(
      OrchestratorNames.healthWait,
      { spec, revisionName: restored.revisionName, fqdn: restored.fqdn } satisfies HealthWaitInput,
      options.healthInstanceId(attempt),
    )) as HealthWaitResult;
    const passed = health.verdict === 'passed';
    yield* settle(run, restored.revisionName, passed ? 'verified' : 'failed', `restores ${release.revisionName}: ${health.reason}`, ['pending']);
    clauses.push(`${restored.revisionName} re-applies ${release.revisionName}'s image (single-revision mode); health-wait ran on live traffic: ${health.reason}`);
    if (passed) return { ok: true, detail: clauses.join('; '), serves: { ...release, digest: digest || undefined, restoredAs: restored.revisionName }, firstPassed: attempt === 0 };
    // It failed on live traffic: no longer a rollback target, for this walk or anyone's.
    yield* settle(run, release.revisionName, 'failed', `re-applied as ${restored.revisionName} by ${deploymentId} and failed on live traffic: ${health.reason}`, ['verified', 'baseline', 'superseded', 'retired']);
    if (attempt + 1 >= MAX_RESTORES) return { ok: false, detail: clauses.join('; '), firstPassed: false };
    const next = (yield run.call(A.planRollback, { app: spec.app, request: {} } satisfies PlanRollbackInput)) as PlanRollbackResult;
    if (!next.ok || !next.target.image) {
      return { ok: false, detail: [...clauses, next.ok ? `${next.target.revisionName} has no recorded image` : next.reason].join('; '), firstPassed: false };
    }
    release = { revisionName: next.target.revisionName, image: next.target.image, tag: next.target.tag };
  }
}
