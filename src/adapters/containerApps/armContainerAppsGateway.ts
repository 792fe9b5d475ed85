/**
 * ContainerAppsPort over ARM with the real `@azure/arm-appcontainers` client.
 *
 * Updates are PATCHes that carry only what changes (`template` or `configuration.ingress`).
 * Never send an `identity` block in an update: ARM then re-checks the caller's right to
 * assign identities (Microsoft.ManagedIdentity/userAssignedIdentities/assign/action), which
 * Harbormaster's least-privilege identity deliberately does not hold.
 *
 * Every update is a read-modify-write under the app's ETag: the PATCH carries `If-Match` with the
 * tag of the GET it was computed from, so an operator's change made in between (an environment
 * variable, a custom domain, scale) is never silently reverted. On 412 the app is read again and
 * the change re-applied to what is there now, a few times before giving up.
 */
import type { TokenCredential } from '@azure/core-auth';
import { armRegion } from '../metrics/armMetricsFacts';
import { memoryLimitOf } from '../metrics/memoryQuantity';
import { type ContainerAppsAPIClient, type ContainerApp, type Revision, type Template } from '@azure/arm-appcontainers';
import type {
  AppView,
  ContainerAppRef,
  ContainerAppsOptions,
  ContainerAppsPort,
  RevisionView,
  TrafficSplit,
} from './containerAppsPort';
import { isNotFound, statusCodeOf } from '../azure/restErrors';
import type { AzureClientOptions } from '../azure/clientOptions';
import { containerAppsClientCache, type ContainerAppsClientFor } from '../azure/containerAppsClients';

/** Read-modify-write rounds before a write that keeps losing to concurrent changes gives up. */
const MAX_UPDATE_ATTEMPTS = 5;

export class ArmContainerAppsGateway implements ContainerAppsPort {
  private readonly clientFor: ContainerAppsClientFor;

  constructor(
    credential: TokenCredential,
    private readonly clientOptions: AzureClientOptions,
  ) {
    this.clientFor = containerAppsClientCache(credential, clientOptions);
  }

  async getApp(app: ContainerAppRef, options: ContainerAppsOptions = {}): Promise<AppView> {
    const raw = await this.client(app).containerApps.get(app.resourceGroup, app.name, { abortSignal: options.abortSignal });
    return toAppView(raw);
  }

  async listRevisions(app: ContainerAppRef, options: ContainerAppsOptions = {}): Promise<RevisionView[]> {
    const revisions: RevisionView[] = [];
    for await (const revision of this.client(app).containerAppsRevisions.listRevisions(app.resourceGroup, app.name, {
      abortSignal: options.abortSignal,
    })) {
      revisions.push(toRevisionView(revision));
    }
    return revisions;
  }

