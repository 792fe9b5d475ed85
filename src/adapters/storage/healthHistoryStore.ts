/**
 * Health sweep records in Table storage:
 *   HarbormasterHealthHistory  PartitionKey = app, RowKey newest first: one entry per app per sweep,
 *                              listed for `retentionHours` (older rows are never listed, and the
 *                              daily record prune deletes them: `pruneAll`).
 *   HarbormasterHealthState    PartitionKey 'state', RowKey = app: what the next sweep needs (alert
 *                              state, failure runs, self-heal clock, the latest verdict);
 *                              PartitionKey 'silences', RowKey = app: silences set through the API.
 * States and silences live in one partition each so a sweep reads all apps in one query. The sweep
 * (a singleton timer) is the only writer of states; the silences API the only writer of silences,
 * under ETag concurrency.
 */
import type { TableClient } from '@azure/data-tables';
import type { TableProvider } from './tables';
import { GroupCommitWriter } from './groupCommit';
import { updateJsonEntity } from './optimisticUpdate';
import { deleteWhere, newestFirstKey, tableStatusOf } from './tables';

export const HealthTableNames = {
  history: 'HarbormasterHealthHistory',
  state: 'HarbormasterHealthState',
} as const;

const STATE = 'state';
const SILENCES = 'silences';
/** Table storage strings hold 64 KiB (32 K UTF-16 characters); entries stay well under. */
const MAX_JSON_CHARS = 30_000;

export interface Silence {
  id: string;
  start: string;
  end: string;
  reason?: string;
  createdAt: string;
  /** Who set it: the API's authenticated caller. */
  by?: string;
}

/** One app's history entry; `record` is the sweep's JSON (see src/activities/sweep/sweepRecords.ts). */
export interface HealthHistoryEntry<R = unknown> {
  at: string;
  record: R;
}

/** One page of an app's history, and the token of the next page when there may be one. */
export interface HealthHistoryPage<R = unknown> {
  entries: Array<HealthHistoryEntry<R>>;
  continuationToken?: string;
}

/** The most entities Table storage returns in one page. */
const MAX_TABLE_PAGE = 1000;

interface JsonEntity {
  partitionKey: string;
  rowKey: string;
  json: string;
  at?: string;
}

export class HealthHistoryStore {
  /** A sweep saves every app's state at about the same time, all in one partition: group-committed. */
  private readonly stateWriter: GroupCommitWriter;

  constructor(
    private readonly tables: TableProvider,
    private readonly options: { retentionHours: number } = { retentionHours: 48 },
  ) {
    this.stateWriter = new GroupCommitWriter(() => this.table(HealthTableNames.state));
  }

  get retentionHours(): number {
    return this.options.retentionHours;
  }

  async append<R>(app: string, at: Date, id: string, record: R): Promise<void> {
    const table = await this.table(HealthTableNames.history);
    await table.createEntity<JsonEntity>({ partitionKey: app, rowKey: newestFirstKey(at, id), at: at.toISOString(), json: capped(record) });
  }

