/**
 * The JSON the dashboard reads, as the API answers it. Records the server keeps in its domain
 * are imported from there (types only: nothing of the server is bundled), so a renamed field
 * fails the dashboard's type-check instead of showing a blank.
 */
import type { DeploymentRecord, DeploymentPhase, StepRecord, AnalysisRunRecord } from '../../src/domain/deployment/deploymentModel';
import type { Release, ReleaseVerdict } from '../../src/domain/rollout/release';
import type { HealthSummary, SweepHistoryRecord } from '../../src/activities/sweep/sweepRecords';
import type { RevisionView, TrafficSplit } from '../../src/adapters/containerApps/containerAppsPort';
import type { DeliveryLogEntry } from '../../src/domain/push/deliveryRecord';

export type { DeploymentRecord, DeploymentPhase, StepRecord, AnalysisRunRecord, Release, ReleaseVerdict, HealthSummary, SweepHistoryRecord, RevisionView, TrafficSplit };

/** One delivery of `GET /api/events` (one record per app it concerned). */
export type DeliveryRecord = DeliveryLogEntry;

/** One app of `GET /api/status`. */
export interface AppStatus {
  app: string;
  servingRevision?: string;
  servingDigest?: string;
  image?: string;
  servingRelease?: { tag?: string; verdict: ReleaseVerdict; createdAt: string; deploymentId?: string };
  traffic?: TrafficSplit[];
  mode?: 'Single' | 'Multiple';
  fqdn?: string;
  error?: string;
  deployedDigest?: string;
  deployedTag?: string;
  paused: false | { reason: string; at: string };
  running?: string;
  queued: string[];
  health?: HealthSummary;
  lastDeployment?: { id: string; phase: DeploymentPhase; createdAt: string; reason?: string };
}

export interface BackupView {
  backupId: string;
  database: string;
  state: 'Pending' | 'Running' | 'Verifying' | 'Complete' | 'Failed';
  trigger: string;
  deploymentId?: string;
  createdAt: string;
  finishedAt?: string;
  ageSeconds: number;
  sizeBytes?: number;
  sha256?: string;
  serverVersion?: string;
  pgDumpVersion?: string;
  reason?: string;
  dumpMs?: number;
  verifyMs?: number;
  drillState?: 'Running' | 'Passed' | 'Failed';
  drillId?: string;
}

export interface BackupDetail extends BackupView {
  tableRowCounts?: Record<string, number>;
  stderr?: string;
  executionName?: string;
}

export interface DatabaseStatus {
  database: string;
  schedule: string;
  newestVerifiedBackup?: BackupView | null;
  freshness?: 'fresh' | 'stale' | 'awaiting-first-backup';
  reason?: string;
  error?: string;
}

export interface StatusAnswer {
  apps: AppStatus[];
  databases: DatabaseStatus[];
}

/** `GET /api/apps/{app}`. */
export interface AppDetail extends AppStatus {
  revisions?: RevisionView[];
  recentDeployments: DeploymentRecord[];
}

export interface ReleasesAnswer {
  app: string;
  serving?: { revisionName: string; digest?: string };
  releases: Release[];
}

export interface HealthAnswer {
  app: string;
  current: HealthSummary;
  history: SweepHistoryRecord[];
}

export interface RetentionAnswer {
  database: string;
  dryRun: true;
  keep: RetentionDecision[];
  remove: RetentionDecision[];
}

export interface RetentionDecision {
  backupId: string;
  createdAt: string;
  keep: boolean;
  keptBy: string[];
  explanation: string;
}

export interface ReleaseSummary {
  revisionName: string;
  tag?: string;
  digest?: string;
  verdict: ReleaseVerdict;
  reason?: string;
  createdAt: string;
}

/** `GET /api/apps/{app}/rollback/preview`. */
export type RollbackPreview =
  | {
      app: string;
      /** A release group member: the group's deployment is the one aborted. */
      group?: string;
      action: 'abort';
      running: { deploymentId: string; phase?: DeploymentPhase; tag?: string; digest: string };
      pausesAutomaticDeploys: true;
    }
  | {
      app: string;
      action: 'rollback';
      mode: 'Single' | 'Multiple';
      from?: ReleaseSummary;
      to: ReleaseSummary;
      forced: boolean;
      reactivate: boolean;
      migrationPolicy: 'keep-schema' | 'down' | 'block';
      migrationsCrossed: Array<{ revisionName: string; tag?: string; digest?: string; execution?: string; backupId?: string; database?: string }>;
      /** A release group member: the group rolls back, every member (in the order the rollbacks start). */
      group?: string;
      members?: Array<{ app: string; mode: 'Single' | 'Multiple'; from?: ReleaseSummary; to: ReleaseSummary; forced: boolean }>;
      pausesAutomaticDeploys: true;
    };

/** `GET /api/apps/{app}/deploy/preview`. */
export interface DeployPreview {
  app: string;
  image: { registry: string; repository: string; tag?: string; digest: string };
  alreadyDeployed: boolean;
  mode: 'Single' | 'Multiple';
  strategy: string;
  steps: Array<NonNullable<DeploymentRecord['rollout']>['steps'][number] & { description: string; skipped?: string }>;
  queuedBehind?: string;
  migrationPolicy?: string;
  database?: string;
}

/** `GET /api/me`: who the API takes the caller to be. */
export interface Me {
  name?: string;
  roles: string[];
}
