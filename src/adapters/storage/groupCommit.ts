/**
 * Group commit for Table storage upserts: writes that arrive while a commit is in flight wait
 * for it and then go together, one entity-group transaction per partition (at most 100 rows).
 * Each caller's promise settles when the transaction holding its row has committed, so a
 * write is as durable as a single upsert; the storage account just sees a few transactions
 * instead of one request per row when webhooks arrive in bursts. Alone, a write goes out at
 * once (no batching delay).
 */
import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

/** Entity-group transactions take at most 100 operations. */
const MAX_BATCH = 100;

interface Pending {
  readonly entity: TableEntity<object>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommitWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | undefined;

  /** `table` comes from a TableProvider, whose clients give every request its timeout. */
  constructor(private readonly table: () => Promise<TableClient>) {}

  /** Upserts (Replace) the entity; resolves once it is committed. */
  upsert<T extends object>(entity: TableEntity<T>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entity, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  /**
   * Resolves once every write queued before the call has been committed or has failed (each
   * writer's own promise reports which): a read after it sees them.
   */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const taken = this.queue;
        this.queue = [];
        // Partitions in parallel; one partition's batches in order, so a repeated key's last write wins.
        await Promise.all(
          [...batchesByPartition(taken).values()].map(async (batches) => {
            for (const batch of batches) await this.commit(batch);
          }),
        );
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      const table = await this.table();
      if (batch.length === 1) {
        await table.upsertEntity(batch[0].entity, 'Replace');
      } else {
        const actions: TransactionAction[] = batch.map((p) => ['upsert', p.entity, 'Replace']);
        await table.submitTransaction(actions);
      }
      for (const p of batch) p.resolve();
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}

/**
 * Each partition's rows in batches of at most MAX_BATCH, never one row key twice in a batch (a
 * transaction rejects that): a repeated key starts a new batch, so committing a partition's
 * batches in order keeps the writes in arrival order.
 */
export function batchesByPartition<T extends { readonly entity: { readonly partitionKey: string; readonly rowKey: string } }>(pending: readonly T[]): Map<string, T[][]> {
  const byPartition = new Map<string, { batches: T[][]; keys: Set<string> }>();
  for (const p of pending) {
    let partition = byPartition.get(p.entity.partitionKey);
    if (!partition) {
      partition = { batches: [[]], keys: new Set() };
      byPartition.set(p.entity.partitionKey, partition);
    }
    const current = partition.batches[partition.batches.length - 1];
    if (current.length >= MAX_BATCH || partition.keys.has(p.entity.rowKey)) {
      partition.batches.push([p]);
      partition.keys = new Set([p.entity.rowKey]);
    } else {
      current.push(p);
      partition.keys.add(p.entity.rowKey);
    }
  }
  return new Map([...byPartition].map(([key, value]) => [key, value.batches]));
}
