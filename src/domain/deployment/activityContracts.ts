/**
 * Names, inputs and results of the activities the deployment orchestrations call.
 * Activities that can fail for a reason retrying will not fix return `{ ok: false }`;
 * a thrown error means "transient" and the orchestration's retry policy applies.
 */
import type { DeploymentPhase, ImageRef, StepName, StepOutcome } from './deploymentModel';
import type { ContainerAppTarget, DeploySpec, HealthSpec } from './deploySpec';

export const ActivityNames = {
  recordDeployment: 'recordDeployment',
  verifyImage: 'verifyImage',
  startMigration: 'startMigration',
  getMigrationStatus: 'getMigrationStatus',
  inspectApp: 'inspectApp',
  deployRevision: 'deployRevision',
  probeRevision: 'probeRevision',
  checkRollbackTarget: 'checkRollbackTarget',
  setTraffic: 'setTraffic',
  deactivateRevision: 'deactivateRevision',
  activateRevision: 'activateRevision',
  notifyDeployment: 'notifyDeployment',
  finishDeployment: 'finishDeployment',
} as const;

export const OrchestratorNames = {
  deployment: 'deploymentOrchestrator',
  healthWait: 'healthWaitOrchestrator',
} as const;

export const ApprovalEventName = 'approval';

export interface DeploymentInput {
  deploymentId: string;
  spec: DeploySpec;
  image: ImageRef;
  source: string;
  requestedAt: string;
}

export interface RecordDeploymentInput {
  deploymentId: string;
  app: string;
  at: string;
  phase?: DeploymentPhase;
  step?: { name: StepName; outcome: StepOutcome; detail?: string };
  previousRevision?: string;
  newRevision?: string;
  reason?: string;
}

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

export interface InspectAppInput {
  containerApp: ContainerAppTarget;
}
export interface InspectAppResult {
  activeRevisionsMode: 'Single' | 'Multiple';
  /** The revision serving traffic now: the rollback target. */
  currentRevision?: string;
  currentImage?: string;
}

export interface DeployRevisionInput {
  containerApp: ContainerAppTarget;
  image: string;
  revisionSuffix: string;
  /** Multiple mode: traffic is pinned here by name before the template changes. */
  pinTrafficTo?: string;
}
export interface DeployRevisionResult {
  revisionName: string;
  fqdn?: string;
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

export interface CheckRollbackTargetInput {
  containerApp: ContainerAppTarget;
  revisionName: string;
  /**
   * Single revision mode: the previous revision was deactivated by the deploy and must stay so
   * (activating it would run the old image beside the new one); rollback activates it then.
   */
  keepInactive?: boolean;
}
export type CheckRollbackTargetResult = Result<Record<never, never>>;

export interface SetTrafficInput {
  containerApp: ContainerAppTarget;
  traffic: Array<{ revisionName: string; weight: number }>;
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
  event: 'started' | 'succeeded' | 'rolled-back' | 'failed' | 'awaiting-approval';
  image: ImageRef;
  reason?: string;
}

export interface FinishDeploymentInput {
  deploymentId: string;
  app: string;
  phase: DeploymentPhase;
  digest: string;
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
