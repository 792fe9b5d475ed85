/**
 * The stored state of simulated Microsoft.App resources: managed environments, container apps and their
 * revisions, kept in memory and optionally written to a JSON file so a restarted simulator keeps its apps.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

export type Json = Record<string, unknown>;

export interface EnvironmentRecord {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  defaultDomain: string;
  createdTime: string;
}

export interface RevisionRecord {
  name: string;
  suffix: string;
  createdTime: string;
  lastActiveTime: string;
  template: Json;
  active: boolean;
}

export interface AppRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tags?: Record<string, string>;
  identity?: Json;
  /** Writable properties as last set (configuration, template, managedEnvironmentId, ...). */
  properties: Json;
  revisions: RevisionRecord[];
  latestRevisionName?: string;
  provisioningState: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled' | 'Deleting';
  createdTime: string;
  /** Quoted entity tag of the app's current definition; a new one with every PUT or PATCH. */
  etag?: string;
}

interface PersistedState {
  environments: EnvironmentRecord[];
  apps: AppRecord[];
}

export class ContainerAppsState {
  readonly environments = new Map<string, EnvironmentRecord>();
  readonly apps = new Map<string, AppRecord>();

  constructor(private readonly statePath?: string) {
    if (statePath && existsSync(statePath)) {
      const data = JSON.parse(readFileSync(statePath, 'utf8')) as PersistedState;
      for (const env of data.environments ?? []) this.environments.set(env.id.toLowerCase(), env);
      for (const app of data.apps ?? []) this.apps.set(appKey(app.subscriptionId, app.resourceGroup, app.name), app);
    }
  }

  /** Writes the state file (atomically) when persistence is on. */
  save(): void {
    if (!this.statePath) return;
    mkdirSync(path.dirname(this.statePath), { recursive: true });
    const tmp = `${this.statePath}.tmp`;
    const data: PersistedState = { environments: [...this.environments.values()], apps: [...this.apps.values()] };
    writeFileSync(tmp, JSON.stringify(data, null, 2));
    renameSync(tmp, this.statePath);
  }
}

export function appKey(subscriptionId: string, resourceGroup: string, name: string): string {
  return `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();
}

export function appId(app: Pick<AppRecord, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/providers/Microsoft.App/containerApps/${app.name}`;
}

export function revisionId(app: AppRecord, revisionName: string): string {
  return `${appId(app)}/revisions/${revisionName}`;
}
