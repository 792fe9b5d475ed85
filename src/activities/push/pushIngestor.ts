/**
 * What happens to a registry push once its sender is authenticated and its body parsed:
 * match it to apps, resolve the digest when the sender gave none (Docker Hub), hand each
 * match to the launcher, and record the delivery with the decision per app. Fast: no
 * deployment work happens here, the orchestration does it.
 */
import type { ManagedApp } from '../../config';
import type { RegistryPort } from '../../adapters/registry/registryPort';
import type { DeliveryRecord, DeliveryStore } from '../../adapters/storage/deliveryStore';
import type { AppStateStore } from '../../adapters/storage/appStateStore';
import type { ImagePushed } from '../../domain/push/imagePushed';
import { matchPush } from '../../domain/push/matchPush';
import type { DeploymentLauncher, OrchestrationStarter } from '../deployment/deploymentLauncher';

export interface IngestDeps {
  apps: ReadonlyArray<ManagedApp>;
  registry: RegistryPort;
  deliveries: DeliveryStore;
  appState: AppStateStore;
  launcher: DeploymentLauncher;
  now: () => Date;
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
      await deps.deliveries.add({ ...base, app: m.app, decision: 'ignored', reason: m.reason });
    }
    if (matches.length === 0) await deps.deliveries.add({ ...base, decision: 'ignored', reason });
    outcome.unmatchedReason = reason;
    return outcome;
  }

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
    const decision = await deps.launcher.request(m.app, { registry: push.registry, repository: push.repository, tag: push.tag, digest, source: push.source, deliveryId: push.deliveryId }, starter);
    const deploymentId = 'request' in decision ? decision.request.deploymentId : decision.decision === 'duplicate' ? decision.deploymentId : undefined;
    outcome.matched.push({ app: m.app, decision: decision.decision, reason: decision.reason, deploymentId });
    await deps.deliveries.add({ ...base, digest, app: m.app, decision: decision.decision, reason: decision.reason, deploymentId });
  }
  return outcome;
}

function sameRepository(app: ManagedApp, push: ImagePushed): boolean {
  return app.image.repository.toLowerCase() === push.repository.toLowerCase();
}
