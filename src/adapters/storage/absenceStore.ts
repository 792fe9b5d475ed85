/**
 * Notes of the daily prune: since when an app or a database that still has records has been
 * missing from the configuration (src/domain/retention/removedFromConfig.ts decides what they
 * mean). Table HarbormasterAbsences: PartitionKey = `app` or `database`, RowKey = the name,
 * `since` = when the prune first found it missing.
 */
import type { TableClient } from '@azure/data-tables';
import { TableNames, escapeOData, tableStatusOf, type TableProvider } from './tables';

export type AbsentKind = 'app' | 'database';

interface AbsenceEntity {
  partitionKey: string;
  rowKey: string;
  since: string;
}

export class AbsenceStore {
  constructor(private readonly tables: TableProvider) {}

  /** Every noted name of `kind` and since when it has been missing. */
  async list(kind: AbsentKind): Promise<Map<string, string>> {
    const table = await this.table();
    const out = new Map<string, string>();
    for await (const entity of table.listEntities<AbsenceEntity>({ queryOptions: { filter: `PartitionKey eq '${escapeOData(kind)}'` } })) out.set(entity.rowKey, entity.since);
    return out;
  }

  /** Notes `name` as missing since `since`; a note already there keeps its earlier time. */
  async note(kind: AbsentKind, name: string, since: Date): Promise<void> {
    const table = await this.table();
    try {
      await table.createEntity<AbsenceEntity>({ partitionKey: kind, rowKey: name, since: since.toISOString() });
    } catch (error) {
      if (tableStatusOf(error) !== 409) throw error;
    }
  }

  async unnote(kind: AbsentKind, name: string): Promise<void> {
    const table = await this.table();
    try {
      await table.deleteEntity(kind, name);
    } catch (error) {
      if (tableStatusOf(error) !== 404) throw error;
    }
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.absences);
  }
}
