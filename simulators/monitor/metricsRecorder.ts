/**
 * What the simulated Container Apps really did, kept as raw samples so Monitor queries can aggregate them
 * over any interval: requests served through the ingress (status, latency, revision, replica), replica
 * restarts, and periodic gauges (replica count, working set, CPU and memory as a share of the replica's
 * limits) sampled from the revision processes.
 */

export interface Sample {
  at: number;
  /** Container app ARM id, lower case. */
  resourceId: string;
  dimensions: Record<string, string>;
  value: number;
}

export type MetricName = 'Requests' | 'ResponseTime' | 'RestartCount' | 'WorkingSetBytes' | 'Replicas' | 'CpuPercentage' | 'MemoryPercentage';

/** Metrics sampled from the processes rather than counted per event. */
export type GaugeName = 'WorkingSetBytes' | 'Replicas' | 'CpuPercentage' | 'MemoryPercentage';

/** One request as the app's telemetry would log it (what Log Analytics' AppRequests holds). */
export interface RequestLogEntry {
  at: number;
  /** Container app ARM id, lower case. */
  resourceId: string;
  revisionName: string;
  podName: string;
  status: number;
  durationMs: number;
  path?: string;
}

export class MetricsRecorder {
  private readonly samples = new Map<MetricName, Sample[]>();
  private requestLog: RequestLogEntry[] = [];

  constructor(private readonly retentionMs: number = 24 * 60 * 60 * 1000) {}

  /**
   * One request the ingress answered: the platform's figures (latency as the ingress saw it) and
   * the app's own log line (its path, and the duration the app measured itself when it said so
   * in Server-Timing, as Application Insights would log it).
   */
  recordRequest(resourceId: string, revisionName: string, podName: string, status: number, latencyMs: number, at = Date.now(), telemetry: { path?: string; appDurationMs?: number } = {}): void {
    this.requestLog.push({ at, resourceId: resourceId.toLowerCase(), revisionName, podName, status, durationMs: telemetry.appDurationMs ?? latencyMs, path: telemetry.path });
    if (this.requestLog.length % 1000 === 0) {
      const cutoff = Date.now() - this.retentionMs;
      this.requestLog = this.requestLog.filter((r) => r.at >= cutoff);
    }
    const dimensions = { revisionName, podName, statusCode: String(status), statusCodeCategory: `${Math.floor(status / 100)}xx` };
    this.push('Requests', { at, resourceId: resourceId.toLowerCase(), dimensions, value: 1 });
    this.push('ResponseTime', { at, resourceId: resourceId.toLowerCase(), dimensions, value: latencyMs });
  }

  recordRestart(resourceId: string, revisionName: string, podName: string, at = Date.now()): void {
    this.push('RestartCount', { at, resourceId: resourceId.toLowerCase(), dimensions: { revisionName, podName }, value: 1 });
  }

  recordGauge(metric: GaugeName, resourceId: string, dimensions: Record<string, string>, value: number, at = Date.now()): void {
    this.push(metric, { at, resourceId: resourceId.toLowerCase(), dimensions, value });
  }

  /** Every request logged in [start, end), all apps. */
  requests(start: number, end: number): RequestLogEntry[] {
    return this.requestLog.filter((r) => r.at >= start && r.at < end);
  }

  query(metric: MetricName, resourceId: string, start: number, end: number): Sample[] {
    const id = resourceId.toLowerCase();
    return (this.samples.get(metric) ?? []).filter((s) => s.resourceId === id && s.at >= start && s.at < end);
  }

  private push(metric: MetricName, sample: Sample): void {
    let list = this.samples.get(metric);
    if (!list) this.samples.set(metric, (list = []));
    list.push(sample);
    if (list.length % 1000 === 0) {
      const cutoff = Date.now() - this.retentionMs;
      const keep = list.filter((s) => s.at >= cutoff);
      this.samples.set(metric, keep);
    }
  }
}
