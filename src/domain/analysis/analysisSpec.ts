/**
 * What an app's analysis measures and how its verdicts are reached, as a deployment carries it
 * in its input (a snapshot of the apps configuration, so a configuration change never alters a
 * deployment in flight).
 *
 * A check asks one provider for one number per measurement, `count` times, `intervalSeconds`
 * apart, and judges each number by its conditions (see analysisCondition.ts). Providers are
 * a family keyed by `kind` (src/activities/analysis/analysisProviders.ts).
 */

/** The figures `monitor-metric` reads for one revision over one window, from Container Apps platform metrics. */
export type MonitorMetricName =
  /** 5xx responses / all requests (0..1). */
  | '5xx-rate'
  /** Requests served. */
  | 'requests'
  /** Replica restarts. */
  | 'restarts'
  /** Average response time (ms): Container Apps offers no percentiles. */
  | 'response-time-avg-ms'
  /** CPU used by the busiest replica, averaged over the window, in percent of a replica's CPU limit (`CpuPercentage`). */
  | 'cpu-percent'
  /** Memory used by the busiest replica, averaged over the window, in percent of a replica's memory limit (`MemoryPercentage`). */
  | 'memory-percent'
  /** Most replicas running at once in the window (`Replicas`). */
  | 'replicas';

export const MONITOR_METRIC_NAMES: readonly MonitorMetricName[] = ['5xx-rate', 'requests', 'restarts', 'response-time-avg-ms', 'cpu-percent', 'memory-percent', 'replicas'];

export interface MonitorMetricProviderSpec {
  kind: 'monitor-metric';
  metric: MonitorMetricName;
  /** Length of the window each measurement reads, ending `ingestionDelaySeconds` before the measurement. */
  windowSeconds: number;
  /** Monitor ingests platform metrics at one-minute grain, a few minutes late: the window ends this long before now. */
  ingestionDelaySeconds: number;
  /** Fewer requests than this in the window (on the canary, or on the stable revision when compared) is inconclusive, not a pass. */
  minRequests: number;
}

export interface WebProviderSpec {
  kind: 'web';
  /**
   * `{{revisionFqdn}}` and `{{stableRevisionFqdn}}` are replaced by the revisions' own host names. A check
   * comparing with `stable` GETs the URL for the stable revision too (`{{revisionFqdn}}` naming it), in the same measurement.
   */
  url: string;
  /** Dotted path into the JSON answer (`data.errorRate`, `items.0.value`); empty: the whole answer. */
  jsonPath: string;
  timeoutSeconds: number;
  /** Extra tries after a failed one (transport error, timeout, 5xx, 429). */
  retries: number;
}

/** A Container Apps Job run with the new image as a smoke test; the value is its exit status (0: passed). */
export interface JobProviderSpec {
  kind: 'job';
  jobName: string;
  command?: string[];
  args?: string[];
  /** The run is stopped, and the measurement is an error, after this long. */
  timeoutSeconds: number;
}

/** A KQL query over a Log Analytics workspace; the first number of its first row is the value. */
export interface LogQueryProviderSpec {
  kind: 'log-query';
  workspaceId: string;
  /** `{{revision}}` is replaced by the revision measured. */
  query: string;
  windowSeconds: number;
  /** Log Analytics ingests records minutes late: the window ends this long before the measurement. */
  ingestionDelaySeconds: number;
  timeoutSeconds: number;
  /**
   * Fewer than this in the first row's `countColumn` (on the revision measured, and on the stable one
   * when compared) is "no data" (inconclusive), not a pass. Unset: no minimum.
   */
  minRequests?: number;
  /** The column holding the request count `minRequests` reads (default `requests`); never the value. */
  countColumn?: string;
}

/** The count column a log-query check with `minRequests` reads when it names none. */
export const LOG_QUERY_DEFAULT_COUNT_COLUMN = 'requests';

export type AnalysisProviderSpec = MonitorMetricProviderSpec | WebProviderSpec | JobProviderSpec | LogQueryProviderSpec;
export type AnalysisProviderKind = AnalysisProviderSpec['kind'];
export const ANALYSIS_PROVIDER_KINDS: readonly AnalysisProviderKind[] = ['monitor-metric', 'web', 'job', 'log-query'];

/** A job check without conditions passes on exit 0. */
export const JOB_DEFAULT_SUCCESS_CONDITION = 'value == 0';

export interface AnalysisCheckSpec {
  name: string;
  provider: AnalysisProviderSpec;
  intervalSeconds: number;
  /** Measurements per run (a bake measures every interval until it ends instead). */
  count: number;
  /** Met: the measurement passes. Set without failureCondition: not met fails. */
  successCondition?: string;
  /** Met: the measurement fails. */
  failureCondition?: string;
  /** Failed measurements tolerated; one more fails the run. */
  failureLimit: number;
  /** Inconclusive (no data, too little traffic, provider error) measurements tolerated; one more makes the run inconclusive. */
  inconclusiveLimit: number;
  /**
   * Measured every interval for the whole canary (from the first weight until promotion)
   * alongside the steps, instead of at each step; a failure aborts the rollout at once.
   */
  background?: boolean;
}

export interface AnalysisSpec {
  checks: AnalysisCheckSpec[];
  /** Run the checks after each canary step's wait. */
  canarySteps: boolean;
  /** After promotion, measure for this long with the previous revision still active (0: no bake). */
  bakeSeconds: number;
  /** An inconclusive run: `pause` asks a person (the approval API), `fail` rolls back. */
  inconclusive: 'pause' | 'fail';
}
