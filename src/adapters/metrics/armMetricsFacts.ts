/**
 * The two facts the metrics need that ContainerAppsPort does not carry: an app's region (the
 * metrics endpoint is regional) and a revision's memory limit per replica (the sum over its
 * containers). Both are read over ARM with `@azure/arm-appcontainers` and cached for the process:
 * an app does not move region, and a revision's template is immutable, so steady-state sweeps make
 * no extra ARM calls. The cache is bounded (oldest entries go first).
 */
import type { TokenCredential } from '@azure/core-auth';
import type { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import type { AzureClientOptions } from '../azure/clientOptions';
import { containerAppsClientCache, type ContainerAppsClientFor } from '../azure/containerAppsClients';
import type { ContainerAppRef } from '../containerApps/containerAppsPort';
import { parseMemoryQuantity } from './memoryQuantity';

const MAX_CACHED = 5_000;

export interface MetricsFactsPort {
  /** Region in ARM's short form ("East US" → "eastus"). */
  getRegion(app: ContainerAppRef, options?: { abortSignal?: AbortSignal }): Promise<string>;
  /** Memory limit of one replica of the revision in bytes; undefined when the template does not say. */
  getMemoryLimitBytes(app: ContainerAppRef, revisionName: string, options?: { abortSignal?: AbortSignal }): Promise<number | undefined>;
}

export class ArmMetricsFacts implements MetricsFactsPort {
  private readonly clientFor: ContainerAppsClientFor;
  private readonly regions = new Map<string, string>();
  private readonly limits = new Map<string, number | undefined>();

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
    const region = (raw.location ?? '').replace(/\s+/g, '').toLowerCase();
    if (!region) throw new Error(`Container app ${app.name} reports no location`);
    remember(this.regions, key, region);
    return region;
  }

  async getMemoryLimitBytes(app: ContainerAppRef, revisionName: string, options: { abortSignal?: AbortSignal } = {}): Promise<number | undefined> {
    const key = `${appKey(app)}/${revisionName.toLowerCase()}`;
    if (this.limits.has(key)) return this.limits.get(key);
    const revision = await this.client(app).containerAppsRevisions.getRevision(app.resourceGroup, app.name, revisionName, { abortSignal: options.abortSignal });
    const containers = revision.template?.containers ?? [];
    const amounts = containers.map((c) => parseMemoryQuantity(c.resources?.memory));
    const limit = containers.length > 0 && amounts.every((a) => a !== undefined) ? amounts.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined;
    remember(this.limits, key, limit);
    return limit;
  }

  private client(app: ContainerAppRef): ContainerAppsAPIClient {
    return this.clientFor(app.subscriptionId);
  }
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
