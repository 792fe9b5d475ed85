/**
 * Per-app deployment state in Table storage, changed only under optimistic concurrency
 * (ETag), so the webhook, the reconcile timer and a finishing deployment can race without
 * ever starting two deployments of one app.
 */
import type { TableClient } from '@azure/data-tables';
import type { AppQueueState } from '../../domain/deployment/deploymentQueue';
import { updateJsonEntity } from './optimisticUpdate';
import { TableNames, tableStatusOf, type TableProvider } from './tables';

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
      if (tableStatusOf(error) === 404) return { app, queued: [] };
      throw error;
    }
  }

  /** Every app's running deployment, in one read of the partition (the sweep's, instead of one read per app). */
  async listRunning(): Promise<Map<string, NonNullable<AppDeploymentState['running']>>> {
    const table = await this.table();
    const running = new Map<string, NonNullable<AppDeploymentState['running']>>();
    const entities = table.listEntities<AppStateEntity>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'`, select: ['RowKey', 'state'] } });
    for await (const entity of entities) {
      const state = JSON.parse(entity.state) as AppDeploymentState;
      if (state.running) running.set(entity.rowKey, state.running);
    }
    return running;
  }

  /** Every app (and release group) with a stored state, configured or not (the daily prune's). */
  async listApps(): Promise<string[]> {
    const table = await this.table();
    const apps: string[] = [];
    for await (const entity of table.listEntities<{ rowKey: string }>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'`, select: ['RowKey'] } })) apps.push(entity.rowKey);
    return apps;
  }

  /** Deletes an app's state (the daily prune's, for an app long gone from the configuration). */
  async delete(app: string): Promise<void> {
    const table = await this.table();
    try {
      await table.deleteEntity(PARTITION, app);
    } catch (error) {
      if (tableStatusOf(error) !== 404) throw error;
    }
  }

  /**
   * Reads the state, lets `change` decide, and writes the result only if nobody wrote in
   * between (retrying with the fresh state otherwise). `change` must be pure.
   */
  async transact<T>(app: string, change: (state: AppDeploymentState) => { state: AppDeploymentState; result: T }): Promise<T> {
    const cell = { partitionKey: PARTITION, rowKey: app, property: 'state', empty: { app, queued: [] }, encode: JSON.stringify };
    return updateJsonEntity(await this.table(), cell, (current: AppDeploymentState) => {
      // The same state object back means "nothing to write": duplicates and ignored pushes never
      // contend for the ETag (writing anyway made bursts of duplicates run out of retries).
      const { state, result } = change(current);
      return { value: state, result };
    });
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.appState);
  }
}
