/**
 * Names, inputs and results of the activities the deployment orchestrations call.
 * Activities that can fail for a reason retrying will not fix return `{ ok: false }`;
 * a thrown error means "transient" and the orchestration's retry policy applies.
 */
import type { AnalysisCheckSpec } from '../analysis/analysisSpec';
import type { HookEvent, HttpHookSpec, JobHookSpec } from '../hooks/hookSpec';
import type { AnalysisRunRecord, DeploymentPhase, ImageRef, RolloutProgress, StepName, StepOutcome } from './deploymentModel';
import type { ContainerAppTarget, DeploySpec, HealthSpec } from './deploySpec';
import type { ReleaseVerdict, RollbackPlan, RollbackRefusal, RollbackRequest } from '../rollout';
import type { DeployCalendar } from '../schedule/deployWindow';

export const ActivityNames = {
  recordDeployment: 'recordDeployment',
  verifyImage: 'verifyImage',
  startMigration: 'startMigration',
  getMigrationStatus: 'getMigrationStatus',
  deployRevision: 'deployRevision',
  findDeployedRevision: 'findDeployedRevision',
  probeRevision: 'probeRevision',
  routeTraffic: 'routeTraffic',
  restoreRelease: 'restoreRelease',
  recordRelease: 'recordRelease',
  settleRelease: 'settleRelease',
  planRollback: 'planRollback',
  startDownMigration: 'startDownMigration',
  stopMigration: 'stopMigration',
  deactivateRevision: 'deactivateRevision',
  activateRevision: 'activateRevision',
  notifyDeployment: 'notifyDeployment',
  finishDeployment: 'finishDeployment',
  measureAnalysis: 'measureAnalysis',
  callHook: 'callHook',
  startHookJob: 'startHookJob',
  claimDeploySlot: 'claimDeploySlot',
  releaseDeploySlot: 'releaseDeploySlot',
} as const;

/**
 * Orchestrations are versioned by name. A deployment can park at an approval for hours, and
 * Durable replays it through the code registered under its name: a change that reorders what
 * an orchestrator yields gets a new name, and the old one stays registered until its
 * instances have drained.
 */
export const OrchestratorNames = {
  deployment: 'deploymentOrchestrator_v2',
  groupDeployment: 'groupDeploymentOrchestrator_v1',
  rollback: 'rollbackOrchestrator_v1',
  healthWait: 'healthWaitOrchestrator',
} as const;

export const ApprovalEventName = 'approval';

/** Raised on a running deployment by a manual rollback: it stops and runs its own compensation. */
export const AbortEventName = 'abort';
export interface AbortEvent {
  reason: string;
  by?: string;
}

/**
 * Raised on a deployment waiting for its deploy window when a newer request queues behind it:
 * newest wins for what waits too.
 */
export const SupersedeEventName = 'supersede';
export interface SupersedeEvent {
  by: string;
}

/** Raised on a deployment waiting for its deploy window when a person deploys the same release with an override: it goes now. */
export const WindowOverrideEventName = 'window-override';

/** A person's override of the deploy windows and freezes: recorded on the deployment and notified. */
export interface WindowOverride {
  reason: string;
  by?: string;
}

export interface DeploymentInput {
  deploymentId: string;
  spec: DeploySpec;
  image: ImageRef;
  source: string;
  requestedAt: string;
  /** The deploy windows and freezes that apply (absent: none, and the rollout compiles as it always did). */
  window?: { calendars: DeployCalendar[] };
  override?: WindowOverride;
  /** The Container Apps environments whose deployment slots it needs (absent: no limit applies). */
  slots?: DeploySlotNeed[];
  /** A member's part of a release group's deployment: its release is marked with the group's. */
  releaseGroup?: { name: string; deploymentId: string };
  /**
   * The rollout code's version when the deployment started (absent: 1). Behaviour added to a
   * path an in-flight deployment may replay checks it, so those replay as they first ran.
   */
  rolloutVersion?: number;
}

/**
 * What deployments and manual rollbacks started now run: 2 goes back when the deploy activity
 * failed after its revision was created (see deployStep); 3 judges the deploy window again when a
 * slot is granted, and gives the slot back to wait for the window if it closed meanwhile (see
 * admissionGate); 4 settles `rolled-back` the release a failed single-revision manual rollback
 * left behind (see rollbackOrchestrator); 5 settles `failed` a release whose health failed while
 * it waited for approval (see deploymentOrchestrator).
 */
export const ROLLOUT_VERSION = 5;

