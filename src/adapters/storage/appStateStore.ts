/**
 * Per-app deployment state in Table storage, changed only under optimistic concurrency
 * (ETag), so the webhook, the reconcile timer and a finishing deployment can race without
 * ever starting two deployments of one app.
 */
import type { TableClient } from '@azure/data-tables';
import type { AppQueueState } from '../../domain/deployment/deploymentQueue';
import { TableNames, type TableProvider } from './tables';

/** The stored state is the domain's queue state (src/domain/deployment/deploymentQueue.ts). */
export type AppDeploymentState = AppQueueState;

interface AppStateEntity {
  partitionKey: string;
  rowKey: string;
  state: string;
}

const PARTITION = 'app';

export class AppStateStore {
  constructor(private readonly tables: TableProvider) {}

  async get(app: string): Promise<AppDeploymentState> {
    const table = await this.table();
    try {
      const entity = await table.getEntity<AppStateEntity>(PARTITION, app);
      return JSON.parse(entity.state) as AppDeploymentState;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { app, queued: [] };
      throw error;
    }
  }

  /**
   * Reads the state, lets `change` decide, and writes the result only if nobody wrote in
   * between (retrying with the fresh state otherwise). `change` must be pure.
   */
  async transact<T>(app: string, change: (state: AppDeploymentState) => { state: AppDeploymentState; result: T }): Promise<T> {
    const table = await this.table();
    for (let attempt = 0; ; attempt++) {
      let etag: string | undefined;
      let current: AppDeploymentState = { app, queued: [] };
      try {
        const entity = await table.getEntity<AppStateEntity>(PARTITION, app);
        etag = entity.etag;
        current = JSON.parse(entity.state) as AppDeploymentState;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      }
      const { state, result } = change(current);
      // A decision that changes nothing (a duplicate, an ignored push) needs no write: writing
      // anyway made every duplicate delivery contend for the ETag, and bursts ran out of retries.
      if (state === current) return result;
      const entity: AppStateEntity = { partitionKey: PARTITION, rowKey: app, state: JSON.stringify(state) };
      try {
        if (etag) await table.updateEntity(entity, 'Replace', { etag });
        else await table.createEntity(entity);
        return result;
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if ((status !== 412 && status !== 409) || attempt >= 20) throw error;
      }
    }
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.appState);
  }
}
