/**
 * What the health sweep needs from Azure Monitor, in its own words: per container app, the raw
 * figures of the sweep window split by revision, so the sweep can count only the revisions it
 * judges (a revision under rollout is the pipeline's business).
 *
 * Container Apps' platform metrics offer no percentiles: `ResponseTime` ("Average Response Time")
 * is an average per status code. `responseTimeAvgMs` is that average; the sweep compares it with
 * the p95 threshold and says so in the reason.
 */
export interface RevisionMetrics {
  requests: number;
  requests5xx: number;
  /** Average response time over the window, when any request was timed. */
  responseTimeAvgMs?: number;
  restarts: number;
  /** Highest working set of any one replica (pod) of the revision in the window. */
  maxWorkingSetBytesPerReplica?: number;
}

/** Figures by revision name (lower case). A revision without data in the window is absent. */
export type AppMetricsByRevision = Map<string, RevisionMetrics>;

export interface MetricsTarget {
  /** ARM id of the container app. */
  resourceId: string;
  /** Azure region of the app (e.g. "eastus"), which names the regional metrics endpoint. */
  region: string;
}

export interface MetricsReadOptions {
  windowMinutes: number;
  /** End of the window (default: now). */
  endTime?: Date;
  abortSignal?: AbortSignal;
  /** Timeout of each batch call (ms). */
  timeoutInMs?: number;
}

/** A resource's figures, or why they could not be read (never thrown: one app's outage is not the sweep's). */
export type MetricsReading = AppMetricsByRevision | { error: string };

export interface MetricsPort {
  /** Reads every target, batching as the service allows; the map is keyed by lower-case resource id. */
  readAppMetrics(targets: readonly MetricsTarget[], options: MetricsReadOptions): Promise<Map<string, MetricsReading>>;
}
