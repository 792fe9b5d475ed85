/**
 * Where an analysis check's number comes from. Every provider kind implements this one port
 * (one file each, created by the factory in analysisProviders.ts). A provider reads once and
 * says what it read, "no data" or why it could not: it throws only for programming errors, so
 * one unreachable provider is an inconclusive measurement, never a stuck rollout.
 */
import type { AnalysisCheckSpec, ProviderReading } from '../../domain/analysis';
import type { ContainerAppTarget } from '../../domain/deployment';

export interface MeasureRequest {
  check: AnalysisCheckSpec;
  containerApp: ContainerAppTarget;
  revisionName: string;
  /** The revision compared with (what served before the deployment), when the check compares. */
  stableRevisionName?: string;
  revisionFqdn?: string;
  /** When the measurement is taken. */
  now: Date;
  app?: string;
  /** The new release's image (pinned by digest), for providers that run it. */
  image?: string;
  /** Unique per measurement and stable across its retries (a job run's id). */
  measurementId?: string;
}

export interface MeasureOptions {
  abortSignal?: AbortSignal;
  /** The whole measurement, retries included. */
  timeoutInMs: number;
}

export interface AnalysisProvider {
  measure(request: MeasureRequest, options: MeasureOptions): Promise<ProviderReading>;
}

/** The null provider: always "no data" (a check whose provider is switched off is inconclusive, never a pass). */
export const noDataProvider: AnalysisProvider = {
  measure: () => Promise.resolve({ kind: 'no-data', reason: 'no provider reads this check' }),
};
