/**
 * From Monitor's per-revision figures to the sweep's AppMetrics, counting only the judged revisions.
 * Response time: Container Apps offers only an average, so the request-weighted average of the
 * judged revisions is what `p95ResponseMs` carries (the signal's reason says so).
 */
import type { AppMetrics } from '../../domain/health';
import type { AppMetricsByRevision } from '../../adapters/metrics/metricsPort';

export interface RevisionLimit {
  name: string;
  /** Memory limit of one replica; undefined when unknown. */
  memoryLimitBytes?: number;
}

export function summarizeAppMetrics(byRevision: AppMetricsByRevision, revisions: readonly RevisionLimit[]): AppMetrics {
  let requests = 0;
  let requests5xx = 0;
  let restarts = 0;
  let timedRequests = 0;
  let weightedTime = 0;
  let memoryRatio: number | undefined;
  for (const revision of revisions) {
    const figures = byRevision.get(revision.name.toLowerCase());
    if (!figures) continue;
    requests += figures.requests;
    requests5xx += figures.requests5xx;
    restarts += figures.restarts;
    if (figures.responseTimeAvgMs !== undefined) {
      const weight = Math.max(figures.requests, 1);
      weightedTime += figures.responseTimeAvgMs * weight;
      timedRequests += weight;
    }
    if (figures.maxWorkingSetBytesPerReplica !== undefined && revision.memoryLimitBytes !== undefined && revision.memoryLimitBytes > 0) {
      memoryRatio = Math.max(memoryRatio ?? 0, figures.maxWorkingSetBytesPerReplica / revision.memoryLimitBytes);
    }
  }
  return {
    ...(requests > 0 ? { requests5xxRate: requests5xx / requests } : {}),
    ...(timedRequests > 0 ? { p95ResponseMs: weightedTime / timedRequests } : {}),
    restartCount: restarts,
    ...(memoryRatio !== undefined ? { memoryWorkingSetRatio: memoryRatio } : {}),
  };
}
