/**
 * An app's region (the metrics endpoint is regional), for callers that have not read the app
 * (analysis): read over ARM with `@azure/arm-appcontainers` and cached for the process, since an
 * app does not move region. The cache is bounded (oldest entries go first). The sweep reads the
 * region and the revisions' memory limits from the app and revisions it reads anyway.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { AzureClientOptions } from '../azure/clientOptions';
import { containerAppsClientCache, type ContainerAppsClientFor } from '../azure/containerAppsClients';
import type { ContainerAppRef } from '../containerApps/containerAppsPort';

const MAX_CACHED = 5_000;

export interface MetricsFactsPort {
  /** Region in ARM's short form ("East US" → "eastus"). */
  getRegion(app: ContainerAppRef, options?: { abortSignal?: AbortSignal }): Promise<string>;
}

export class ArmMetricsFacts implements MetricsFactsPort {
  private readonly clientFor: ContainerAppsClientFor;
  private readonly regions = new Map<string, string>();

  constructor(
    credential: TokenCredential,
    private readonly clientOptions: AzureClientOptions,
  ) {
    this.clientFor = containerAppsClientCache(credential, clientOptions);
  }

  async getRegion(app: ContainerAppRef, options: { abortSignal?: AbortSignal } = {}): Promise<string> {
    const key = appKey(app);
    const cached = this.regions.get(key);
    if (cached !== undefined) return cached;
    const raw = await this.client(app).containerApps.get(app.resourceGroup, app.name, { abortSignal: options.abortSignal });
    const region = armRegion(raw.location);
    if (!region) throw new Error(`Container app ${app.name} reports no location`);
    remember(this.regions, key, region);
    return region;
  }

  private client(app: ContainerAppRef): ContainerAppsAPIClient {
    return this.clientFor(app.subscriptionId);
  }
}

/** An ARM location in the short form Monitor's regional endpoints use ("East US" → "eastus"). */
export function armRegion(location: string | undefined): string | undefined {
  const region = (location ?? '').replace(/\s+/g, '').toLowerCase();
  return region === '' ? undefined : region;
}

export function containerAppResourceId(app: ContainerAppRef): string {
  return `/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/providers/Microsoft.App/containerApps/${app.name}`;
}

function appKey(app: ContainerAppRef): string {
  return containerAppResourceId(app).toLowerCase();
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_CACHED) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}
