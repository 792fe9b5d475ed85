/**
 * What Harbormaster needs from Azure Container Apps, in its own words. Activities depend on
 * this port; `ArmContainerAppsGateway` implements it with `@azure/arm-appcontainers`.
 */
export interface ContainerAppRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface TrafficSplit {
  revisionName: string;
  weight: number;
}

export interface AppView {
  name: string;
  activeRevisionsMode: 'Single' | 'Multiple';
  latestRevisionName?: string;
  latestReadyRevisionName?: string;
  /** The app's FQDN when it has ingress. */
  fqdn?: string;
  ingress: 'external' | 'internal' | 'none';
  /** Traffic by revision name; a `latestRevision` entry is resolved to the latest revision's name. */
  traffic: TrafficSplit[];
  /**
   * True when a traffic entry is `latestRevision: true` rather than a name: such an entry hands
   * the next revision its weight the moment it is created, so it is not a pin.
   */
  followsLatestRevision?: boolean;
  /** Image of the first container (the one Harbormaster deploys). */
  image?: string;
  minReplicas?: number;
  /** Region in ARM's short form ("eastus"), from the app's location. */
  region?: string;
}

export interface RevisionView {
  name: string;
  fqdn?: string;
  active: boolean;
  trafficWeight: number;
  replicas: number;
  image?: string;
  createdTime?: string;
  provisioningState?: string;
  runningState?: string;
  healthState?: string;
  provisioningError?: string;
  /** A replica's memory limit from the revision's template; undefined when the template does not say. */
  memoryLimitBytes?: number;
}

export interface ContainerAppsOptions {
  abortSignal?: AbortSignal;
}

export interface ContainerAppsPort {
  getApp(app: ContainerAppRef, options?: ContainerAppsOptions): Promise<AppView>;
  listRevisions(app: ContainerAppRef, options?: ContainerAppsOptions): Promise<RevisionView[]>;
  /** Undefined when the revision does not exist. */
  getRevision(app: ContainerAppRef, revisionName: string, options?: ContainerAppsOptions): Promise<RevisionView | undefined>;
  /**
   * Creates a revision running `image` (pinned by digest) with the given suffix. Idempotent:
   * when a revision with that suffix already exists, it is returned unchanged.
   */
  beginCreateRevision(app: ContainerAppRef, input: { image: string; revisionSuffix: string }, options?: ContainerAppsOptions): Promise<RevisionView>;
  /** Sets traffic weights by revision name (weights sum to 100). */
  setTraffic(app: ContainerAppRef, traffic: TrafficSplit[], options?: ContainerAppsOptions): Promise<void>;
  activateRevision(app: ContainerAppRef, revisionName: string, options?: ContainerAppsOptions): Promise<void>;
  deactivateRevision(app: ContainerAppRef, revisionName: string, options?: ContainerAppsOptions): Promise<void>;
  restartRevision(app: ContainerAppRef, revisionName: string, options?: ContainerAppsOptions): Promise<void>;
}
