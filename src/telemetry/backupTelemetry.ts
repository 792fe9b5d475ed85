/** A finished backup as metrics: its duration (request to record) and, when complete, its size. */
import type { BackupRecord } from '../domain/backup';
import { getInstruments } from './instruments';

export function reportFinishedBackup(record: BackupRecord): void {
  const instruments = getInstruments();
  const attributes = { 'harbormaster.database': record.database, 'harbormaster.backup.trigger': record.trigger, 'harbormaster.backup.state': record.state };
  const end = record.finishedAt ? Date.parse(record.finishedAt) : Number.NaN;
  const start = Date.parse(record.createdAt);
  if (Number.isFinite(end) && Number.isFinite(start)) instruments.backupDuration.record(Math.max(0, (end - start) / 1000), attributes);
  if (record.state === 'Complete' && record.sizeBytes !== undefined) instruments.backupSize.record(record.sizeBytes, { 'harbormaster.database': record.database });
}
