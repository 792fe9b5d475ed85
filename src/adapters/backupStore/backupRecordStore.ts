/**
 * Backup and drill records in Table storage, plus the per-database claim that makes "one backup
 * per database at a time" hold across every trigger (timer, HTTP, the deployment pipeline).
 *
 * Layout (table HarbormasterBackups): PartitionKey = database, RowKey = backupId (ids sort by
 * time). Claims live in partition `~claims` (RowKey = database), alert state in `~alerts`.
 * Drills: table HarbormasterBackupDrills, PartitionKey = database, RowKey = drillId.
 */
import type { TableEntityResult } from '@azure/data-tables';
import { canMoveBackup, isBackupId, type BackupRecord, type BackupState, type DrillRecord } from '../../domain/backup';
import { deleteWhere, escapeOData, listPartitionKeys, type TableProvider } from '../storage/tables';

export const BackupTableNames = { backups: 'HarbormasterBackups', drills: 'HarbormasterBackupDrills' } as const;

const CLAIMS = '~claims';
const ALERTS = '~alerts';
const TIMEOUT_MS = 15_000;

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** What `transition` did: moved (from the state before), or refused because the stored state is terminal or ahead. */
export type BackupTransition = { readonly moved: true; readonly from: BackupState | undefined } | { readonly moved: false; readonly current: BackupState; readonly reason?: string };

const MAX_TRANSITION_ATTEMPTS = 10;

export interface BackupClaim {
  readonly backupId: string;
  readonly claimedAt: string;
}

export class BackupRecordStore {
  constructor(private readonly tables: TableProvider) {}

