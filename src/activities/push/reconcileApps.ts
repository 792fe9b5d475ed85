/**
 * The reconcile sweep: ACR webhooks are tried once and a cold-starting receiver can lose a
 * push, so every few minutes each app's tracked tag is compared with what the registry holds
 * now; a difference becomes a push with source `reconcile`, deduplicated like any other.
 *
 * Which tag is tracked: exact → that tag; semver → the highest tag in the registry that
 * satisfies the range and is an upgrade; glob → the tag last deployed (a re-push of it is
 * caught; a new tag name under a glob cannot be ordered without push times, so only
 * webhooks deploy those).
 */
import { parseVersionTag, tagMatches, isUpgrade } from '../../domain/push/tagPolicy';
import type { ImagePushed } from '../../domain/push/imagePushed';
import type { OrchestrationStarter } from '../deployment/deploymentLauncher';
import { ingestPush, type IngestDeps } from './pushIngestor';

export interface ReconcileFinding {
  app: string;
  tag?: string;
  digest?: string;
  outcome: string;
}

/** The digest the container app runs now, when its image is pinned by digest. */
export type CurrentDigestReader = (app: IngestDeps['apps'][number]) => Promise<string | undefined>;

export async function reconcileApps(deps: IngestDeps, starter: OrchestrationStarter, currentDigestOf: CurrentDigestReader): Promise<ReconcileFinding[]> {
  const findings: ReconcileFinding[] = [];
  for (const app of deps.apps) {
    try {
      const state = await deps.appState.get(app.name);
      const tag = await trackedTag(deps, app.image, state.deployedTag);
      if (!tag) {
        findings.push({ app: app.name, outcome: 'no tracked tag yet' });
        continue;
      }
      const summary = await deps.registry.getManifestSummary(app.image.registry, app.image.repository, tag);
      if (!summary) {
        findings.push({ app: app.name, tag, outcome: 'tag not in the registry' });
        continue;
      }
      // Before Harbormaster's first deployment of an app, what the app runs now counts as deployed.
      const deployed = state.deployedDigest ?? (await currentDigestOf(app));
      const known = [deployed, state.running?.digest, ...state.queued.map((q) => q.digest)];
      if (known.includes(summary.digest)) {
        findings.push({ app: app.name, tag, digest: summary.digest, outcome: 'up to date' });
        continue;
      }
      // A digest some delivery already brought (and that failed, was rolled back or was
      // ignored while paused) was not missed: deploying it again every sweep would re-ship a
      // known-bad build. Only pushes nobody heard of are reconciled.
      const heard = await deps.deliveries.list({ app: app.name, limit: 200 });
      if (heard.some((d) => d.digest === summary.digest && d.decision !== 'rejected')) {
        findings.push({ app: app.name, tag, digest: summary.digest, outcome: 'already received: not redeployed' });
        continue;
      }
      const push: ImagePushed = {
        source: 'reconcile',
        deliveryId: `reconcile-${app.name}-${summary.digest.slice(7, 19)}`,
        registry: app.image.registry,
        repository: app.image.repository,
        tag,
        digest: summary.digest,
      };
      const outcome = await ingestPush({ ...deps, apps: [app] }, push, starter);
      findings.push({ app: app.name, tag, digest: summary.digest, outcome: outcome.matched.map((m) => `${m.decision}: ${m.reason}`).join('; ') || outcome.unmatchedReason || 'ignored' });
    } catch (error) {
      // One app's registry trouble must not stop the others.
      findings.push({ app: app.name, outcome: `error: ${(error as { message?: string }).message ?? 'failed'}` });
    }
  }
  return findings;
}

async function trackedTag(deps: IngestDeps, image: IngestDeps['apps'][number]['image'], deployedTag: string | undefined): Promise<string | undefined> {
  const policy = image.tagPolicy;
  if (policy.kind === 'exact') return policy.tag;
  if (policy.kind === 'glob') return deployedTag;
  const tags = await deps.registry.listTags(image.registry, image.repository);
  const candidates = tags.filter((t) => tagMatches(policy, t) && isUpgrade(policy, t, deployedTag));
  candidates.sort((a, b) => (parseVersionTag(b)?.compare(parseVersionTag(a) ?? '0.0.0') ?? 0));
  return candidates[0] ?? deployedTag;
}