/** The input of a manual rollback's orchestration: a deployment's input (its image is the planned target) and the request. */
export interface RollbackInput extends DeploymentInput {
  request: RollbackRequest & { reason: string; by?: string };
}

/** One slot of a Container Apps environment with a maximum of concurrent deployments. */
export interface DeploySlotNeed {
  environment: string;
  limit: number;
}

export interface ClaimDeploySlotInput extends DeploySlotNeed {
  deploymentId: string;
  /** The app or release group deploying. */
  owner: string;
  at: string;
}
/** A deployment gives back its slots before it finishes (the window closed while it waited for them). */
export interface ReleaseDeploySlotInput {
  environments: string[];
  deploymentId: string;
}

export interface ClaimDeploySlotResult {
  granted: boolean;
  /** Who holds the environment's slots (`id (owner)`). */
  holders: string[];
}

export interface RecordDeploymentInput {
  deploymentId: string;
  app: string;
  at: string;
  phase?: DeploymentPhase;
  step?: { name: StepName; outcome: StepOutcome; detail?: string; member?: string };
  /** While waiting for the deploy window: when it opens. */
  opensAt?: string;
  previousRevision?: string;
  newRevision?: string;
  reason?: string;
  rollout?: RolloutProgress;
  /** Analysis runs to add or replace (keyed by step index and check). */
  analysis?: AnalysisRunRecord[];
}

/** One measurement of one analysis check (the activity returns a ProviderReading; the orchestration judges it). */
export interface MeasureAnalysisInput {
  app: string;
  containerApp: ContainerAppTarget;
  check: AnalysisCheckSpec;
  revisionName: string;
  /** The revision the new one is compared with (what served before the deployment). */
  stableRevisionName?: string;
  revisionFqdn?: string;
  /** The new release's image (pinned by digest), for providers that run it. */
  image?: string;
  /** Unique per measurement, the same when the activity is retried. */
  measurementId?: string;
}

/** An HTTP hook: one activity call, its tries and back-off inside it (bounded by the hook's timeout and retries). */
export interface CallHookInput {
  hook: HttpHookSpec;
  event: HookEvent;
}

/** A job hook's execution, started once per deployment, phase and hook (a retried start finds it). */
export interface StartHookJobInput {
  hook: JobHookSpec;
  containerApp: ContainerAppTarget;
  /** The release's image, pinned by digest. */
  image: string;
  event: HookEvent;
}
export type StartHookJobResult = Result<{ executionName: string; link: string }>;

export type Result<T> = ({ ok: true } & T) | { ok: false; reason: string };

export interface VerifyImageInput {
  image: ImageRef;
  platform: string;
  maxSizeBytes?: number;
}
export type VerifyImageResult = Result<{ digest: string; platforms: string[]; sizeBytes: number }>;

export interface StartMigrationInput {
  deploymentId: string;
  containerApp: ContainerAppTarget;
  jobName: string;
  image: string;
  command: string[];
}
export type StartMigrationResult = Result<{ executionName: string }>;

export interface GetMigrationStatusInput {
  containerApp: ContainerAppTarget;
  jobName: string;
  executionName: string;
}
/** Running/Processing keep waiting; Succeeded passes; anything else fails with the reason. */
export interface MigrationStatus {
  status: string;
  reason?: string;
}

export interface DeployRevisionInput {
  app: string;
  deploymentId: string;
  containerApp: ContainerAppTarget;
  image: string;
  revisionSuffix: string;
  /** Recorded in the release ledger with the revision (verdict `pending`). */
  release: { digest: string; tag?: string; migration?: { executionName?: string; backupId?: string; database?: string }; group?: { name: string; deploymentId: string } };
  at: string;
}
export interface DeployRevisionResult {
  revisionName: string;
  fqdn?: string;
  mode: 'Single' | 'Multiple';
  /** The revision serving before: the rollback target (recorded as `baseline` when new to the ledger). */
  previousRevision?: string;
  previousImage?: string;
}

/**
 * After the deploy activity failed for good: did its revision get created anyway (an answer lost
 * after ARM took the write)? In single-revision mode such a revision already serves, so the
 * deployment has to go back the way a failed check does. The release is recorded `pending` when
 * the ledger lacks it, as the deploy activity would have.
 */
export type FindDeployedRevisionInput = DeployRevisionInput;
export type FindDeployedRevisionResult = ({ exists: true } & DeployRevisionResult) | { exists: false };

