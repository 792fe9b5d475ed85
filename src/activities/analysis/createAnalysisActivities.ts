/**
 * The analysis activity: one measurement of one check per call, so the orchestration's history
 * holds every measurement taken and a restart never takes one again. Whatever goes wrong with
 * the provider (a timeout, a refusal, an unreadable answer) is an `error` reading with the
 * reason: counted by the verdict, never thrown into the orchestration's retries.
 */
import type { ProviderReading } from '../../domain/analysis';
import type { MeasureAnalysisInput } from '../../domain/deployment';
import type { AnalysisProviderFor } from './analysisProviders';

export interface AnalysisActivityPorts {
  providerFor: AnalysisProviderFor;
  now: () => Date;
  /** Deadline of one measurement, retries included (ms). */
  measurementTimeoutMs?: number;
}

const DEFAULT_MEASUREMENT_TIMEOUT_MS = 30_000;

export function createAnalysisActivities(ports: AnalysisActivityPorts) {
  return {
    async measureAnalysis(input: MeasureAnalysisInput): Promise<ProviderReading> {
      const provider = ports.providerFor(input.check.provider.kind);
      const timeoutInMs = measurementDeadlineMs(input, ports.measurementTimeoutMs ?? DEFAULT_MEASUREMENT_TIMEOUT_MS);
      const deadline = AbortSignal.timeout(timeoutInMs);
      try {
        const measured = provider.measure(
          {
            check: input.check,
            containerApp: input.containerApp,
            revisionName: input.revisionName,
            stableRevisionName: input.stableRevisionName,
            revisionFqdn: input.revisionFqdn,
            now: ports.now(),
            app: input.app,
            image: input.image,
            measurementId: input.measurementId,
          },
          { abortSignal: deadline, timeoutInMs },
        );
        // A provider that ignores its signal still cannot hold the activity past the deadline.
        return await Promise.race([measured, timedOut(deadline, timeoutInMs)]);
      } catch (error) {
        return { kind: 'error', reason: `${input.check.provider.kind} could not be read: ${errorName(error)}` };
      }
    },
  };
}

export type AnalysisActivities = ReturnType<typeof createAnalysisActivities>;

/** A provider whose own timeout is longer (a job run, a slow query) gets that plus a margin; the others the fixed deadline. */
function measurementDeadlineMs(input: MeasureAnalysisInput, fixedMs: number): number {
  const provider = input.check.provider;
  if (provider.kind === 'job' || provider.kind === 'log-query') return Math.max(fixedMs, (provider.timeoutSeconds + 15) * 1000);
  return fixedMs;
}

function timedOut(signal: AbortSignal, ms: number): Promise<ProviderReading> {
  return new Promise((resolve) => {
    const answer = (): void => resolve({ kind: 'error', reason: `no answer within ${ms} ms` });
    if (signal.aborted) answer();
    else signal.addEventListener('abort', answer, { once: true });
  });
}

/** The kind of error only: a message could quote a response or a URL with a key in it. */
function errorName(error: unknown): string {
  const name = (error as { name?: string })?.name;
  const code = (error as { code?: unknown })?.code;
  if (name === 'AbortError' || name === 'TimeoutError') return 'timed out';
  return `${typeof name === 'string' ? name : 'error'}${typeof code === 'string' ? ` ${code.slice(0, 40)}` : ''}`;
}
