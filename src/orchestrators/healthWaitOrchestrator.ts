/**
 * Waits for a revision to prove healthy (or not): read the platform and the endpoint in an
 * activity, judge with the pure rules of src/domain/health, sleep on a durable timer,
 * repeat. After a bounded number of checks it continues as new with its counters, so the
 * history stays small however long provisioning takes.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import * as df from 'durable-functions';
import { ActivityNames as A, type HealthWaitInput, type HealthWaitResult, type RevisionObservation } from '../domain/deployment';
import { judgeHealthWait, startHealthWait, type HealthWaitState } from '../domain/health/judgeHealthWait';
import { judgePlatform } from '../domain/health/judgePlatform';
import { parseHealthResponse } from '../domain/health/parseHealthResponse';

const CHECKS_PER_GENERATION = 30;

export const healthWaitOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, HealthWaitResult | undefined, unknown> {
  const input = context.df.getInput() as HealthWaitInput;
  const { spec, revisionName, fqdn } = input;
  const retry = new df.RetryOptions(1_000, 3);
  retry.backoffCoefficient = 2;
  const policy = {
    successThreshold: input.successThreshold ?? spec.health.successThreshold,
    failureThreshold: spec.health.failureThreshold,
    deadlineSeconds: spec.health.deadlineSeconds,
    degradedIsHealthy: spec.health.degradedIsHealthy,
    ingress: spec.health.ingress,
    scaleToZero: spec.health.scaleToZero,
  };
  let state: HealthWaitState = input.carried ? { ...input.carried } : startHealthWait(context.df.currentUtcDateTime);

  for (let check = 0; check < CHECKS_PER_GENERATION; check++) {
    const observation = (yield context.df.callActivityWithRetry(A.probeRevision, retry, {
      containerApp: spec.containerApp,
      revisionName,
      fqdn,
      health: spec.health,
    })) as RevisionObservation;
    const platform = observation.platform.exists
      ? judgePlatform(observation.platform, { scaleToZero: spec.health.scaleToZero })
      : { outcome: 'unhealthy' as const, terminal: true, reason: `revision ${revisionName} does not exist` };
    const endpoint = observation.endpoint
      ? parseHealthResponse(
          { status: observation.endpoint.status, body: observation.endpoint.body, error: observation.endpoint.error, latencyMs: observation.endpoint.latencyMs },
          { degradedIsHealthy: spec.health.degradedIsHealthy },
        )
      : undefined;
    const judgement = judgeHealthWait(state, { platform, endpoint }, policy, context.df.currentUtcDateTime);
    state = judgement.nextState;
    // The parent is the deployment's orchestration, whose instance id is the deployment id.
    if (!context.df.isReplaying) context.log(JSON.stringify({ msg: 'health-wait', deploymentId: context.df.parentInstanceId, revisionName, verdict: judgement.verdict, reason: judgement.reason }));
    if (judgement.verdict === 'passed') return { verdict: 'passed', reason: judgement.reason };
    if (judgement.verdict === 'failed' || judgement.verdict === 'unknown') {
      return { verdict: 'failed', reason: judgement.verdict === 'unknown' ? `unknown: ${judgement.reason}` : judgement.reason };
    }
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + spec.health.intervalSeconds * 1000));
  }

  context.df.continueAsNew({
    ...input,
    carried: { startedAt: state.startedAt, consecutiveSuccesses: state.consecutiveSuccesses, consecutiveFailures: state.consecutiveFailures },
  } satisfies HealthWaitInput);
  return undefined;
};
