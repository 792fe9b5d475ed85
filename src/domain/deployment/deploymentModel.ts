/**
 * The states a deployment goes through and the records the status API returns.
 * These strings are the API: `GET /api/deployments/{id}` returns them as they are.
 */
import type { AnalysisVerdict, Measurement } from '../analysis/analysisVerdict';

/** Where a deployment is. Terminal phases: succeeded, rolled-back, failed, superseded, rejected. */
export type DeploymentPhase =
  | 'queued' // waiting for the app's running deployment to end
  | 'waiting-for-window' // accepted outside the app's deploy window; starts when it opens (`opensAt`)
  | 'verifying' // the digest, platforms and size are checked in the registry
  | 'backing-up' // pre-migration backup of the app's database
  | 'migrating' // the app's migration job runs the new image
  | 'deploying' // a new revision is created, pinned by digest
  | 'health-waiting' // the new revision must prove healthy
  | 'awaiting-approval' // a person must approve; health checks keep running
  | 'promoting' // traffic moves to the new revision (canary steps when configured)
  | 'rolling-back' // traffic goes back to the last good revision
  | 'succeeded'
  | 'rolled-back' // failed after deploy; traffic restored to the previous revision
  | 'failed' // failed before any traffic changed, or the rollback itself failed
  | 'superseded' // a newer push for the same app replaced it before it started
  | 'rejected'; // a person rejected it at the approval gate (then rolled back), or a deploy freeze refused it

export const TERMINAL_PHASES: ReadonlySet<DeploymentPhase> = new Set(['succeeded', 'rolled-back', 'failed', 'superseded', 'rejected']);

export type StepName =
  /** Waiting for the deploy window to open (or its override). */
  | 'window'
  /** Waiting for a deployment slot of the app's Container Apps environment. */
  | 'slot'
  | 'verify'
  | 'backup'
  | 'migration'
  | 'deploy'
  | 'health-wait'
  | 'approval'
  | 'promote'
  /** After promotion: analysis while the previous revision stays active. */
  | 'bake'
  /** Hooks: a smoke test before any traffic, a call once promoted, a call after a rollback. */
  | 'pre-traffic'
  | 'post-promotion'
  | 'on-rollback'
  | 'rollback'
  | 'down-migration'
  | 'retire-previous'
  // a manual rollback's own steps
  | 'plan'
  | 'reactivate'
  | 'traffic';

/** `deploy`: a release going out (push, reconcile, manual deploy); `rollback`: a manual rollback to an earlier release. */
export type DeploymentKind = 'deploy' | 'rollback';

/** The rollout as data: its compiled steps and the one running (see src/domain/rollout). */
export interface RolloutProgress {
  steps: Array<{ kind: string; weight?: number; seconds?: number; successThreshold?: number; timeoutMinutes?: number; phase?: string; hook?: string }>;
  index: number;
}

/** A step's outcome. `skipped` carries the reason in `detail`. */
export type StepOutcome = 'running' | 'succeeded' | 'failed' | 'skipped';

export interface StepRecord {
  step: StepName;
  /** In a release group's deployment: the member app the step ran for. */
  member?: string;
  outcome: StepOutcome;
  startedAt: string;
  endedAt?: string;
  detail?: string;
}

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest: string;
}

export interface DeploymentRecord {
  id: string;
  app: string;
  kind: DeploymentKind;
  phase: DeploymentPhase;
  image: ImageRef;
  source: string;
  /** Who asked, for a manual deploy or rollback: the API's authenticated caller (a user's sign-in name, or `key:<name>`). */
  requestedBy?: string;
  createdAt: string;
  updatedAt: string;
  previousRevision?: string;
  newRevision?: string;
  reason?: string;
  steps: StepRecord[];
  rollout?: RolloutProgress;
  /** Every analysis run of the deployment: where, which check, its verdict and measurements. */
  analysis?: AnalysisRunRecord[];
  /** While `waiting-for-window`: when the deploy window opens. */
  opensAt?: string;
  /** A release group's deployment: the group and its members in promotion order. */
  group?: { name: string; members: string[] };
}

/** One check's run at one rollout step (a canary weight or the bake). */
export interface AnalysisRunRecord {
  /** Index of the rollout step that ran it. */
  stepIndex: number;
  /** `10 %` at a canary step, `bake` after promotion. */
  at: string;
  check: string;
  verdict: AnalysisVerdict;
  reason: string;
  measurements: Measurement[];
}

/** `registry/repository@sha256:...`: what a revision runs, pinned by digest. */
export function pinnedImage(image: ImageRef): string {
  return `${image.registry}/${image.repository}@${image.digest}`;
}
