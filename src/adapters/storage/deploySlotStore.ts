/**
 * The deployment slots of each Container Apps environment in Table storage (one row per
 * environment), changed only under the row's ETag so two deployments never take the last slot.
 */
import type { TableClient } from '@azure/data-tables';
import type { EnvironmentSlots } from '../../domain/schedule/deploySlots';
import { updateJsonEntity } from './optimisticUpdate';
import { TableNames, type TableProvider } from './tables';

const PARTITION = 'environment-slots';

export class DeploySlotStore {
  constructor(private readonly tables: TableProvider) {}

  async get(environment: string): Promise<EnvironmentSlots> {
    const table = await this.table();
    try {
      const entity = await table.getEntity<{ state: string }>(PARTITION, environment);
      return JSON.parse(entity.state) as EnvironmentSlots;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return { holders: [] };
      throw error;
    }
  }

  async transact<T>(environment: string, change: (state: EnvironmentSlots) => { state: EnvironmentSlots; result: T }): Promise<T> {
    const cell = { partitionKey: PARTITION, rowKey: environment, property: 'state', empty: { holders: [] } as EnvironmentSlots, encode: JSON.stringify };
    return updateJsonEntity(await this.table(), cell, (current: EnvironmentSlots) => {
      const { state, result } = change(current);
      return { value: state, result };
    });
  }

  private table(): Promise<TableClient> {
    return this.tables.get(TableNames.appState);
  }
}
