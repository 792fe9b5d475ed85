/**
 * Turns a deployment request (webhook, reconcile, manual) into a started or queued
 * deployment, and a finished deployment into the next one. All decisions are the pure
 * queue rules; this applies them under the app state's ETag and starts orchestrations.
 */
import type { ManagedApp } from '../../config';
import type { AppStateStore } from '../../adapters/storage/appStateStore';
import type { DeploymentStore } from '../../adapters/storage/deploymentStore';
import {
  OrchestratorNames,
  decideRequest,
  finishRunning,
  type DeploymentInput,
  type DeploymentRequest,
  type FinishDeploymentInput,
  type FinishDeploymentResult,
  type RequestDecision,
} from '../../domain/deployment';
import { toDeploySpec } from './toDeploySpec';

export interface OrchestrationStarter {
  start(name: string, instanceId: string, input: unknown): Promise<void>;
}

export interface LaunchRequest {
  registry: string;
  repository: string;
  tag?: string;
  digest: string;
  source: string;
  deliveryId: string;
}

export interface LauncherDeps {
  apps: ReadonlyArray<ManagedApp>;
  appState: AppStateStore;
  deployments: DeploymentStore;
  now: () => Date;
  newId: () => string;
}

export class DeploymentLauncher {
  constructor(private readonly deps: LauncherDeps) {}

  async request(appName: string, push: LaunchRequest, starter: OrchestrationStarter): Promise<RequestDecision> {
    const app = this.app(appName);
    const now = this.deps.now();
    const request: DeploymentRequest = {
      app: app.name,
      deploymentId: `${app.name}-${compactTime(now)}-${this.deps.newId().slice(0, 6)}`,
      digest: push.digest,
      tag: push.tag,
      registry: push.registry,
      repository: push.repository,
      source: push.source as DeploymentRequest['source'],
      deliveryId: push.deliveryId,
      receivedAt: now.toISOString(),
    };
    const result = await this.deps.appState.transact(app.name, (state) => decideRequest(state, request));
    if (result.decision === 'started' || result.decision === 'queued') {
      await this.deps.deployments.create({
        id: request.deploymentId,
        app: app.name,
        image: { registry: push.registry, repository: push.repository, tag: push.tag, digest: push.digest },
        source: push.source,
        at: request.receivedAt,
        phase: result.decision === 'queued' ? 'queued' : 'verifying',
        reason: result.reason,
      });
    }
    for (const superseded of result.superseded) {
      await this.deps.deployments.update(superseded.deploymentId, app.name, request.receivedAt, { phase: 'superseded', reason: `superseded by ${request.deploymentId}` });
    }
    if (result.decision === 'started') await this.startOrchestration(app, request, starter);
    return result;
  }

  async finish(input: FinishDeploymentInput, starter: OrchestrationStarter): Promise<FinishDeploymentResult> {
    const app = this.app(input.app);
    const record = await this.deps.deployments.get(input.deploymentId);
    const outcome = await this.deps.appState.transact(app.name, (state) =>
      finishRunning(state, { deploymentId: input.deploymentId, succeeded: input.phase === 'succeeded', tag: record?.image.tag }),
    );
    const at = this.deps.now().toISOString();
    for (const superseded of outcome.superseded) {
      await this.deps.deployments.update(superseded.deploymentId, app.name, at, { phase: 'superseded', reason: outcome.next ? `superseded by ${outcome.next.deploymentId}` : 'superseded: automatic deploys paused' });
    }
    if (outcome.next) {
      await this.deps.deployments.update(outcome.next.deploymentId, app.name, at, { phase: 'verifying', reason: `started after ${input.deploymentId}` });
      await this.startOrchestration(app, outcome.next, starter);
    }
    return { nextDeploymentId: outcome.next?.deploymentId };
  }

  private async startOrchestration(app: ManagedApp, request: DeploymentRequest, starter: OrchestrationStarter): Promise<void> {
    const input: DeploymentInput = {
      deploymentId: request.deploymentId,
      spec: toDeploySpec(app),
      image: { registry: request.registry, repository: request.repository, tag: request.tag, digest: request.digest },
      source: request.source,
      requestedAt: request.receivedAt,
    };
    await starter.start(OrchestratorNames.deployment, request.deploymentId, input);
  }

  private app(name: string): ManagedApp {
    const app = this.deps.apps.find((a) => a.name === name);
    if (!app) throw new Error(`No app named "${name}" in the configuration`);
    return app;
  }
}

function compactTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
