/**
 * Starts and reads executions of the backup Container Apps Job through the shared JobsPort. The
 * port needs an image per execution; a backup runs the job's own image (Harbormaster's backup
 * runner), read from the job definition once.
 */
import type { TokenCredential } from '@azure/core-auth';
import { ContainerAppsAPIClient } from '@azure/arm-appcontainers';
import { sdkClientOptions, type AzureClientOptions } from '../azure/clientOptions';
import type { JobExecutionView, JobRef, JobsPort } from '../jobs/jobsPort';

export interface BackupJobLauncher {
  /** Idempotent by runId: a retried start returns the execution already started. */
  start(runId: string, env: Record<string, string>): Promise<JobExecutionView>;
  get(executionName: string): Promise<JobExecutionView | undefined>;
  /** Stops a running execution (its processes get SIGTERM, then SIGKILL); resolves once stopped. */
  stop(executionName: string): Promise<void>;
}

export class ArmBackupJobLauncher implements BackupJobLauncher {
  private image: string | undefined;
  private readonly client: ContainerAppsAPIClient;

  constructor(
    private readonly job: JobRef,
    private readonly jobs: JobsPort,
    credential: TokenCredential,
    clientOptions: AzureClientOptions,
  ) {
    this.client = new ContainerAppsAPIClient(credential, job.subscriptionId, sdkClientOptions(clientOptions));
    this.pollIntervalMs = clientOptions.pollIntervalMs;
  }

  private readonly pollIntervalMs: number | undefined;

  async start(runId: string, env: Record<string, string>): Promise<JobExecutionView> {
    const image = await this.jobImage();
    return this.jobs.startExecution(this.job, { image, env, runId }, { abortSignal: AbortSignal.timeout(60_000) });
  }

  get(executionName: string): Promise<JobExecutionView | undefined> {
    return this.jobs.getExecution(this.job, executionName, { abortSignal: AbortSignal.timeout(30_000) });
  }

  async stop(executionName: string): Promise<void> {
    await this.client.jobs.stopExecution(this.job.resourceGroup, this.job.name, executionName, {
      abortSignal: AbortSignal.timeout(120_000),
      updateIntervalInMs: this.pollIntervalMs,
    });
  }

  private async jobImage(): Promise<string> {
    if (this.image) return this.image;
    const definition = await this.client.jobs.get(this.job.resourceGroup, this.job.name, { abortSignal: AbortSignal.timeout(30_000) });
    const image = definition.template?.containers?.[0]?.image;
    if (!image) throw new Error(`Backup job ${this.job.name} has no container image`);
    this.image = image;
    return image;
  }
}
