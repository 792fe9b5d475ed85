/**
 * The daily prune of Harbormaster's own records: delivery records older than
 * HARBORMASTER_RECORD_RETENTION_DAYS (default 90, long enough for audit) and remembered delivery
 * ids past the replay horizon (they protect nothing after it).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { getServices } from '../composition/services';
import { DELIVERY_REPLAY_HORIZON_MS } from '../domain/push/replayWindow';

/** Every day at 03:30 UTC. */
export const PRUNE_RECORDS_SCHEDULE = '0 30 3 * * *';

export async function pruneRecords(_timer: Timer, context: InvocationContext): Promise<void> {
  const services = getServices();
  const now = Date.now();
  const keepDays = services.config.settings.recordRetentionDays;
  const pruned = await services.deliveries.prune(new Date(now - keepDays * 86_400_000), new Date(now - DELIVERY_REPLAY_HORIZON_MS));
  context.info(JSON.stringify({ msg: 'records pruned', keepDays, ...pruned }));
}

export function registerRecordRetention(): void {
  app.timer('pruneRecords', { schedule: PRUNE_RECORDS_SCHEDULE, handler: pruneRecords });
}
