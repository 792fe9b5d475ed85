/**
 * Every database's backup facts in one read of the backups table: the newest verified (Complete)
 * backup, the oldest record, and when Harbormaster first watched the database. The health sweep
 * reads it once per sweep, whatever the number of apps; the freshness check of one database reads
 * the same "first watched" row.
 *
 * "First watched" rows live in partition `~watched` (RowKey = database) of the backups table,
 * beside the records (see backupRecordStore.ts for the layout). A row is written once, by
 * `watch`, and never moved: it is when the first scheduled backup started to be owed.
 */
import { isVerifiedBackup } from '../../domain/backup';
import type { TableProvider } from '../storage/tables';
import { BackupTableNames } from './backupRecordStore';

const WATCHED = '~watched';
const TIMEOUT_MS = 15_000;

export interface DatabaseBackupFacts {
  /** `createdAt` of the newest Complete backup. */
  readonly newestVerifiedAt?: string;
  /** `createdAt` of the oldest record of any state. */
  readonly oldestRecordAt?: string;
  /** When Harbormaster first watched the database (its `~watched` row). */
  readonly watchedSince?: string;
}

export class BackupIndex {
  constructor(private readonly tables: TableProvider) {}

  /** Facts of every database that has records or a watched row, by database name. */
  async read(): Promise<Map<string, DatabaseBackupFacts>> {
    const table = await this.tables.get(BackupTableNames.backups);
    const facts = new Map<string, { newestVerifiedAt?: string; oldestRecordAt?: string; watchedSince?: string }>();
    const entry = (database: string) => {
      let f = facts.get(database);
      if (!f) facts.set(database, (f = {}));
      return f;
    };
    const entities = table.listEntities<{ state?: string; createdAt?: string; since?: string; drillState?: string }>({
      queryOptions: { select: ['PartitionKey', 'RowKey', 'state', 'createdAt', 'since', 'drillState'] },
      abortSignal: AbortSignal.timeout(TIMEOUT_MS),
    });
    for await (const e of entities) {
      const partition = String(e.partitionKey);
      if (partition === WATCHED) {
        if (typeof e.since === 'string') entry(String(e.rowKey)).watchedSince = e.since;
        continue;
      }
      if (partition.startsWith('~') || typeof e.createdAt !== 'string') continue;
      const f = entry(partition);
      if (f.oldestRecordAt === undefined || e.createdAt < f.oldestRecordAt) f.oldestRecordAt = e.createdAt;
      // A backup whose restore drill failed is not verified, whatever its checksum says.
      if (isVerifiedBackup({ state: String(e.state), drillState: e.drillState }) && (f.newestVerifiedAt === undefined || e.createdAt > f.newestVerifiedAt)) f.newestVerifiedAt = e.createdAt;
    }
    return facts;
  }

  /** When the database was first watched; undefined before `watch` was first called for it. */
  async getWatchedSince(database: string): Promise<string | undefined> {
    const table = await this.tables.get(BackupTableNames.backups);
    try {
      const e = await table.getEntity<{ since?: string }>(WATCHED, database, { abortSignal: AbortSignal.timeout(TIMEOUT_MS) });
      return typeof e.since === 'string' ? e.since : undefined;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Records `at` as the time the database was first watched, unless an earlier time is recorded. */
  async watch(database: string, at: Date): Promise<void> {
    const table = await this.tables.get(BackupTableNames.backups);
    try {
      await table.createEntity({ partitionKey: WATCHED, rowKey: database, since: at.toISOString() }, { abortSignal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error;
    }
  }
}

/**
 * The time a database's first scheduled backup became owed from: the earlier of its watched row
 * and its oldest record (a database backed up before the row existed was watched by then).
 */
export function watchedSinceOf(facts: DatabaseBackupFacts | undefined): string | undefined {
  const times = [facts?.watchedSince, facts?.oldestRecordAt].filter((t): t is string => t !== undefined).map((t) => [Date.parse(t), t] as const);
  if (times.length === 0) return undefined;
  return times.reduce((a, b) => (b[0] < a[0] ? b : a))[1];
}
