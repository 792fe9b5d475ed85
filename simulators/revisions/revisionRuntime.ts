/**
 * Runs the revisions of every simulated container app as real processes: replicas of active revisions
 * run sampleApp; inactive revisions run nothing; scale-to-zero revisions (minReplicas 0) start a replica
 * on the first request (cold start) and stop it after an idle period. Revision states reported through ARM
 * are derived from these processes.
 */
import { resolveBehaviour, type ImageBehaviour, type ImageCatalog } from '../imageCatalog';
import { ReplicaProcess } from './replicaProcess';

export type RevisionRunningState = 'Running' | 'Processing' | 'Stopped' | 'Degraded' | 'Failed' | 'Unknown';
export type RevisionHealthState = 'Healthy' | 'Unhealthy' | 'None';
export type RevisionProvisioningState = 'Provisioning' | 'Provisioned' | 'Failed' | 'Deprovisioning' | 'Deprovisioned';

export interface RevisionSpec {
  /** Unique key (the revision's ARM id, lower case). */
  key: string;
  revisionName: string;
  image: string;
  minReplicas: number;
  maxReplicas: number;
}

export interface RevisionStatus {
  runningState: RevisionRunningState;
  healthState: RevisionHealthState;
  provisioningState: RevisionProvisioningState;
  replicas: readonly ReplicaProcess[];
  restartCount: number;
  rssBytes: number;
  behaviour?: ImageBehaviour;
}

export interface RevisionRuntimeOptions {
  catalog?: ImageCatalog;
  /** Idle time before a scale-to-zero revision's replica stops. Default 300 s (Azure's cool-down). */
  scaleToZeroIdleMs?: number;
  /** Replicas started per active revision with minReplicas > 0 (capped by minReplicas). Default 1: cheap on small machines. */
  maxProcessesPerRevision?: number;
  /** Called when a replica restarts (crash or restart API). */
  onRestart?: (key: string, replicaName: string) => void;
  /** Crashes without ever listening before provisioning is reported Failed. Default 3. */
  failedAfterCrashes?: number;
}

interface RunningRevision {
  spec: RevisionSpec;
  behaviour: ImageBehaviour;
  replicas: ReplicaProcess[];
  /** Provisioned once any replica listened (or immediately for scale-to-zero). */
  provisioned: boolean;
  idleTimer?: NodeJS.Timeout;
  lastRequestAt: number;
  restarts: number;
}

export type ConnectResult = { port: number; replica: ReplicaProcess; coldStart: boolean } | { error: 'inactive' | 'unavailable' };

export class RevisionRuntime {
  private readonly revisions = new Map<string, RunningRevision>();
  private readonly retired = new Map<string, number>();

  constructor(private readonly options: RevisionRuntimeOptions = {}) {}

  /** Starts (or keeps) the revision's replicas. Idempotent. */
  activate(spec: RevisionSpec): void {
    const existing = this.revisions.get(spec.key);
    if (existing) return;
    const behaviour = resolveBehaviour(this.options.catalog, spec.image);
    const revision: RunningRevision = { spec, behaviour, replicas: [], provisioned: spec.minReplicas === 0, lastRequestAt: 0, restarts: this.retired.get(spec.key) ?? 0 };
    this.revisions.set(spec.key, revision);
    const count = Math.min(spec.minReplicas, this.options.maxProcessesPerRevision ?? 1);
    for (let i = 0; i < count; i += 1) this.addReplica(revision);
  }

  async deactivate(key: string): Promise<void> {
    const revision = this.revisions.get(key);
    if (!revision) return;
    this.revisions.delete(key);
    this.retired.set(key, revision.restarts);
    if (revision.idleTimer) clearTimeout(revision.idleTimer);
    await Promise.all(revision.replicas.map((r) => r.stop()));
  }

  async restart(key: string): Promise<void> {
    const revision = this.revisions.get(key);
    if (!revision) return;
    await Promise.all(revision.replicas.map((r) => r.restart()));
  }

  isActive(key: string): boolean {
    return this.revisions.has(key);
  }