  /**
   * Moves a backup to `to` with `changes`, only if the move is forward from the state stored now
   * (`canMoveBackup`), creating the record when there is none. The read and the write are tied by
   * the entity's ETag: a writer that got in between makes this one read again and decide again, so
   * a Complete can never overwrite a Failed (or the reverse) whatever the interleaving.
   */
  async transition(database: string, backupId: string, to: BackupState, changes: Omit<Partial<BackupRecord>, 'state'> = {}): Promise<BackupTransition> {
    const table = await this.tables.get(BackupTableNames.backups);
    const entity = toEntity(database, backupId, { ...changes, state: to });
    for (let attempt = 0; attempt < MAX_TRANSITION_ATTEMPTS; attempt++) {
      let current: TableEntityResult<Record<string, unknown>> | undefined;
      try {
        current = await table.getEntity(database, backupId, opts());
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
      if (!current) {
        try {
          await table.createEntity(entity, opts());
          return { moved: true, from: undefined };
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 409) continue;
          throw error;
        }
      }
      const from = current.state as BackupState;
      if (!canMoveBackup(from, to)) return { moved: false, current: from, reason: typeof current.reason === 'string' ? current.reason : undefined };
      try {
        await table.updateEntity(entity, 'Merge', { etag: current.etag, ...opts() });
        return { moved: true, from };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 412) throw error;
      }
    }
    throw new Error(`Moving backup ${backupId} of "${database}" to ${to} kept conflicting with other writers`);
  }

  /** Merges details into an existing record without touching its state (states move only by `transition`). */
  async update(database: string, backupId: string, changes: Omit<Partial<BackupRecord>, 'state'>): Promise<void> {
    const table = await this.tables.get(BackupTableNames.backups);
    const { state: _ignored, ...details } = changes as Partial<BackupRecord>;
    await table.upsertEntity(toEntity(database, backupId, details), 'Merge', opts());
  }

  async get(database: string, backupId: string): Promise<BackupRecord | undefined> {
    const table = await this.tables.get(BackupTableNames.backups);
    try {
      return fromEntity<BackupRecord>(await table.getEntity(database, backupId, opts()));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * The backup with this id among `databases`' (ids are unique: time + randomness): one point read
   * per database, never a query across partitions. Something that is not a backup id reads nothing.
   */
  async find(backupId: string, databases: readonly string[]): Promise<BackupRecord | undefined> {
    if (!isBackupId(backupId)) return undefined;
    const found = await Promise.all(databases.map((database) => this.get(database, backupId)));
    return found.find((record) => record !== undefined);
  }

  /** Oldest first (row keys sort by time). */
  async list(database: string): Promise<BackupRecord[]> {
    const table = await this.tables.get(BackupTableNames.backups);
    const out: BackupRecord[] = [];
    for await (const entity of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${escapeOData(database)}'` }, ...opts() })) {
      out.push(fromEntity<BackupRecord>(entity));
    }
    return out;
  }

  /**
   * Deletes Failed backup records and finished drill records created before `olderThan`, in every
   * database. Failed backups have no blob (it is removed when they fail); Complete ones are left to
   * retention, which deletes the record with its blob, and records still in progress are never
   * touched. Returns how many of each went.
   */
  async prune(olderThan: Date): Promise<{ failedBackups: number; drills: number }> {
    const cutoff = escapeOData(olderThan.toISOString());
    const [backups, drills] = await Promise.all([this.tables.get(BackupTableNames.backups), this.tables.get(BackupTableNames.drills)]);
    return {
      failedBackups: await deleteWhere(backups, `PartitionKey lt '~' and state eq 'Failed' and createdAt lt '${cutoff}'`),
      drills: await deleteWhere(drills, `state ne 'Running' and createdAt lt '${cutoff}'`),
    };
  }

  /** Every database with a backup record, configured or not (the daily prune's). */
  async listDatabases(): Promise<string[]> {
    return listPartitionKeys(await this.tables.get(BackupTableNames.backups), "PartitionKey lt '~'");
  }

  /** Deletes a database's claim and alert states (the daily prune's, for a database long gone from the configuration). */
  async deleteClaimAndAlerts(database: string): Promise<void> {
    const table = await this.tables.get(BackupTableNames.backups);
    await ignore404(table.deleteEntity(CLAIMS, database, opts()));
    // Alert rows are `<database>.<kind>`: the keys from `<database>.` up to `<database>/` ('/' follows '.').
    await deleteWhere(table, `PartitionKey eq '${ALERTS}' and RowKey ge '${escapeOData(database)}.' and RowKey lt '${escapeOData(database)}/'`);
  }

  async delete(database: string, backupId: string): Promise<void> {
    const table = await this.tables.get(BackupTableNames.backups);
    await ignore404(table.deleteEntity(database, backupId, opts()));
  }

  /**
   * Claims the database for `backupId`. Returns the claim that holds afterwards: ours, or the one
   * already held by a backup still in progress. `isLive(claim)` decides whether an existing claim
   * still holds (its backup is not terminal and not past the deadline); a dead claim is taken
   * over with an ETag-conditional update, so two contenders cannot both win.
   */
  async claim(database: string, backupId: string, at: string, isLive: (claim: BackupClaim) => Promise<boolean>): Promise<BackupClaim> {
    const table = await this.tables.get(BackupTableNames.backups);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await table.createEntity({ partitionKey: CLAIMS, rowKey: database, backupId, claimedAt: at }, opts());
        return { backupId, claimedAt: at };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 409) throw error;
      }
      let existing: TableEntityResult<Record<string, unknown>>;
      try {
        existing = await table.getEntity(CLAIMS, database, opts());
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) continue;
        throw error;
      }
      const held = { backupId: String(existing.backupId), claimedAt: String(existing.claimedAt) };
      if (held.backupId === backupId) return held;
      if (await isLive(held)) return held;
      try {
        await table.updateEntity({ partitionKey: CLAIMS, rowKey: database, backupId, claimedAt: at }, 'Replace', { etag: existing.etag, ...opts() });
        return { backupId, claimedAt: at };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 412) throw error;
      }
    }
    throw new Error(`Claiming database "${database}" for a backup kept conflicting`);
  }

  async getClaim(database: string): Promise<BackupClaim | undefined> {
    const table = await this.tables.get(BackupTableNames.backups);
    try {
      const e = await table.getEntity(CLAIMS, database, opts());
      return { backupId: String(e.backupId), claimedAt: String(e.claimedAt) };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** Releases the claim only if `backupId` still holds it. */
  async release(database: string, backupId: string): Promise<void> {
    const table = await this.tables.get(BackupTableNames.backups);
    try {
      const existing = await table.getEntity(CLAIMS, database, opts());
      if (existing.backupId !== backupId) return;
      await table.deleteEntity(CLAIMS, database, { etag: existing.etag, ...opts() });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== 404 && status !== 412) throw error;
    }
  }

  /** Last alert state per database and kind (alerts fire on transitions, not every check). */
  async getAlertState(database: string, kind: string): Promise<string | undefined> {
    const table = await this.tables.get(BackupTableNames.backups);
    try {
      return String((await table.getEntity(ALERTS, `${database}.${kind}`, opts())).state);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async setAlertState(database: string, kind: string, state: string): Promise<void> {
    const table = await this.tables.get(BackupTableNames.backups);
    await table.upsertEntity({ partitionKey: ALERTS, rowKey: `${database}.${kind}`, state }, 'Replace', opts());
  }

  async putDrill(record: Partial<DrillRecord> & { database: string; drillId: string }): Promise<void> {
    const table = await this.tables.get(BackupTableNames.drills);
    await table.upsertEntity(toEntity(record.database, record.drillId, record), 'Merge', opts());
  }

  async getDrill(database: string, drillId: string): Promise<DrillRecord | undefined> {
    const table = await this.tables.get(BackupTableNames.drills);
    try {
      return fromEntity<DrillRecord>(await table.getEntity(database, drillId, opts()));
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async listDrills(database: string): Promise<DrillRecord[]> {
    const table = await this.tables.get(BackupTableNames.drills);
    const out: DrillRecord[] = [];
    for await (const entity of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${escapeOData(database)}'` }, ...opts() })) {
      out.push(fromEntity<DrillRecord>(entity));
    }
    return out;
  }
}

function opts(): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(TIMEOUT_MS) };
}

async function ignore404(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
}

/** Objects and arrays are stored as JSON text (Table storage has flat properties); undefined is left out. */
function toEntity(partitionKey: string, rowKey: string, fields: object): Entity {
  const entity: Entity = { partitionKey, rowKey };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    entity[key] = value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
  }
  return entity;
}

const JSON_FIELDS = new Set(['tableRowCounts', 'mismatches']);

function fromEntity<T>(entity: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entity)) {
    if (key === 'partitionKey' || key === 'rowKey' || key === 'etag' || key === 'timestamp' || key.startsWith('odata.')) continue;
    out[key] = JSON_FIELDS.has(key) && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  }
  return out as T;
}
