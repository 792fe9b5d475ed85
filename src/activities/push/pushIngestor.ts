/**
 * What happens to a registry push once its sender is authenticated and its body parsed:
 * match it to apps, resolve the digest when the sender gave none (Docker Hub), hand each
 * match to the launcher, and record the delivery with the decision per app. Fast: no
 * deployment work happens here, the orchestration does it.
 *
 * A push that deploys nothing (no app follows it, or no app takes its tag) is answered before
 * its delivery row is committed: the answer only tells the sender to stop retrying, and a retry
 * would be ignored the same way, so all a crash in that window can lose is the audit row. Every
 * decision that acts or refuses (deploy, queued, duplicate, stale, rejected) is committed before
 * the answer, as is the delivery id that guards against replays.
 */
import type { ManagedApp } from '../../config';
import type { RegistryPort } from '../../adapters/registry/registryPort';
import type { DeliveryRecord, DeliveryStore } from '../../adapters/storage/deliveryStore';
import type { AppStateStore } from '../../adapters/storage/appStateStore';
import type { ImagePushed } from '../../domain/push/imagePushed';
import { matchPush, type PushMatch } from '../../domain/push/matchPush';
import { DELIVERY_REPLAY_HORIZON_MS, judgeReplay } from '../../domain/push/replayWindow';
import type { DeploymentLauncher, OrchestrationStarter } from '../deployment/deploymentLauncher';

export interface IngestDeps {
  apps: ReadonlyArray<ManagedApp>;
  registry: RegistryPort;
  deliveries: DeliveryStore;
  appState: AppStateStore;
  launcher: DeploymentLauncher;
  now: () => Date;
  /** Told when an ignored push's delivery row, written after the answer, could not be stored. */
  onLateRecordError: (error: unknown) => void;
}

export interface IngestOutcome {
  matched: Array<{ app: string; decision: DeliveryRecord['decision']; reason: string; deploymentId?: string }>;
  /** Set when the push matched no app. */
  unmatchedReason?: string;
}

export async function ingestPush(deps: IngestDeps, push: ImagePushed, starter: OrchestrationStarter): Promise<IngestOutcome> {
  const receivedAt = deps.now().toISOString();
  const current: Record<string, { tag?: string; digest?: string }> = {};
  const candidates = deps.apps.filter((a) => sameRepository(a, push));
  for (const app of candidates) {
    const state = await deps.appState.get(app.name);
    current[app.name] = { tag: state.deployedTag, digest: state.deployedDigest };
  }
  const matches = matchPush(push, deps.apps, current);
  const outcome: IngestOutcome = { matched: [] };
  const base = { id: push.deliveryId, source: push.source, receivedAt, registry: push.registry, repository: push.repository, tag: push.tag, digest: push.digest };

  const deploying = matches.filter((m) => m.decision === 'deploy');
  if (deploying.length === 0) {
    const reason = matches.length > 0 ? matches.map((m) => `${m.app}: ${m.reason}`).join('; ') : `no app follows ${push.registry}/${push.repository}${push.tag ? `:${push.tag}` : ''}`;
    for (const m of matches) {
      outcome.matched.push({ app: m.app, decision: 'ignored', reason: m.reason });
      recordLate(deps, { ...base, app: m.app, decision: 'ignored', reason: m.reason });
    }
    if (matches.length === 0) recordLate(deps, { ...base, decision: 'ignored', reason });
    outcome.unmatchedReason = reason;
    return outcome;
  }

  // Replay protection, for deliveries that would deploy: too old (signed) → rejected; an id seen
  // within the horizon → duplicate. The id is forgotten again when processing fails, so the
  // sender's retry is not mistaken for a duplicate.
  const replay = judgeReplay(push, deps.now());
  if (replay.kind === 'too-old') return decideAll(deps, push, matches, base, outcome, 'rejected', replay.reason);
  if (replay.kind === 'check-id') {
    const seen = await deps.deliveries.rememberDeliveryId(push.source, push.deliveryId, deps.now(), DELIVERY_REPLAY_HORIZON_MS);
    if (!seen.first) return decideAll(deps, push, matches, base, outcome, 'duplicate', `duplicate: delivery ${push.deliveryId} was already received at ${seen.firstSeenAt}`);
    try {
      return await deploy(deps, push, matches, base, outcome, starter);
    } catch (error) {
      await deps.deliveries.forgetDeliveryId(push.source, push.deliveryId).catch(() => undefined);
      throw error;
    }
  }
  return deploy(deps, push, matches, base, outcome, starter);
}

type DeliveryBase = Omit<DeliveryRecord, 'decision' | 'reason'>;

/** Stores the row of a push that changes nothing without making its sender wait for the commit. */
function recordLate(deps: IngestDeps, record: DeliveryRecord): void {
  deps.deliveries.add(record).catch(deps.onLateRecordError);
}

/** Records one decision for every match that would deploy (the others stay ignored). */
async function decideAll(deps: IngestDeps, push: ImagePushed, matches: PushMatch[], base: DeliveryBase, outcome: IngestOutcome, decision: 'rejected' | 'duplicate', reason: string): Promise<IngestOutcome> {
  for (const m of matches) {
    const taken = m.decision === 'deploy' ? { decision, reason } : { decision: 'ignored' as const, reason: m.reason };
    outcome.matched.push({ app: m.app, ...taken });
    await deps.deliveries.add({ ...base, app: m.app, ...taken });
  }
  return outcome;
}

async function deploy(deps: IngestDeps, push: ImagePushed, matches: PushMatch[], base: DeliveryBase, outcome: IngestOutcome, starter: OrchestrationStarter): Promise<IngestOutcome> {
  // A webhook is a hint: the digest is what the registry says the tag is now.
  let digest = push.digest;
  if (!digest && push.tag) {
    const summary = await deps.registry.getManifestSummary(push.registry, push.repository, push.tag);
    digest = summary?.digest;
  }
  for (const m of matches) {
    if (m.decision !== 'deploy') {
      outcome.matched.push({ app: m.app, decision: 'ignored', reason: m.reason });
      await deps.deliveries.add({ ...base, app: m.app, decision: 'ignored', reason: m.reason });
      continue;
    }
    if (!digest) {
      const reason = `${push.repository}:${push.tag ?? '?'} is not in ${push.registry}`;
      outcome.matched.push({ app: m.app, decision: 'rejected', reason });
      await deps.deliveries.add({ ...base, app: m.app, decision: 'rejected', reason });
      continue;
    }
    const decision = await deps.launcher.request(m.app, { registry: push.registry, repository: push.repository, tag: push.tag, digest, source: push.source, deliveryId: push.deliveryId, pushedAt: push.pushedAt }, starter);
    const deploymentId = 'request' in decision ? decision.request.deploymentId : decision.decision === 'duplicate' ? decision.deploymentId : undefined;
    outcome.matched.push({ app: m.app, decision: decision.decision, reason: decision.reason, deploymentId });
    await deps.deliveries.add({ ...base, digest, app: m.app, decision: decision.decision, reason: decision.reason, deploymentId });
  }
  return outcome;
}

function sameRepository(app: ManagedApp, push: ImagePushed): boolean {
  return app.image.repository.toLowerCase() === push.repository.toLowerCase();
}
