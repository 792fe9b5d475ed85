/** The app's configured alert thresholds (percentages) in the domain's terms (fractions). */
import { DEFAULT_ALERT_THRESHOLDS, type AlertThresholds } from '../../domain/health';
import type { AlertThresholds as ConfiguredThresholds } from '../../config';

export function toDomainThresholds(configured: ConfiguredThresholds): AlertThresholds {
  return {
    ...DEFAULT_ALERT_THRESHOLDS,
    requests5xxRate: configured.errorRatePercent / 100,
    p95ResponseMs: configured.p95LatencyMs,
    healthFailuresInARow: configured.healthFailures,
    memoryWorkingSetRatio: configured.memoryPercent / 100,
  };
}
