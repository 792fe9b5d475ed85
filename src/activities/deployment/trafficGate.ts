/**
 * The one traffic gate. Every change of which revision serves an app goes through here:
 * promotion, each canary weight, automatic rollback, manual rollback, the pin before a new
 * revision, and in single-revision mode the template change that makes a new revision live.
 * A test fails if anything else in src/ calls the Container Apps traffic or revision-creating
 * operations.
 *
 * The invariant it keeps: no traffic goes to a release whose verdict is `failed` or
 * `rolled-back`, unless a person forces it with a reason, which is recorded on the release
 * and sent to the app's channels.
 */
import type { ContainerAppRef, ContainerAppsPort, RevisionView, TrafficSplit } from '../../adapters/containerApps/containerAppsPort';
import type { Notification } from '../../adapters/notify/notification';
import type { ReleaseLedgerStore } from '../../adapters/storage/releaseLedgerStore';
import { isRoutable } from '../../domain/rollout';

export interface GateCaller {
  /** The app's name in Harbormaster's configuration (the ledger's partition). */
  app: string;
  containerApp: ContainerAppRef;
  /** The deployment or rollback changing traffic. */
  deploymentId: string;
  /** Route to an unsafe release anyway; needs `reason`. */
  force?: boolean;
  reason?: string;
  /** Who forced it (recorded on the release and told to the channels). */
  by?: string;
  /**
   * Putting back what served before this change (a compensation). A release a person forced
   * traffic onto earlier may be restored without forcing again; any other unsafe one may not.
   */
  restoring?: boolean;
  channels?: readonly string[];
  at: string;
}

export class TrafficRefused extends Error {
  constructor(readonly revisionName: string, readonly verdict: string) {
    super(`traffic gate: ${revisionName} is ${verdict}; routing to it needs force with a reason`);
    this.name = 'TrafficRefused';
  }
}

export interface TrafficGateDeps {
  containerApps: ContainerAppsPort;
  ledger: ReleaseLedgerStore;
  notify: (channels: readonly string[], notification: Notification) => Promise<unknown>;
}

export class TrafficGate {
  constructor(private readonly deps: TrafficGateDeps) {}

  /** Sets the traffic split (Multiple mode). Refuses an unsafe target unless forced. */
  async route(caller: GateCaller, split: TrafficSplit[]): Promise<void> {
    if (split.reduce((sum, t) => sum + t.weight, 0) !== 100) throw new Error(`traffic gate: weights must sum to 100 (${JSON.stringify(split)})`);
    const receiving = split.filter((t) => t.weight > 0).map((t) => t.revisionName);
    await this.admit(caller, receiving);
    await this.deps.containerApps.setTraffic(caller.containerApp, split);
  }

  /**
   * Creates a revision running `image`. In Multiple mode traffic is first pinned by name to
   * `pinTo` (the serving revision), so a `latestRevision` entry cannot hand the new revision
   * traffic before it has proven healthy. In Single mode the new revision is live as soon as
   * it is ready: that is a traffic change, so the release it restores must be routable.
   */
  async createRevision(
    caller: GateCaller,
    input: { image: string; revisionSuffix: string; mode: 'Single' | 'Multiple'; pinTo?: string; restores?: string },
  ): Promise<RevisionView> {
    const existing = await this.deps.containerApps.getRevision(caller.containerApp, `${caller.containerApp.name}--${input.revisionSuffix}`);
    if (existing) return existing;
    if (input.mode === 'Multiple' && input.pinTo) {
      const view = await this.deps.containerApps.getApp(caller.containerApp);
      const pinned = !view.followsLatestRevision && view.traffic.length === 1 && view.traffic[0].revisionName === input.pinTo && view.traffic[0].weight === 100;
      if (!pinned) await this.route(caller, [{ revisionName: input.pinTo, weight: 100 }]);
    }
    if (input.mode === 'Single' && input.restores) await this.admit(caller, [input.restores]);
    return this.deps.containerApps.beginCreateRevision(caller.containerApp, { image: input.image, revisionSuffix: input.revisionSuffix });
  }

  private async admit(caller: GateCaller, revisions: readonly string[]): Promise<void> {
    for (const revisionName of revisions) {
      const release = await this.deps.ledger.get(caller.app, revisionName);
      if (isRoutable(release)) continue;
      if (caller.restoring && release?.forced) continue;
      if (!caller.force || !caller.reason) throw new TrafficRefused(revisionName, release!.verdict);
      await this.deps.ledger.update(caller.app, revisionName, caller.at, (current) =>
        current?.forced?.at === caller.at ? undefined : { forced: { reason: caller.reason!, at: caller.at, ...(caller.by ? { by: caller.by } : {}) } },
      );
      await this.deps.notify(caller.channels ?? [], {
        event: 'traffic.forced',
        app: caller.app,
        severity: 'warning',
        title: `Traffic forced onto ${revisionName}`,
        text: `${revisionName} is ${release!.verdict}${release!.reason ? ` (${release!.reason})` : ''}; routed anyway${caller.by ? ` by ${caller.by}` : ''}: ${caller.reason}`,
        facts: { deployment: caller.deploymentId, revision: revisionName },
        dedupKey: `harbormaster:forced:${caller.deploymentId}`,
      });
    }
  }
}
