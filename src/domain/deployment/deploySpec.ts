/**
 * The part of an app's configuration a deployment needs, copied into the orchestration's
 * input when it starts: the orchestration replays from its own history, so a
 * configuration change mid-flight cannot make it non-deterministic.
 */
import type { AnalysisSpec } from '../analysis/analysisSpec';
import type { HookSpec } from '../hooks/hookSpec';
import type { DeployStrategy } from './trafficPlan';

export interface ContainerAppTarget {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface HealthSpec {
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
  degradedIsHealthy: boolean;
  deadlineSeconds: number;
  ingress: 'external' | 'internal' | 'none';
  scaleToZero: boolean;
}

export interface DeploySpec {
  app: string;
  containerApp: ContainerAppTarget;
  platform: string;
  maxSizeBytes?: number;
  migration?: {
    jobName: string;
    command: string[];
    timeoutSeconds: number;
    /** What a rollback across this release's migration does (see the apps configuration). */
    rollback: 'keep-schema' | 'down' | 'block';
    downCommand?: string[];
  };
  health: HealthSpec;
  strategy: DeployStrategy;
  database?: string;
  approval: { required: boolean; timeoutMinutes: number };
  /** Absent for apps without analysis checks (their rollouts compile as they always did). */
  analysis?: AnalysisSpec;
  /** Absent for apps without hooks (their rollouts compile as they always did). */
  hooks?: HookSpec[];
  notify: string[];
}
