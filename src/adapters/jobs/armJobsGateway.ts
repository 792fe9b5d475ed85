/** JobsPort over ARM with the real `@azure/arm-appcontainers` client. */
import type { TokenCredential } from '@azure/core-auth';
import { type ContainerAppsAPIClient, type EnvironmentVar, type JobExecution } from '@azure/arm-appcontainers';
import type { AzureClientOptions } from '../azure/clientOptions';
import { containerAppsClientCache, type ContainerAppsClientFor } from '../azure/containerAppsClients';
import { isNotFound } from '../azure/restErrors';
import { RUN_ID_ENV, type JobExecutionView, type JobRef, type JobsPort, type StartExecutionInput } from './jobsPort';

export class ArmJobsGateway implements JobsPort {
  private readonly clientFor: ContainerAppsClientFor;

  constructor(
    credential: TokenCredential,
    private readonly clientOptions: AzureClientOptions,
  ) {
    this.clientFor = containerAppsClientCache(credential, clientOptions);
  }

  async startExecution(job: JobRef, input: StartExecutionInput, options: { abortSignal?: AbortSignal } = {}): Promise<JobExecutionView> {
    const client = this.client(job);
    const existing = await this.findByRunId(job, input.runId, options.abortSignal);
    if (existing) return existing;

    const definition = await client.jobs.get(job.resourceGroup, job.name, { abortSignal: options.abortSignal });
    const container = definition.template?.containers?.[0];
    if (!container?.name) throw new Error(`Job ${job.name} has no container to run`);
    const env: EnvironmentVar[] = [
      ...(container.env ?? []).filter((e) => e.name !== RUN_ID_ENV && !(e.name && input.env && e.name in input.env)),
      ...Object.entries(input.env ?? {}).map(([name, value]) => ({ name, value })),
      { name: RUN_ID_ENV, value: input.runId },
    ];
    const started = await client.jobs.start(job.resourceGroup, job.name, {
      abortSignal: options.abortSignal,
      updateIntervalInMs: this.clientOptions.pollIntervalMs,
      template: {
        containers: [
          {
            name: container.name,
            image: input.image,
            command: input.command ?? container.command,
            args: input.args ?? (input.command ? [] : container.args),
            env,
            resources: container.resources,
          },
        ],
      },
    });
    const name = started.name ?? started.id?.split('/').pop();
    if (!name) throw new Error(`Starting job ${job.name} returned no execution name`);
    return (await this.getExecution(job, name, options)) ?? { name, status: 'Running' };
  }

  async getExecution(job: JobRef, executionName: string, options: { abortSignal?: AbortSignal } = {}): Promise<JobExecutionView | undefined> {
    try {
      const execution = await this.client(job).jobExecution(job.resourceGroup, job.name, executionName, { abortSignal: options.abortSignal });
      return toView(execution);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async stopExecution(job: JobRef, executionName: string, options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    try {
      await this.client(job).jobs.beginStopExecutionAndWait(job.resourceGroup, job.name, executionName, {
        abortSignal: options.abortSignal,
        updateIntervalInMs: this.clientOptions.pollIntervalMs,
      });
    } catch (error) {
      // Already gone: nothing left to stop.
      if (!isNotFound(error)) throw error;
    }
  }

  private async findByRunId(job: JobRef, runId: string, abortSignal?: AbortSignal): Promise<JobExecutionView | undefined> {
    for await (const execution of this.client(job).jobsExecutions.list(job.resourceGroup, job.name, { abortSignal })) {
      const env = execution.template?.containers?.flatMap((c) => c.env ?? []) ?? [];
      if (env.some((e) => e.name === RUN_ID_ENV && e.value === runId)) return toView(execution);
    }
    return undefined;
  }

  private client(job: JobRef): ContainerAppsAPIClient {
    return this.clientFor(job.subscriptionId);
  }
}

function toView(execution: JobExecution): JobExecutionView {
  return {
    name: execution.name ?? '',
    status: execution.status ?? 'Unknown',
    startTime: execution.startTime?.toISOString(),
    endTime: execution.endTime?.toISOString(),
    reason: [execution.reason, execution.message].filter(Boolean).join(': ') || undefined,
  };
}
