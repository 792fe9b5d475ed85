/**
 * Every webhook delivery (and reconcile finding) with what it matched and what was decided,
 * for `GET /api/events?app=`. One row per delivery and app (partition = app, or
 * `_unmatched`), newest first.
 */
import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { TableNames, newestFirstKey, type TableProvider } from './tables';
import { escapeOData } from './deploymentStore';
import { GroupCommitWriter } from './groupCommit';

/** What became of a delivery, per app. */
import type { DeliveryDecision } from '../../domain/push/deliveryRecord';
export type { DeliveryDecision };

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