  status(key: string): RevisionStatus {
    const revision = this.revisions.get(key);
    if (!revision) {
      return { runningState: 'Stopped', healthState: 'None', provisioningState: 'Provisioned', replicas: [], restartCount: this.retired.get(key) ?? 0, rssBytes: 0 };
    }
    const { replicas } = revision;
    const running = replicas.filter((r) => r.state === 'running');
    const crashing = replicas.filter((r) => r.state === 'backoff' || (r.state === 'starting' && r.restartCount > 0));
    if (!revision.provisioned && running.length > 0) revision.provisioned = true;
    const failedAfter = this.options.failedAfterCrashes ?? 3;
    const neverReady = !revision.provisioned && replicas.some((r) => r.restartCount >= failedAfter);
    const provisioningState: RevisionProvisioningState = revision.provisioned ? 'Provisioned' : neverReady ? 'Failed' : 'Provisioning';
    let runningState: RevisionRunningState;
    let healthState: RevisionHealthState;
    if (replicas.length === 0) {
      // Scaled to zero: Azure reports it running with no replicas.
      runningState = 'Running';
      healthState = 'None';
    } else if (crashing.length > 0 && running.length === 0) {
      runningState = neverReady || !revision.provisioned ? 'Failed' : 'Degraded';
      healthState = 'Unhealthy';
    } else if (crashing.length > 0) {
      runningState = 'Degraded';
      healthState = 'Unhealthy';
    } else if (running.length === 0) {
      runningState = 'Processing';
      healthState = 'None';
    } else {
      runningState = 'Running';
      healthState = 'Healthy';
    }
    return {
      runningState,
      healthState,
      provisioningState,
      replicas,
      restartCount: revision.restarts,
      rssBytes: replicas.reduce((sum, r) => sum + (r.state === 'running' || r.state === 'starting' ? r.rssBytes : 0), 0),
      behaviour: revision.behaviour,
    };
  }

  /**
   * A listening replica for a request to this revision, starting one first when the revision is scaled
   * to zero (cold start) or waiting for one that is starting, up to timeoutMs.
   */
  async connect(key: string, timeoutMs = 30_000): Promise<ConnectResult> {
    const revision = this.revisions.get(key);
    if (!revision) return { error: 'inactive' };
    revision.lastRequestAt = Date.now();
    let coldStart = false;
    if (revision.replicas.length === 0) {
      this.addReplica(revision);
      coldStart = true;
    }
    if (revision.spec.minReplicas === 0) this.armIdleTimer(revision);
    const ready = revision.replicas.find((r) => r.state === 'running' && r.port !== undefined);
    if (ready && ready.port !== undefined) return { port: ready.port, replica: ready, coldStart };
    // Pick a replica that is starting (not one in crash back-off) and wait for it.
    const candidate = revision.replicas.find((r) => r.state === 'starting');
    if (!candidate) return { error: 'unavailable' };
    const port = await candidate.waitUntilListening(timeoutMs);
    return port === undefined ? { error: 'unavailable' } : { port, replica: candidate, coldStart };
  }

  async close(): Promise<void> {
    const keys = [...this.revisions.keys()];
    await Promise.all(keys.map((k) => this.deactivate(k)));
  }

  private addReplica(revision: RunningRevision): void {
    const replica: ReplicaProcess = new ReplicaProcess({
      revisionName: revision.spec.revisionName,
      image: revision.spec.image,
      behaviour: revision.behaviour,
      onRestart: () => {
        revision.restarts += 1;
        this.options.onRestart?.(revision.spec.key, replica.name);
      },
    });
    revision.replicas.push(replica);
    replica.start();
  }

  private armIdleTimer(revision: RunningRevision): void {
    if (revision.idleTimer) clearTimeout(revision.idleTimer);
    const idleMs = this.options.scaleToZeroIdleMs ?? 300_000;
    revision.idleTimer = setTimeout(() => {
      revision.idleTimer = undefined;
      if (Date.now() - revision.lastRequestAt < idleMs) return this.armIdleTimer(revision);
      const replicas = revision.replicas;
      revision.replicas = [];
      void Promise.all(replicas.map((r) => r.stop()));
    }, idleMs);
    revision.idleTimer.unref();
  }
}
