/**
 * A per-try timeout for Azure SDK clients. Each try (the retry policy's own retries get their own)
 * that has no answer within `timeoutInMs` fails with a RestError whose code is `ETIMEDOUT`, so the
 * SDK's exponential strategy retries it (a network timeout), unlike a bare AbortError, which it
 * treats as a deliberate cancellation. A caller's own `abortSignal` still
 * cancels: its abort is passed through as it is.
 */
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';

export const REQUEST_TIMEOUT_POLICY_NAME = 'harbormasterRequestTimeout';

export function requestTimeoutPolicy(timeoutInMs: number): PipelinePolicy {
  return {
    name: REQUEST_TIMEOUT_POLICY_NAME,
    async sendRequest(request, next) {
      const timeout = request.timeout > 0 ? request.timeout : timeoutInMs;
      request.timeout = timeout;
      try {
        return await next(request);
      } catch (error) {
        const cancelledByCaller = request.abortSignal?.aborted === true;
        if (!cancelledByCaller && (error as { name?: unknown }).name === 'AbortError') {
          throw new RestError(`no answer within ${timeout} ms`, { code: 'ETIMEDOUT' });
        }
        throw error;
      }
    },
  };
}
