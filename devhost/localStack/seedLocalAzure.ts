/**
 * Makes the simulated Azure look like the apps configuration says the real one does: each
 * app's image in its registry, its container app serving a first revision, its migration
 * job, and the Key Vault secrets its databases and notification channels name. Everything
 * goes through the same APIs a person would use (the real ARM SDK, the registry's admin push,
 * Key Vault), so the local stack starts from a state Azure could be in.
 */
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { minVersion, validRange } from 'semver';
import type { AppsConfig, ManagedApp } from '../../src/config';
import type { RunningAzureSimulator } from '../../simulators/azureSimulator';
import { backupJobContainer } from '../../src/backup/backupJobContainer';

export interface SeedOptions {
  /** Connection string every database secret gets (the local PostgreSQL), if any. */
  databaseUrl?: string;
  /** The backup job (created when the configuration declares databases). */
  backupJob?: LocalBackupJob;
  /** Region of the simulated environments. */
  location?: string;
}

export interface LocalBackupJob {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** Harbormaster's storage account (Azurite): the runner writes blobs and its record there. */
  readonly storageConnectionString: string;
  readonly blobContainer: string;
  /** The simulator's CA, so the runner trusts the Key Vault simulator. */
  readonly caCertPath: string;
}

export interface SeededApp {
  app: string;
  image: string;
  digest: string;
  revision: string;
}

const REGISTRY_SUFFIX = '.azurecr.io';

/** A tag the app's policy accepts, for the image the app starts from. */
export function initialTagFor(app: ManagedApp): string {
  const policy = app.image.tagPolicy;
  if (policy.kind === 'exact') return policy.tag;
  if (policy.kind === 'glob') return policy.pattern.replace(/\*+/g, 'initial').replace(/\?/g, '0');
  const version = validRange(policy.range) ? minVersion(policy.range) : null;
  return version ? version.version : '0.0.1';
}

export function environmentIdFor(app: ManagedApp): string {
  return environmentIdIn(app.containerApp.subscriptionId, app.containerApp.resourceGroup);
}

