/**
 * Every webhook delivery (and reconcile finding) with what it matched and what was decided,
 * for `GET /api/events?app=`. One row per delivery and app (partition = app, or
 * `_unmatched`), newest first.
 */
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { TableNames, deleteWhere, escapeOData, newestFirstKey, type TableProvider } from './tables';
import { GroupCommitWriter } from './groupCommit';

/** What became of a delivery, per app. */
import type { DeliveryDecision, DeliveryLogEntry } from '../../domain/push/deliveryRecord';
export type { DeliveryDecision };

export type DeliveryRecord = DeliveryLogEntry;

interface DeliveryEntity {
  partitionKey: string;
  rowKey: string;
  record: string;
}

const UNMATCHED = '_unmatched';

/** Deliveries per page of `GET /api/events` unless the caller asks for fewer. */
export const DEFAULT_DELIVERY_PAGE_SIZE = 100;
/** The most deliveries one page holds. */
export const MAX_DELIVERY_PAGE_SIZE = 100;

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

  /** Resolves once every record added before the call is committed (or has failed). */
  settled(): Promise<void> {
    return this.writer.settled();
  }

  async list(filter: { app?: string; limit?: number } = {}): Promise<DeliveryRecord[]> {
    // Records this instance acknowledged before committing them are read back too.
    await this.settled();
    const table = await this.table();
    const limit = filter.limit ?? 100;
    const records: DeliveryRecord[] = [];
    const query = filter.app ? { filter: `PartitionKey eq '${escapeOData(filter.app)}'` } : undefined;
    for await (const entity of table.listEntities<DeliveryEntity>({ queryOptions: query })) {
      records.push(JSON.parse(entity.record) as DeliveryRecord);
      if (records.length >= limit) break;
    }
    records.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    return records.slice(0, limit);
  }

  /**
   * One page of deliveries: of one app newest first, or of every app (ordered by app, then newest
   * first). At most `maxPageSize` (capped at MAX_DELIVERY_PAGE_SIZE) records; `continuationToken`
   * is set when there are more and is passed back to get the next page. A page never scans more
   * than it returns (no whole-table read, whatever the table holds).
   */
  async listPage(options: { app?: string; maxPageSize?: number; continuationToken?: string } = {}): Promise<{ records: DeliveryRecord[]; continuationToken?: string }> {
    await this.settled();
    const table = await this.table();
    const maxPageSize = Math.min(Math.max(1, options.maxPageSize ?? DEFAULT_DELIVERY_PAGE_SIZE), MAX_DELIVERY_PAGE_SIZE);
    const queryOptions = options.app ? { filter: `PartitionKey eq '${escapeOData(options.app)}'` } : undefined;
    const pages = table.listEntities<DeliveryEntity>({ queryOptions }).byPage({ maxPageSize, continuationToken: options.continuationToken });
    const page = await pages.next();
    if (page.done) return { records: [] };
    const records = page.value.map((entity) => JSON.parse(entity.record) as DeliveryRecord);
    return { records, ...(page.value.continuationToken ? { continuationToken: page.value.continuationToken } : {}) };
  }

  /**
   * Deletes delivery records received before `olderThan` (every app), and delivery ids first seen
   * before `idsOlderThan`. Returns how many of each went. Row keys sort newest first, so "older"
   * is a key range: the query reads only what it deletes.
   */
  async prune(olderThan: Date, idsOlderThan: Date): Promise<{ deliveries: number; deliveryIds: number }> {
    const deliveries = await deleteWhere(await this.table(), `RowKey gt '${newestFirstKey(olderThan, '')}'`);
    const deliveryIds = await deleteWhere(await this.tables.get(TableNames.deliveryIds), `firstSeenAt lt '${idsOlderThan.toISOString()}'`);
    return { deliveries, deliveryIds };
  }

  /**
   * Remembers that delivery `id` of `source` arrived at `at`. `first` unless the same id was
   * remembered within `horizonMs` (then it is a redelivery). Atomic: of two concurrent
   * deliveries of one id, exactly one is first. An id remembered longer ago is taken over.
   */
  async rememberDeliveryId(source: string, id: string, at: Date, horizonMs: number): Promise<{ first: true } | { first: false; firstSeenAt: string }> {
    const table = await this.tables.get(TableNames.deliveryIds);
    const key = { partitionKey: source, rowKey: deliveryIdKey(id) };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await table.createEntity({ ...key, firstSeenAt: at.toISOString() });
        return { first: true };
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
      let seen: { firstSeenAt?: unknown; etag: string };
      try {
        seen = await table.getEntity<{ firstSeenAt?: unknown }>(key.partitionKey, key.rowKey);
      } catch (error) {
        if (statusOf(error) === 404) continue;
        throw error;
      }
      const firstSeenAt = String(seen.firstSeenAt);
      if (at.getTime() - Date.parse(firstSeenAt) <= horizonMs) return { first: false, firstSeenAt };
      try {
        await table.updateEntity({ ...key, firstSeenAt: at.toISOString() }, 'Replace', { etag: seen.etag });
        return { first: true };
      } catch (error) {
        if (statusOf(error) !== 412) throw error;
      }
    }
    throw new Error(`Remembering delivery ${source}/${deliveryIdKey(id)} kept conflicting`);
  }

  /** Forgets a delivery id (its processing failed, so the sender's retry must not be a duplicate). */
  async forgetDeliveryId(source: string, id: string): Promise<void> {
    const table = await this.tables.get(TableNames.deliveryIds);
    try {
      await table.deleteEntity(source, deliveryIdKey(id));
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.deliveries);
  }
}

/** Row keys cannot hold `/ \ # ?` or control characters, nor exceed 1 KiB: long or odd ids are hashed. */
function deliveryIdKey(id: string): string {
  if (id.length <= 200 && !/[\\/#?\u0000-\u001f\u007f-\u009f]/.test(id)) return id;
  return `sha256-${createHash('sha256').update(id).digest('hex')}`;
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}
