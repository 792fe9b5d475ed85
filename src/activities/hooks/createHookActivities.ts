/**
 * The hook activities. An HTTP hook is one activity call (its tries inside, bounded by its
 * timeout and retries); a job hook starts one execution here and the orchestration watches it
 * with durable timers, as it watches a migration.
 */
import type { Dispatcher } from 'undici';
import type { JobsPort } from '../../adapters/jobs/jobsPort';
import { hookEnvironment, jobExecutionsLink, type HookOutcome } from '../../domain/hooks';
import type { CallHookInput, StartHookJobInput, StartHookJobResult } from '../../domain/deployment';
import { createHttpHookCaller } from './httpHook';

export interface HookActivityPorts {
  jobs: JobsPort;
  http: Dispatcher;
  readSecret: (name: string) => Promise<string>;
  now: () => Date;
}

export function createHookActivities(ports: HookActivityPorts) {
  const callHttpHook = createHttpHookCaller(ports);
  return {
    async callHook(input: CallHookInput): Promise<HookOutcome> {
      return callHttpHook(input.hook, input.event);
    },

    async startHookJob(input: StartHookJobInput): Promise<StartHookJobResult> {
      const job = { subscriptionId: input.containerApp.subscriptionId, resourceGroup: input.containerApp.resourceGroup, name: input.hook.jobName };
      const link = jobExecutionsLink(job);
      const { event } = input;
      try {
        // One execution per deployment, phase and hook: a retried start finds the one it began.
        const execution = await ports.jobs.startExecution(job, {
          image: input.image,
          command: input.hook.command,
          args: input.hook.args,
          env: hookEnvironment(event),
          runId: `hook-${event.deploymentId}-${event.phase}-${event.hook}`,
        });
        return { ok: true, executionName: execution.name, link };
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        // A job that does not exist (or refuses the start) will not start on a retry.
        if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
          return { ok: false, reason: `job ${input.hook.jobName} could not be started (HTTP ${status})` };
        }
        throw error;
      }
    },
  };
}

export type HookActivities = ReturnType<typeof createHookActivities>;
