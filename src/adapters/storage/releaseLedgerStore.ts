/**
 * The release ledger in Table storage: one row per revision of an app (partition = app,
 * row = revision name), each change a read-decide-write under the row's ETag, so a finishing
 * deployment and a rollback cannot overwrite each other's verdicts.
 */
import type { TableClient } from '@azure/data-tables';
import type { Release } from '../../domain/rollout';
import { updateJsonEntity } from './optimisticUpdate';
import { TableNames, escapeOData, listPartitionKeys, tableStatusOf, type TableProvider } from './tables';

interface ReleaseEntity {
  partitionKey: string;
  rowKey: string;
  release: string;
}

/** What a change may set; `at` becomes `updatedAt` (and `createdAt` of a new row). */
export type ReleaseChange = Partial<Omit<Release, 'app' | 'revisionName' | 'createdAt' | 'updatedAt'>>;

export class ReleaseLedgerStore {
  constructor(private readonly tables: TableProvider) {}

  async list(app: string): Promise<Release[]> {
    const table = await this.table();
    const releases: Release[] = [];
    for await (const entity of table.listEntities<ReleaseEntity>({ queryOptions: { filter: `PartitionKey eq '${escapeOData(app)}'` } })) {
      releases.push(JSON.parse(entity.release) as Release);
    }
    return releases.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.revisionName.localeCompare(a.revisionName));
  }

  async get(app: string, revisionName: string): Promise<Release | undefined> {
    const table = await this.table();
    try {
      const entity = await table.getEntity<ReleaseEntity>(app, revisionName);
      return JSON.parse(entity.release) as Release;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Creates the release or changes it. `decide` sees the stored release (undefined when new)
   * and returns the change to apply, or undefined to leave it as it is (so replays of the same
   * activity write nothing).
   */
  async update(app: string, revisionName: string, at: string, decide: (current: Release | undefined) => ReleaseChange | undefined): Promise<Release | undefined> {
    const cell = { partitionKey: app, rowKey: revisionName, property: 'release', empty: undefined as Release | undefined, encode: (r: Release | undefined) => JSON.stringify(r) };
    return updateJsonEntity(await this.table(), cell, (current) => {
      const change = decide(current);
      if (!change) return { value: current, result: current };
      const base: Release = current ?? { app, revisionName, verdict: 'pending', createdAt: at, updatedAt: at };
      const next: Release = { ...base, ...dropUndefined(change), migration: mergeMigration(base.migration, change.migration), updatedAt: at > base.updatedAt ? at : base.updatedAt };
      if (!next.migration) delete next.migration;
      return { value: next, result: next };
    });
  }

  /** Every app with a release in the ledger, configured or not (the daily prune's). */
  async listApps(): Promise<string[]> {
    return listPartitionKeys(await this.table());
  }

  /** Deletes a release that is no longer in use (the daily prune decides which: src/domain/rollout/releaseRetention.ts). */
  async delete(app: string, revisionName: string): Promise<void> {
    const table = await this.table();
    try {
      await table.deleteEntity(app, revisionName);
    } catch (error) {
      if (tableStatusOf(error) !== 404) throw error;
    }
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.releases);
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function mergeMigration(current: Release['migration'], change: Release['migration']): Release['migration'] {
  if (!change) return current;
  return { ...current, ...dropUndefined(change), down: change.down ? { ...current?.down, ...change.down } : current?.down };
}
