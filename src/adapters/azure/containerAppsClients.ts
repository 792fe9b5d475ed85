/**
 * One `ContainerAppsAPIClient` per subscription, created on first use and shared by the
 * adapters that talk to Microsoft.App (apps, jobs, metrics facts).
 */
import type { TokenCredential } from '@azure/core-auth';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { sdkClientOptions, type AzureClientOptions } from './clientOptions';

export type ContainerAppsClientFor = (subscriptionId: string) => ContainerAppsAPIClient;

export function containerAppsClientCache(credential: TokenCredential, clientOptions: AzureClientOptions): ContainerAppsClientFor {
  const clients = new Map<string, ContainerAppsAPIClient>();
  return (subscriptionId) => {
    let client = clients.get(subscriptionId);
    if (!client) {
      client = new ContainerAppsAPIClient(credential, subscriptionId, sdkClientOptions(clientOptions));
      clients.set(subscriptionId, client);
    }
    return client;
  };
}