/** A traffic change through the gate; refused (ok: false) when a target's verdict is unsafe and not forced. */
export interface RouteTrafficInput {
  app: string;
  deploymentId: string;
  containerApp: ContainerAppTarget;
  traffic: Array<{ revisionName: string; weight: number }>;
  force?: boolean;
  reason?: string;
  /** Who forced it (the API's authenticated caller), recorded on the release. */
  by?: string;
  /** A compensation putting back what served before (see TrafficGate). */
  restoring?: boolean;
  channels?: string[];
  at: string;
}
export type RouteTrafficResult = Result<Record<never, never>>;

/** Single-revision mode: re-apply a release's image as a new revision (live once ready), through the gate. */
export interface RestoreReleaseInput {
  app: string;
  deploymentId: string;
  containerApp: ContainerAppTarget;
  /** The release whose image is re-applied. */
  restores: string;
  image: string;
  revisionSuffix: string;
  force?: boolean;
  reason?: string;
  by?: string;
  restoring?: boolean;
  channels?: string[];
  at: string;
}
export type RestoreReleaseResult = Result<{ revisionName: string; fqdn?: string }>;

export interface RecordReleaseInput {
  app: string;
  revisionName: string;
  image: string;
  digest: string;
  tag?: string;
  deploymentId: string;
  restoredFrom?: string;
  migration?: { executionName?: string; backupId?: string; database?: string };
  at: string;
}

/**
 * A release's verdict after a deployment or rollback. `only` guards the change: a verdict
 * is written only over one of these (a retried settle never turns `failed` into `verified`).
 */
export interface SettleReleaseInput {
  app: string;
  revisionName: string;
  verdict: ReleaseVerdict;
  reason?: string;
  only?: ReleaseVerdict[];
  at: string;
  down?: { executionName?: string; outcome?: string };
}

export interface PlanRollbackInput {
  app: string;
  request: RollbackRequest;
}
export type PlanRollbackResult = (RollbackPlan & { mode: 'Single' | 'Multiple'; fqdn?: string }) | RollbackRefusal;

export interface StartDownMigrationInput {
  app: string;
  containerApp: ContainerAppTarget;
  jobName: string;
  /** The newer release's image: it knows its own down migration. */
  image: string;
  command: string[];
  /** The release migrated down: its run id makes the down migration run at most once. */
  revisionName: string;
}

export interface StopMigrationInput {
  containerApp: ContainerAppTarget;
  jobName: string;
  executionName: string;
}

export interface ProbeRevisionInput {
  containerApp: ContainerAppTarget;
  revisionName: string;
  fqdn?: string;
  health: HealthSpec;
}

/** One health observation of a revision, already read on the wire; the orchestrator judges it. */
export interface RevisionObservation {
  platform: { provisioningState?: string; runningState?: string; healthState?: string; replicas?: number; active?: boolean; exists: boolean };
  endpoint?: { status?: number; body?: string; error?: string; latencyMs?: number };
}


export interface RevisionActionInput {
  containerApp: ContainerAppTarget;
  revisionName: string;
  /** Deactivate only when the revision has no traffic (retiring after the rollback window). */
  onlyIfIdle?: boolean;
}

export interface NotifyDeploymentInput {
  deploymentId: string;
  app: string;
  channels: string[];
  event: 'started' | 'succeeded' | 'rolled-back' | 'failed' | 'awaiting-approval' | 'rollback-started' | 'rollback-succeeded' | 'rollback-failed' | 'waiting-for-window' | 'window-overridden';
  image: ImageRef;
  reason?: string;
}

export interface FinishDeploymentInput {
  deploymentId: string;
  /** The app, or for a release group's deployment the group's name (with `group` set). */
  app: string;
  group?: { members: Array<{ app: string; servingDigest?: string }>; servingTag?: string };
  phase: DeploymentPhase;
  digest: string;
  /** What serves when it ended (a rollback's target, or the release the deployment restored). */
  servingDigest?: string;
  servingTag?: string;
}
export interface FinishDeploymentResult {
  /** The deployment started next for the app, if a newer push was queued. */
  nextDeploymentId?: string;
}

export interface HealthWaitInput {
  spec: DeploySpec;
  revisionName: string;
  fqdn?: string;
  /** Carried across continue-as-new so the history stays bounded however long the wait. */
  carried?: { startedAt: string; consecutiveSuccesses: number; consecutiveFailures: number };
  /** Successes needed (the spec's threshold, or fewer for a canary step re-check). */
  successThreshold?: number;
}
export interface HealthWaitResult {
  verdict: 'passed' | 'failed';
  reason: string;
}
