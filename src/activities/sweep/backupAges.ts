/**
 * The health sweep's backup signal for every database at once: one read of the backup index, then
 * each database judged against its schedule (src/domain/backup judgeBackupAge). A database seen
 * for the first time gets its "first watched" row here, so its first scheduled backup is owed from
 * this sweep on and the app shows `awaiting-first-backup` until then, not a missing backup.
 */
import type { BackupIndex } from '../../adapters/backupStore/backupIndex';
import { watchedSinceOf } from '../../adapters/backupStore/backupIndex';
import { judgeBackupAge, type BackupAge } from '../../domain/backup';

export interface BackupAgeReaderDeps {
  readonly index: Pick<BackupIndex, 'read' | 'watch'>;
  readonly databases: ReadonlyArray<{ readonly name: string; readonly schedule: string }>;
  readonly now: () => Date;
}

export function createBackupAgeReader(deps: BackupAgeReaderDeps): () => Promise<Map<string, BackupAge>> {
  return async () => {
    const now = deps.now();
    const facts = await deps.index.read();
    const ages = new Map<string, BackupAge>();
    for (const database of deps.databases) {
      const known = facts.get(database.name);
      if (known?.watchedSince === undefined) await deps.index.watch(database.name, now);
      const watchedSince = watchedSinceOf({ ...known, watchedSince: known?.watchedSince ?? now.toISOString() });
      ages.set(database.name, judgeBackupAge({ schedule: database.schedule, newestVerifiedAt: known?.newestVerifiedAt, watchedSince, now }));
    }
    return ages;
  };
}