/** The one simulated managed environment of a resource group. */
function environmentIdIn(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.App/managedEnvironments/${resourceGroup}-env`;
}

function registryName(loginServer: string): string {
  if (!loginServer.endsWith(REGISTRY_SUFFIX)) {
    throw new Error(`The local stack simulates Azure Container Registry only; ${loginServer} is not <name>${REGISTRY_SUFFIX}`);
  }
  return loginServer.slice(0, -REGISTRY_SUFFIX.length);
}

export async function seedLocalAzure(sim: RunningAzureSimulator, config: AppsConfig, options: SeedOptions = {}): Promise<SeededApp[]> {
  const location = options.location ?? 'eastus';
  const clients = new Map<string, ContainerAppsAPIClient>();
  const client = (subscriptionId: string): ContainerAppsAPIClient => {
    let c = clients.get(subscriptionId);
    if (!c) {
      // The SDK's retries of a reset connection (every call here is an idempotent PUT): the model
      // checker seeds each run on a simulator whose kept-alive sockets may close between runs.
      c = new ContainerAppsAPIClient(sim.credential, subscriptionId, { endpoint: sim.url, tlsOptions: sim.tlsOptions, retryOptions: { maxRetries: 3, retryDelayInMs: 100 } });
      clients.set(subscriptionId, c);
    }
    return c;
  };

  // One push per image (web and worker may share one), before any app refers to it.
  const pushed = new Map<string, { digest: string; tag: string }>();
  for (const app of config.apps) {
    const key = `${app.image.registry}/${app.image.repository}`;
    if (pushed.has(key)) continue;
    const tag = initialTagFor(app);
    const result = sim.registry.admin.push({ registry: registryName(app.image.registry), repository: app.image.repository, tag, platforms: [app.image.platform] });
    pushed.set(key, { digest: result.digest, tag });
  }

  const seeded: SeededApp[] = [];
  for (const app of config.apps) {
    const { digest } = pushed.get(`${app.image.registry}/${app.image.repository}`)!;
    const image = `${app.image.registry}/${app.image.repository}@${digest}`;
    const { resourceGroup, name, subscriptionId } = app.containerApp;
    const ingress = app.health.ingress === 'none' ? undefined : { external: app.health.ingress === 'external', targetPort: 8080, traffic: [{ latestRevision: true, weight: 100 }] };
    await client(subscriptionId).containerApps.createOrUpdate(
      resourceGroup,
      name,
      {
        location,
        environmentId: environmentIdFor(app),
        configuration: { activeRevisionsMode: app.containerApp.activeRevisionsMode ?? (app.strategy.kind === 'direct' ? 'Single' : 'Multiple'), ingress },
        template: {
          revisionSuffix: 'initial',
          containers: [{ name: app.name, image, resources: { cpu: 0.5, memory: '1Gi' } }],
          scale: { minReplicas: app.health.scaleToZero ? 0 : 1, maxReplicas: 3 },
        },
      },
      { updateIntervalInMs: 50 },
    );
    if (app.migration) {
      const secrets = options.databaseUrl ? [{ name: 'database-url', value: options.databaseUrl }] : [];
      await client(subscriptionId).jobs.createOrUpdate(
        resourceGroup,
        app.migration.jobName,
        {
          location,
          environmentId: environmentIdFor(app),
          configuration: {
            triggerType: 'Manual',
            // The job's own limit is well past Harbormaster's deadline, as an operator would set
            // it: stopping a migration that overruns is Harbormaster's job, not the platform's.
            replicaTimeout: app.migration.timeoutSeconds * 4,
            replicaRetryLimit: 0,
            manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
            secrets,
          },
          template: {
            containers: [
              {
                name: 'migrate',
                image,
                command: app.migration.command,
                env: options.databaseUrl ? [{ name: 'DATABASE_URL', secretRef: 'database-url' }] : [],
                resources: { cpu: 0.5, memory: '1Gi' },
              },
            ],
          },
        },
        { updateIntervalInMs: 50 },
      );
    }
    for (const job of smokeJobsOf(app)) {
      // As an operator would create it: the app's image, the smoke-test program the images ship.
      await client(subscriptionId).jobs.createOrUpdate(
        resourceGroup,
        job.jobName,
        {
          location,
          environmentId: environmentIdFor(app),
          configuration: { triggerType: 'Manual', replicaTimeout: job.timeoutSeconds * 4, replicaRetryLimit: 0, manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 } },
          template: { containers: [{ name: 'smoke', image, command: job.command ?? ['smoke-test'], resources: { cpu: 0.25, memory: '0.5Gi' } }] },
        },
        { updateIntervalInMs: 50 },
      );
    }
    seeded.push({ app: app.name, image, digest, revision: `${name}--initial` });
  }

  for (const database of config.databases) {
    if (options.databaseUrl) sim.keyVault.setSecret(database.connectionStringSecret, options.databaseUrl);
  }
  if (options.backupJob && config.databases.length > 0) {
    const job = options.backupJob;
    // As infra/modules/backupJob.bicep defines it, except that the storage account is reached
    // by connection string (a job secret) instead of the managed identity.
    await client(job.subscriptionId).jobs.createOrUpdate(
      job.resourceGroup,
      job.name,
      {
        location,
        environmentId: environmentIdIn(job.subscriptionId, job.resourceGroup),
        configuration: {
          triggerType: 'Manual',
          replicaTimeout: 4 * 3600,
          // A half-written backup is Failed and removed; a retry is a new backup, started by Harbormaster.
          replicaRetryLimit: 0,
          manualTriggerConfig: { parallelism: 1, replicaCompletionCount: 1 },
          secrets: [{ name: 'storage-connection-string', value: job.storageConnectionString }],
        },
        template: {
          containers: [
            backupJobContainer({ storageSecretName: 'storage-connection-string', blobContainer: job.blobContainer, keyVaultUrl: sim.url, caCertPath: job.caCertPath }),
          ],
        },
      },
      { updateIntervalInMs: 50 },
    );
  }
  for (const channel of config.notifications) {
    // Teams, Slack and generic webhooks post to the simulator's sink; PagerDuty keys are opaque.
    const value = channel.kind === 'pagerduty' ? `local-routing-key-${channel.name}` : `${sim.url}/_sim/notifications/${channel.name}`;
    sim.keyVault.setSecret(channel.urlSecret, value);
  }
  return seeded;
}

/** The jobs an app's job hooks and job checks run (one each, by name). */
function smokeJobsOf(app: ManagedApp): Array<{ jobName: string; command?: string[]; timeoutSeconds: number }> {
  const jobs = new Map<string, { jobName: string; command?: string[]; timeoutSeconds: number }>();
  for (const hook of app.hooks) if (hook.kind === 'job') jobs.set(hook.jobName, hook);
  for (const check of app.analysis?.checks ?? []) if (check.provider.kind === 'job') jobs.set(check.provider.jobName, check.provider);
  return [...jobs.values()];
}
