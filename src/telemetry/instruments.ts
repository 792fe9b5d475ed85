/**
 * Harbormaster's metrics, one instrument each, on the global OpenTelemetry meter that
 * startTelemetry.ts sets up (Application Insights in Azure, the Prometheus text of
 * `GET /api/metrics` everywhere). Durations are in seconds and sizes in bytes, as OpenTelemetry's
 * conventions ask; the Prometheus text names the unit on a `# UNIT` line.
 *
 * The instruments are made on first use, after start-up registered the meter provider: a meter
 * taken before that would stay a no-op for good.
 */
import { metrics, type Counter, type Histogram } from '@opentelemetry/api';

export const METER_NAME = 'harbormaster';

export interface Instruments {
  /** Deployments that ended, by app, kind (deploy, rollback) and outcome (the terminal phase). */
  readonly deployments: Counter;
  /** From request to end, by app, kind and outcome. */
  readonly deploymentDuration: Histogram;
  /** Each step of a deployment, by app, step and outcome. */
  readonly stepDuration: Histogram;
  /** From the failed check (or a person's rollback request) until traffic was back on the earlier release. */
  readonly timeToRollback: Histogram;
  /** From a webhook's arrival until it was answered, by source and HTTP status. */
  readonly webhookAck: Histogram;
  /** One sweep of every app. */
  readonly sweepDuration: Histogram;
  /** Apps judged per verdict in sweeps. */
  readonly sweepVerdicts: Counter;
  /** A backup from request to record, by database, trigger and state. */
  readonly backupDuration: Histogram;
  /** The size of each completed backup's archive, by database. */
  readonly backupSize: Histogram;
}

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const FAST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BYTES_BUCKETS = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11];

let instruments: Instruments | undefined;

export function getInstruments(): Instruments {
  if (instruments) return instruments;
  const meter = metrics.getMeter(METER_NAME);
  const seconds = (name: string, description: string, buckets = SECONDS_BUCKETS): Histogram =>
    meter.createHistogram(name, { description, unit: 's', advice: { explicitBucketBoundaries: buckets } });
  instruments = {
    deployments: meter.createCounter('harbormaster.deployments', { description: 'Deployments that ended, by outcome' }),
    deploymentDuration: seconds('harbormaster.deployment.duration', 'Deployment duration, request to end'),
    stepDuration: seconds('harbormaster.deployment.step.duration', 'Duration of each deployment step'),
    timeToRollback: seconds('harbormaster.rollback.duration', 'From the failed check or the rollback request until traffic was restored'),
    webhookAck: seconds('harbormaster.webhook.ack.duration', 'Webhook acknowledgement latency', FAST_SECONDS_BUCKETS),
    sweepDuration: seconds('harbormaster.sweep.duration', 'Health sweep duration'),
    sweepVerdicts: meter.createCounter('harbormaster.sweep.verdicts', { description: 'Apps judged by the health sweep, by verdict' }),
    backupDuration: seconds('harbormaster.backup.duration', 'Backup duration, request to record'),
    backupSize: meter.createHistogram('harbormaster.backup.size', { description: 'Size of completed backups', unit: 'By', advice: { explicitBucketBoundaries: BYTES_BUCKETS } }),
  };
  return instruments;
}
