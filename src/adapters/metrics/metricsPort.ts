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
  /** Busiest replica's average CPU use over the window, in percent of its CPU limit (read only when asked for). */
  cpuPercent?: number;
  /** Busiest replica's average memory use over the window, in percent of its memory limit (read only when asked for). */
  memoryPercent?: number;
  /** Most replicas the revision ran at once in the window (read only when asked for). */
  replicas?: number;
}

/** Figures beyond the four every read takes, each one more Monitor query per read. */
export type OptionalRevisionFigure = 'cpuPercent' | 'memoryPercent' | 'replicas';

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
  /** Optional figures to read as well (default none: the sweep reads only the four it judges). */
  figures?: readonly OptionalRevisionFigure[];
}

/** A resource's figures, or why they could not be read (never thrown: one app's outage is not the sweep's). */
export type MetricsReading = AppMetricsByRevision | { error: string };

export interface MetricsPort {
  /** Reads every target, batching as the service allows; the map is keyed by lower-case resource id. */
  readAppMetrics(targets: readonly MetricsTarget[], options: MetricsReadOptions): Promise<Map<string, MetricsReading>>;
}
