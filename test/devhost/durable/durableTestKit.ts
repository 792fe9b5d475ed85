/** Shared set-up for the durable tests: Azurite, a host with the durable extension, a client. */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ControllableClock } from '../../../devhost/clock';
import { createDurableExtension, type DurableExtension } from '../../../devhost/durable';
import { durableClientBindingData } from '../../../devhost/durable/clientBinding';
import type { RunningAzurite } from '../../../devhost/azurite';
import { claimStorage } from '../../support/sharedServices';
import { startTestHost, type TestHost } from './testHost';

export const FIXTURE_ENTRY = path.resolve(__dirname, '../../fixtures/apps/durable/index.js');

export interface DurableKit {
  azurite: RunningAzurite;
  host: TestHost;
  durable: DurableExtension;
  clock: ControllableClock;
  hubName: string;
  client(): df.DurableClient;
  stop(): Promise<void>;
}

export const freshHubName = (): string => `T${randomUUID().replace(/-/g, '').slice(0, 20)}`;

export async function startDurableKit(hostJson: Record<string, unknown> = {}): Promise<DurableKit> {
  const azurite = await claimStorage();
  const clock = new ControllableClock();
  const hubName = freshHubName();
  const logs: string[] = [];
  const durable = createDurableExtension({ hubName, log: (m) => logs.push(m) });
  const host = await startTestHost({ entry: FIXTURE_ENTRY, storageConnectionString: azurite.connectionString, extension: durable, clock, hostJson });
  return {
    azurite,
    host,
    durable,
    clock,
    hubName,
    client: () => {
      const context = new InvocationContext({ options: { extraInputs: [df.input.durableClient()] } });
      context.extraInputs.set(df.input.durableClient(), durableClientBindingData(host.baseUrl, hubName));
      return df.getClient(context);
    },
    stop: async () => {
      await host.stop();
      await azurite.stop();
    },
  };
}
