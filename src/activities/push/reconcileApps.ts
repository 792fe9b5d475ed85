/**
 * The reconcile sweep: ACR webhooks are tried once and a cold-starting receiver can lose a
 * push, so every few minutes each app's tracked tag is compared with what the registry holds
 * now; a difference becomes a push with source `reconcile`, deduplicated like any other.
 *
 * Which tag is tracked: exact → that tag; semver → the highest tag in the registry that
 * satisfies the range and is an upgrade; glob → the tag last deployed, or before Harbormaster's
 * first deployment of the app, the tag the app runs now (named in its image, or the matching tag
 * whose digest is the one it runs), or when no tag names it any more (its tag was pushed again),
 * the one matching tag whose image no delivery brought. A re-push of the tracked tag is caught;
 * among several new tag names under a glob none can be told newest without push times, so only
 * their webhooks deploy them.
 */
import { parseVersionTag, tagMatches, isUpgrade } from '../../domain/push/tagPolicy';
import type { ImagePushed } from '../../domain/push/imagePushed';
import { UNSAFE_VERDICTS, type Release } from '../../domain/rollout';
import type { OrchestrationStarter } from '../deployment/deploymentLauncher';
import { ingestPush, type IngestDeps } from './pushIngestor';

export interface ReconcileFinding {
  app: string;
  tag?: string;
  digest?: string;
  outcome: string;
}

/** What the container app runs now: its image's digest (when pinned) and tag (when named). */
export interface RunningImage {
  digest?: string;
  tag?: string;
}

export type RunningImageReader = (app: IngestDeps['apps'][number]) => Promise<RunningImage>;

/** Tags of a glob looked up by digest at most, before the app's first deployment. */
const MAX_GLOB_TAGS_RESOLVED = 50;

/** An app's releases as the ledger knows them: a digest whose release failed or was rolled back is never reconciled. */
export type KnownReleasesReader = (app: string) => Promise<ReadonlyArray<Pick<Release, 'digest' | 'verdict' | 'revisionName'>>>;

export async function reconcileApps(
  deps: IngestDeps,
  starter: OrchestrationStarter,
  runningImageOf: RunningImageReader,
  releasesOf: KnownReleasesReader = () => Promise.resolve([]),
): Promise<ReconcileFinding[]> {
  const findings: ReconcileFinding[] = [];
  for (const app of deps.apps) {
    try {
      const state = await deps.appState.get(app.name);
      // Read at most once per app, and only when needed.
      let running: Promise<RunningImage> | undefined;
      const runningImage = (): Promise<RunningImage> => (running ??= runningImageOf(app));
      const tracked = await trackedTag(deps, app, state.deployedTag, runningImage);
      if ('none' in tracked) {
        findings.push({ app: app.name, outcome: tracked.none });
        continue;
      }
      const tag = tracked.tag;
      const summary = await deps.registry.getManifestSummary(app.image.registry, app.image.repository, tag);
      if (!summary) {
        findings.push({ app: app.name, tag, outcome: 'tag not in the registry' });
        continue;
      }
      // Before Harbormaster's first deployment of an app, what the app runs now counts as deployed.
      const deployed = state.deployedDigest ?? (await runningImage()).digest;
      const known = [deployed, state.running?.digest, ...state.queued.map((q) => q.digest)];
      if (known.includes(summary.digest)) {
        findings.push({ app: app.name, tag, digest: summary.digest, outcome: 'up to date' });
        continue;
      }
      // The ledger remembers every release for good (the delivery log below keeps the last 200):
      // a digest that failed its checks or was rolled back is not shipped again by a timer.
      const bad = (await releasesOf(app.name)).find((r) => r.digest === summary.digest && UNSAFE_VERDICTS.has(r.verdict));
      if (bad) {
        findings.push({ app: app.name, tag, digest: summary.digest, outcome: `known bad: release ${bad.revisionName} is ${bad.verdict}; not redeployed` });
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

async function trackedTag(
  deps: IngestDeps,
  app: IngestDeps['apps'][number],
  deployedTag: string | undefined,
  runningImage: () => Promise<RunningImage>,
): Promise<{ tag: string } | { none: string }> {
  const image = app.image;
  const policy = image.tagPolicy;
  if (policy.kind === 'exact') return { tag: policy.tag };
  if (policy.kind === 'glob') {
    if (deployedTag) return { tag: deployedTag };
    const running = await runningImage();
    if (running.tag !== undefined && tagMatches(policy, running.tag)) return { tag: running.tag };
    if (!running.digest) return { none: `not deployed by Harbormaster yet, and the image it runs names no tag matching "${policy.pattern}" and no digest` };
    const tags = (await deps.registry.listTags(image.registry, image.repository)).filter((t) => tagMatches(policy, t)).slice(0, MAX_GLOB_TAGS_RESOLVED);
    const resolved: Array<{ tag: string; digest: string }> = [];
    for (const tag of tags) {
      const summary = await deps.registry.getManifestSummary(image.registry, image.repository, tag);
      if (summary?.digest === running.digest) return { tag };
      if (summary) resolved.push({ tag, digest: summary.digest });
    }
    // No tag names what the app runs: its tag was pushed again. The tags whose image no delivery
    // brought are the missed pushes; with one, that is the push to catch up on.
    const heard = new Set((await deps.deliveries.list({ app: app.name, limit: 200 })).filter((d) => d.decision !== 'rejected').map((d) => d.digest));
    const unheard = resolved.filter((r) => !heard.has(r.digest));
    if (unheard.length === 1) return { tag: unheard[0].tag };
    if (unheard.length === 0) return { none: `not deployed by Harbormaster yet; no tag matching "${policy.pattern}" points at the image it runs, and every matching tag was delivered already` };
    return { none: `not deployed by Harbormaster yet; ${unheard.length} tags matching "${policy.pattern}" were never delivered (${unheard.map((u) => u.tag).slice(0, 5).join(', ')}) and a glob cannot order them: deploy one by hand` };
  }
  const tags = await deps.registry.listTags(image.registry, image.repository);
  const candidates = tags.filter((t) => tagMatches(policy, t) && isUpgrade(policy, t, deployedTag));
  candidates.sort((a, b) => (parseVersionTag(b)?.compare(parseVersionTag(a) ?? '0.0.0') ?? 0));
  const tag = candidates[0] ?? deployedTag;
  return tag ? { tag } : { none: `no tag in the registry satisfies "${policy.range}" yet` };
}
