/**
 * Where a delivery row written after its webhook was answered (a push that deployed nothing)
 * reports a failure to store it: no caller is waiting any more, so the log is the only place.
 */
import { getLogger } from '../telemetry/logger';

export function lateRecordError(error: unknown): void {
  getLogger().warn({ err: { message: (error as Error)?.message } }, 'an ignored delivery could not be recorded');
}