  /** Newest first, at most `limit`, and never older than the retention. */
  async list<R>(app: string, options: { limit: number; now: Date }): Promise<Array<HealthHistoryEntry<R>>> {
    const out: Array<HealthHistoryEntry<R>> = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.listPage<R>(app, { maxPageSize: options.limit - out.length, continuationToken, now: options.now });
      out.push(...page.entries);
      continuationToken = page.continuationToken;
    } while (continuationToken && out.length < options.limit);
    return out;
  }

  /**
   * One page of an app's entries, newest first, never older than the retention: at most
   * `maxPageSize` (capped at 1000, a page of the table), and `continuationToken` when there may be
   * more (a page may hold fewer than asked and still name a next one). One query of the app's
   * partition; a page never reads more than one page of the table.
   */
  async listPage<R>(app: string, options: { maxPageSize: number; continuationToken?: string; now: Date }): Promise<HealthHistoryPage<R>> {
    const table = await this.table(HealthTableNames.history);
    const oldest = newestFirstKey(new Date(options.now.getTime() - this.options.retentionHours * 3_600_000), '');
    const filter = `PartitionKey eq '${odata(app)}' and RowKey lt '${odata(oldest)}'`;
    const maxPageSize = Math.min(Math.max(1, options.maxPageSize), MAX_TABLE_PAGE);
    const page = await table.listEntities<JsonEntity>({ queryOptions: { filter } }).byPage({ maxPageSize, continuationToken: options.continuationToken }).next();
    if (page.done) return { entries: [] };
    const entries = page.value.map((entity) => ({ at: entity.at ?? '', record: JSON.parse(entity.json) as R }));
    return { entries, ...(page.value.continuationToken ? { continuationToken: page.value.continuationToken } : {}) };
  }

  /**
   * Deletes every app's entries older than the retention, apps no longer configured included, in
   * batched deletes (the daily record prune). Row keys sort newest first, so this is a key range.
   */
  async pruneAll(now: Date): Promise<number> {
    const cutoff = newestFirstKey(new Date(now.getTime() - this.options.retentionHours * 3_600_000), '');
    return deleteWhere(await this.table(HealthTableNames.history), `RowKey ge '${odata(cutoff)}'`);
  }

  /** Every app with a sweep state or silences, configured or not (the daily prune's). */
  async listStateApps(): Promise<string[]> {
    const table = await this.table(HealthTableNames.state);
    const apps = new Set<string>();
    for await (const entity of table.listEntities<{ rowKey: string }>({ queryOptions: { filter: `PartitionKey eq '${STATE}' or PartitionKey eq '${SILENCES}'`, select: ['RowKey'] } })) apps.add(entity.rowKey);
    return [...apps];
  }

  /** Deletes an app's sweep state and silences (the daily prune's, for an app long gone from the configuration). */
  async deleteState(app: string): Promise<void> {
    const table = await this.table(HealthTableNames.state);
    for (const partition of [STATE, SILENCES]) {
      try {
        await table.deleteEntity(partition, app);
      } catch (error) {
        if (tableStatusOf(error) !== 404) throw error;
      }
    }
  }

  /** Every app's sweep state, by app name. */
  async loadStates<S>(): Promise<Map<string, S>> {
    return this.loadPartition<S>(STATE);
  }

  async getState<S>(app: string): Promise<S | undefined> {
    const table = await this.table(HealthTableNames.state);
    try {
      const entity = await table.getEntity<JsonEntity>(STATE, app);
      return JSON.parse(entity.json) as S;
    } catch (error) {
      if (tableStatusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Resolves once the state is stored (it may share a transaction with other apps' states). */
  async saveState<S>(app: string, state: S): Promise<void> {
    await this.stateWriter.upsert<JsonEntity>({ partitionKey: STATE, rowKey: app, json: capped(state) });
  }

  /** Every app's API silences, by app name. */
  async loadSilences(): Promise<Map<string, Silence[]>> {
    return this.loadPartition<Silence[]>(SILENCES);
  }

  async getSilences(app: string): Promise<Silence[]> {
    const table = await this.table(HealthTableNames.state);
    try {
      return JSON.parse((await table.getEntity<JsonEntity>(SILENCES, app)).json) as Silence[];
    } catch (error) {
      if (tableStatusOf(error) === 404) return [];
      throw error;
    }
  }

  /** Changes an app's silences under optimistic concurrency; `change` must be pure. */
  async changeSilences<T>(app: string, change: (current: Silence[]) => { silences: Silence[]; result: T }): Promise<T> {
    const cell = { partitionKey: SILENCES, rowKey: app, property: 'json', empty: [] as Silence[], encode: capped };
    return updateJsonEntity(await this.table(HealthTableNames.state), cell, (current) => {
      const { silences, result } = change(current);
      return { value: silences, result };
    });
  }

  private async loadPartition<V>(partition: string): Promise<Map<string, V>> {
    const table = await this.table(HealthTableNames.state);
    const out = new Map<string, V>();
    for await (const entity of table.listEntities<JsonEntity>({ queryOptions: { filter: `PartitionKey eq '${partition}'` } })) {
      out.set(entity.rowKey, JSON.parse(entity.json) as V);
    }
    return out;
  }

  private table(name: string): Promise<TableClient> {
    return this.tables.get(name);
  }
}

function odata(value: string): string {
  return value.replace(/'/g, "''");
}

function capped(value: unknown): string {
  const text = JSON.stringify(value);
  if (text.length > MAX_JSON_CHARS) throw new RangeError(`health record of ${text.length} characters is over the ${MAX_JSON_CHARS} cap`);
  return text;
}
