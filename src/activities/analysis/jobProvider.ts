/**
 * `job`: a Container Apps Job run with the new release's image as a smoke test, through the
 * JobsPort the migrations use. The value is the run's exit status: 0 when the execution
 * Succeeded, 1 otherwise; the execution and the portal page of its logs go into the record.
 *
 * One run per measurement: the run id is the measurement's, so a measurement retried after a
 * crash finds the execution it started instead of starting another. A run still going at the
 * check's `timeoutSeconds` is stopped and the measurement is an error (never a pass, never a
 * stuck rollout).
 */
import type { JobProviderSpec, ProviderReading } from '../../domain/analysis';
import { jobExecutionsLink } from '../../domain/hooks';
import type { JobExecutionView, JobsPort } from '../../adapters/jobs/jobsPort';
import type { AnalysisProvider, MeasureOptions, MeasureRequest } from './analysisProvider';

export interface JobProviderPorts {
  jobs: JobsPort;
  /** How often a running execution is looked at (ms). */
  pollIntervalMs?: number;
}

export function createJobProvider(ports: JobProviderPorts): AnalysisProvider {
  const pollMs = ports.pollIntervalMs ?? 1_000;
  return {
    async measure(request: MeasureRequest, options: MeasureOptions): Promise<ProviderReading> {
      const spec = request.check.provider as JobProviderSpec;
      const job = { subscriptionId: request.containerApp.subscriptionId, resourceGroup: request.containerApp.resourceGroup, name: spec.jobName };
      const link = jobExecutionsLink(job);
      if (!request.image) return { kind: 'error', reason: 'no image to run (the new revision is not known yet)' };
      const env: Record<string, string> = { HARBORMASTER_APP: request.app ?? '', HARBORMASTER_REVISION: request.revisionName, HARBORMASTER_PHASE: 'analysis' };
      if (request.revisionFqdn) env.HARBORMASTER_REVISION_FQDN = request.revisionFqdn;
      const signal = options.abortSignal;
      let execution: JobExecutionView = await ports.jobs.startExecution(
        job,
        { image: request.image, command: spec.command, args: spec.args, env, runId: `check-${request.measurementId ?? `${request.revisionName}-${request.check.name}-${request.now.getTime()}`}` },
        { abortSignal: signal },
      );
      const deadline = Date.now() + spec.timeoutSeconds * 1000;
      while (isRunning(execution.status)) {
        if (Date.now() >= deadline || signal?.aborted) {
          await ports.jobs.stopExecution(job, execution.name).catch(() => undefined);
          return { kind: 'error', reason: `execution ${execution.name} did not finish within ${spec.timeoutSeconds} s; stopped; logs: ${link}`, link, window: windowOf(execution) };
        }
        await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())), signal);
        execution = (await ports.jobs.getExecution(job, execution.name, { abortSignal: signal })) ?? { name: execution.name, status: 'Failed', reason: 'the execution no longer exists' };
      }
      const passed = execution.status === 'Succeeded';
      return {
        kind: 'value',
        value: passed ? 0 : 1,
        detail: `execution ${execution.name} ${execution.status}${passed ? ' (exit 0)' : execution.reason ? `: ${execution.reason}` : ''}; logs: ${link}`,
        link,
        window: windowOf(execution),
      };
    },
  };
}

function isRunning(status: string): boolean {
  return status === 'Running' || status === 'Processing' || status === 'Unknown';
}

function windowOf(execution: JobExecutionView): { start: string; end: string } | undefined {
  return execution.startTime ? { start: execution.startTime, end: execution.endTime ?? execution.startTime } : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
