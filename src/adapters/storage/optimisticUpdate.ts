/**
 * Read-decide-write on one Table entity under its ETag: read it (or start from `empty` when it
 * does not exist), let a pure `change` decide, write only if nobody wrote in between, and retry
 * with the fresh value otherwise. Races between webhooks, timers and finishing orchestrations
 * end in one consistent value instead of a lost update. (Each request's timeout comes from the
 * TableProvider's clients.)
 */
import type { TableClient } from '@azure/data-tables';

export interface JsonCell<V> {
  readonly partitionKey: string;
  readonly rowKey: string;
  /** The entity's string property holding the JSON (each table keeps the name it was created with). */
  readonly property: string;
  /** The value when the entity does not exist yet. */
  readonly empty: V;
  /** Serialises the value into the entity's one string property (may throw, e.g. over a size cap). */
  readonly encode: (value: V) => string;
}

/** Lost races retried before giving up (each retry re-reads, so progress is always made by someone). */
const MAX_ATTEMPTS = 20;

type JsonEntity = { partitionKey: string; rowKey: string } & Record<string, string>;

/**
 * `change` returns the same value object to mean "nothing to write" (a duplicate, an ignored
 * request): then nothing is written, so no-op decisions never contend for the ETag.
 */
export async function updateJsonEntity<V, T>(table: TableClient, cell: JsonCell<V>, change: (current: V) => { value: V; result: T }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let etag: string | undefined;
    let current = cell.empty;
    try {
      const entity = await table.getEntity<JsonEntity>(cell.partitionKey, cell.rowKey);
      etag = entity.etag;
      current = JSON.parse(entity[cell.property]) as V;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const { value, result } = change(current);
    if (value === current) return result;
    const entity: JsonEntity = { partitionKey: cell.partitionKey, rowKey: cell.rowKey, [cell.property]: cell.encode(value) };
    try {
      if (etag) await table.updateEntity(entity, 'Replace', { etag });
      else await table.createEntity(entity);
      return result;
    } catch (error) {
      const status = statusOf(error);
      // 412: someone updated it since our read; 409: someone created it since our 404.
      if ((status !== 412 && status !== 409) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}