  async getRevision(app: ContainerAppRef, revisionName: string, options: ContainerAppsOptions = {}): Promise<RevisionView | undefined> {
    try {
      const revision = await this.client(app).containerAppsRevisions.getRevision(app.resourceGroup, app.name, revisionName, {
        abortSignal: options.abortSignal,
      });
      return toRevisionView(revision);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async beginCreateRevision(
    app: ContainerAppRef,
    input: { image: string; revisionSuffix: string },
    options: ContainerAppsOptions = {},
  ): Promise<RevisionView> {
    const revisionName = `${app.name}--${input.revisionSuffix}`;
    const existing = await this.getRevision(app, revisionName, options);
    if (existing) return existing;

    await this.updateUnderEtag(app, options, async (current, attempt) => {
      // After a conflict, the other writer may have been a retry of this very step.
      if (attempt > 1 && (await this.getRevision(app, revisionName, options))) return undefined;
      return { location: current.location, template: withImage(current.template, input.image, input.revisionSuffix) };
    });
    const created = await this.getRevision(app, revisionName, options);
    if (!created) throw new Error(`Revision ${revisionName} was not created by the template update`);
    return created;
  }

  async setTraffic(app: ContainerAppRef, traffic: TrafficSplit[], options: ContainerAppsOptions = {}): Promise<void> {
    await this.updateUnderEtag(app, options, (current) => {
      const ingress = current.configuration?.ingress;
      if (!ingress) throw new Error(`Container app ${app.name} has no ingress: traffic cannot be split`);
      return Promise.resolve({
        location: current.location,
        configuration: {
          ...current.configuration,
          // Secrets come back from GET without values; sending them would blank them.
          secrets: undefined,
          ingress: { ...ingress, traffic: traffic.map((t) => ({ revisionName: t.revisionName, weight: t.weight })) },
        },
      });
    });
  }

  /**
   * GET the app with its ETag, let `change` compute the PATCH body from it (undefined: nothing to
   * do), PATCH with `If-Match`; on 412 start over from a fresh read.
   */
  private async updateUnderEtag(
    app: ContainerAppRef,
    options: ContainerAppsOptions,
    change: (current: ContainerApp, attempt: number) => Promise<ContainerApp | undefined>,
  ): Promise<void> {
    const client = this.client(app);
    for (let attempt = 1; ; attempt++) {
      let etag: string | undefined;
      const current = await client.containerApps.get(app.resourceGroup, app.name, {
        abortSignal: options.abortSignal,
        onResponse: (raw) => {
          etag = raw.headers.get('etag') ?? undefined;
        },
      });
      const envelope = await change(current, attempt);
      if (!envelope) return;
      try {
        await client.containerApps.update(app.resourceGroup, app.name, envelope, {
          abortSignal: options.abortSignal,
          updateIntervalInMs: this.clientOptions.pollIntervalMs,
          ...(etag ? { requestOptions: { headers: { 'If-Match': etag } } } : {}),
        });
        return;
      } catch (error) {
        if (statusCodeOf(error) !== 412 || attempt >= MAX_UPDATE_ATTEMPTS) throw error;
      }
    }
  }

  async activateRevision(app: ContainerAppRef, revisionName: string, options: ContainerAppsOptions = {}): Promise<void> {
    await this.client(app).containerAppsRevisions.activateRevision(app.resourceGroup, app.name, revisionName, {
      abortSignal: options.abortSignal,
    });
  }

  async deactivateRevision(app: ContainerAppRef, revisionName: string, options: ContainerAppsOptions = {}): Promise<void> {
    await this.client(app).containerAppsRevisions.deactivateRevision(app.resourceGroup, app.name, revisionName, {
      abortSignal: options.abortSignal,
    });
  }

  async restartRevision(app: ContainerAppRef, revisionName: string, options: ContainerAppsOptions = {}): Promise<void> {
    await this.client(app).containerAppsRevisions.restartRevision(app.resourceGroup, app.name, revisionName, {
      abortSignal: options.abortSignal,
    });
  }

  private client(app: ContainerAppRef): ContainerAppsAPIClient {
    return this.clientFor(app.subscriptionId);
  }
}

function withImage(template: Template | undefined, image: string, revisionSuffix: string): Template {
  const containers = template?.containers ?? [];
  if (containers.length === 0) throw new Error('The container app template has no containers');
  // Harbormaster deploys the first container; sidecars keep their images.
  const [first, ...rest] = containers;
  return { ...template, revisionSuffix, containers: [{ ...first, image }, ...rest] };
}

function toAppView(raw: ContainerApp): AppView {
  const ingress = raw.configuration?.ingress;
  const latest = raw.latestRevisionName;
  const traffic: TrafficSplit[] = (ingress?.traffic ?? [])
    .map((t) => ({ revisionName: t.revisionName ?? (t.latestRevision ? latest ?? '' : ''), weight: t.weight ?? 0 }))
    .filter((t) => t.revisionName !== '');
  return {
    name: raw.name ?? '',
    activeRevisionsMode: raw.configuration?.activeRevisionsMode === 'Multiple' ? 'Multiple' : 'Single',
    latestRevisionName: latest,
    latestReadyRevisionName: raw.latestReadyRevisionName,
    fqdn: ingress?.fqdn,
    ingress: ingress ? (ingress.external ? 'external' : 'internal') : 'none',
    traffic,
    followsLatestRevision: (ingress?.traffic ?? []).some((t) => t.latestRevision === true && (t.weight ?? 0) > 0),
    image: raw.template?.containers?.[0]?.image,
    minReplicas: raw.template?.scale?.minReplicas,
    region: armRegion(raw.location),
  };
}

function toRevisionView(raw: Revision): RevisionView {
  return {
    name: raw.name ?? '',
    fqdn: raw.fqdn,
    active: raw.active ?? false,
    trafficWeight: raw.trafficWeight ?? 0,
    replicas: raw.replicas ?? 0,
    image: raw.template?.containers?.[0]?.image,
    createdTime: raw.createdTime?.toISOString(),
    provisioningState: raw.provisioningState,
    runningState: raw.runningState,
    healthState: raw.healthState,
    provisioningError: raw.provisioningError,
    memoryLimitBytes: memoryLimitOf(raw.template?.containers),
  };
}
