/**
 * ContainerAppsPort over ARM with the real `@azure/arm-appcontainers` client.
 *
 * Updates are PATCHes that carry only what changes (`template` or `configuration.ingress`).
 * Never send an `identity` block in an update: ARM then re-checks the caller's right to
 * assign identities (Microsoft.ManagedIdentity/userAssignedIdentities/assign/action), which
 * Harbormaster's least-privilege identity deliberately does not hold.
 */
import type { TokenCredential } from '@azure/core-auth';
import { type ContainerAppsAPIClient, type ContainerApp, type Revision, type Template } from '@azure/arm-appcontainers';
import type {
  AppView,
  ContainerAppRef,
  ContainerAppsOptions,
  ContainerAppsPort,
  RevisionView,
  TrafficSplit,
} from './containerAppsPort';
import { isNotFound } from '../azure/restErrors';
import type { AzureClientOptions } from '../azure/clientOptions';
import { containerAppsClientCache, type ContainerAppsClientFor } from '../azure/containerAppsClients';

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

    const client = this.client(app);
    const current = await client.containerApps.get(app.resourceGroup, app.name, { abortSignal: options.abortSignal });
    const template = withImage(current.template, input.image, input.revisionSuffix);
    await client.containerApps.update(app.resourceGroup, app.name, { location: current.location, template }, {
      abortSignal: options.abortSignal,
      updateIntervalInMs: this.clientOptions.pollIntervalMs,
    });
    const created = await this.getRevision(app, revisionName, options);
    if (!created) throw new Error(`Revision ${revisionName} was not created by the template update`);
    return created;
  }

  async setTraffic(app: ContainerAppRef, traffic: TrafficSplit[], options: ContainerAppsOptions = {}): Promise<void> {
    const client = this.client(app);
    const current = await client.containerApps.get(app.resourceGroup, app.name, { abortSignal: options.abortSignal });
    const ingress = current.configuration?.ingress;
    if (!ingress) throw new Error(`Container app ${app.name} has no ingress: traffic cannot be split`);
    await client.containerApps.update(
      app.resourceGroup,
      app.name,
      {
        location: current.location,
        configuration: {
          ...current.configuration,
          // Secrets come back from GET without values; sending them would blank them.
          secrets: undefined,
          ingress: { ...ingress, traffic: traffic.map((t) => ({ revisionName: t.revisionName, weight: t.weight })) },
        },
      },
      { abortSignal: options.abortSignal, updateIntervalInMs: this.clientOptions.pollIntervalMs },
    );
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
  };
}
