/**
 * Every webhook delivery (and reconcile finding) with what it matched and what was decided,
 * for `GET /api/events?app=`. One row per delivery and app (partition = app, or
 * `_unmatched`), newest first.
 */
import type { TableClient } from '@azure/data-tables';
import { TableNames, newestFirstKey, type TableProvider } from './tables';
import { escapeOData } from './deploymentStore';
import { GroupCommitWriter } from './groupCommit';

/** What became of a delivery, per app. */
export type DeliveryDecision = 'started' | 'queued' | 'duplicate' | 'superseded' | 'ignored' | 'rejected';

export interface DeliveryRecord {
  id: string;
  source: string;
  receivedAt: string;
  app?: string;
  registry?: string;
  repository?: string;
  tag?: string;
  digest?: string;
  decision: DeliveryDecision;
  reason: string;
  deploymentId?: string;
}

interface DeliveryEntity {
  partitionKey: string;
  rowKey: string;
  record: string;
}

const UNMATCHED = '_unmatched';

export class DeliveryStore {
  /** Webhooks come in bursts (Event Grid batches, retries, many apps): their rows are group-committed. */
  private readonly writer: GroupCommitWriter;

  constructor(private readonly tables: TableProvider) {
    this.writer = new GroupCommitWriter(() => this.table());
  }

  /** Resolves once the record is stored (it may share a transaction with others arriving meanwhile). */
  async add(record: DeliveryRecord): Promise<void> {
    const entity: DeliveryEntity = {
      partitionKey: record.app ?? UNMATCHED,
      rowKey: newestFirstKey(new Date(record.receivedAt), `${record.id}`.replace(/[\\/#?]/g, '_')),
      record: JSON.stringify(record),
    };
    await this.writer.upsert(entity);
  }

  async list(filter: { app?: string; limit?: number } = {}): Promise<DeliveryRecord[]> {
    const table = await this.table();
    const limit = filter.limit ?? 100;
    const records: DeliveryRecord[] = [];
    const query = filter.app ? { filter: `PartitionKey eq '${escapeOData(filter.app)}'` } : undefined;
    for await (const entity of table.listEntities<DeliveryEntity>({ queryOptions: query })) {
      records.push(JSON.parse(entity.record) as DeliveryRecord);
      if (filter.app && records.length >= limit) break;
    }
    records.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    return records.slice(0, limit);
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.deliveries);
  }
}
