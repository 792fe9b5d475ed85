// A finished backup as metrics: its duration from request to record, its size when complete.
// (The backup orchestration reports it from finishBackup; on the stack that is a minute after the
// record completes, at the orchestration's next poll, so the rule is specified here.)
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type Histogram } from '@opentelemetry/sdk-metrics';
import type { BackupRecord } from '../../src/domain/backup';
import { reportFinishedBackup } from '../../src/telemetry/backupTelemetry';

class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new TestMetricReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

const backup = (overrides: Partial<BackupRecord>): BackupRecord => ({
  backupId: '20261201T100000Z-abc123', database: 'shop', state: 'Complete', trigger: 'manual',
  createdAt: '2026-12-01T10:00:00.000Z', finishedAt: '2026-12-01T10:00:42.500Z', sizeBytes: 5_000_000, ...overrides,
});

async function histogram(name: string) {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, count: (p.value as Histogram).count, sum: (p.value as Histogram).sum }));
}

describe('backup metrics', () => {
  it('a complete backup: its duration (request to record) and its size', async () => {
    reportFinishedBackup(backup({}));
    expect(await histogram('harbormaster.backup.duration')).toEqual([
      { attributes: { 'harbormaster.database': 'shop', 'harbormaster.backup.trigger': 'manual', 'harbormaster.backup.state': 'Complete' }, count: 1, sum: 42.5 },
    ]);
    expect(await histogram('harbormaster.backup.size')).toEqual([{ attributes: { 'harbormaster.database': 'shop' }, count: 1, sum: 5_000_000 }]);
  });

  it('a failed backup: its duration by state, no size', async () => {
    reportFinishedBackup(backup({ backupId: 'b2', state: 'Failed', trigger: 'schedule', sizeBytes: undefined }));
    expect(await histogram('harbormaster.backup.duration')).toContainEqual({
      attributes: { 'harbormaster.database': 'shop', 'harbormaster.backup.trigger': 'schedule', 'harbormaster.backup.state': 'Failed' }, count: 1, sum: 42.5,
    });
    expect((await histogram('harbormaster.backup.size'))[0].count).toBe(1);
  });
});
