/**
 * One finished deployment as telemetry: a trace (a `deployment` span from request to end, a
 * child span per step with the times the record holds) and its metrics. Emitted once, from the
 * activity that finishes the deployment, never from orchestrator code: the spans carry the
 * recorded times, so nothing here depends on when it runs, and replays emit nothing.
 */
import { SpanKind, SpanStatusCode, context, trace, type Attributes } from '@opentelemetry/api';
import { TERMINAL_PHASES, deploymentTimings, type DeploymentRecord } from '../domain/deployment';
import { getInstruments } from './instruments';

export const TRACER_NAME = 'harbormaster';

const FAILED_PHASES = new Set(['failed', 'rolled-back', 'rejected']);
const MAX_DETAIL_CHARS = 500;

/** Deployment ids reported by this instance (the newest few): a retried finish activity reports a deployment once. */
const emitted = new Set<string>();
const REMEMBERED = 1000;

/** Returns the trace id, for the log line that says where the trace is; undefined when already reported. */
export function reportFinishedDeployment(record: DeploymentRecord): string | undefined {
  if (!TERMINAL_PHASES.has(record.phase) || emitted.has(record.id)) return undefined;
  emitted.add(record.id);
  if (emitted.size > REMEMBERED) emitted.delete(emitted.values().next().value as string);
  const timings = deploymentTimings(record);
  const base: Attributes = { 'harbormaster.app': record.app, 'harbormaster.deployment.kind': record.kind };
  const outcome = { ...base, 'harbormaster.deployment.outcome': record.phase };

  const tracer = trace.getTracer(TRACER_NAME);
  const root = tracer.startSpan(
    'deployment',
    {
      kind: SpanKind.INTERNAL,
      startTime: new Date(timings.startedAt),
      attributes: {
        ...outcome,
        'harbormaster.deployment.id': record.id,
        'harbormaster.deployment.source': record.source,
        'harbormaster.image.repository': record.image.repository,
        'harbormaster.image.digest': record.image.digest,
        ...(record.image.tag ? { 'harbormaster.image.tag': record.image.tag } : {}),
        ...(record.requestedBy ? { 'harbormaster.requested_by': record.requestedBy } : {}),
        ...(record.newRevision ? { 'harbormaster.revision.new': record.newRevision } : {}),
        ...(record.previousRevision ? { 'harbormaster.revision.previous': record.previousRevision } : {}),
      },
    },
    context.active(),
  );
  const parent = trace.setSpan(context.active(), root);
  for (const step of timings.steps) {
    const span = tracer.startSpan(
      `step ${step.step}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: new Date(step.startedAt),
        attributes: { ...base, 'harbormaster.deployment.id': record.id, 'harbormaster.step': step.step, 'harbormaster.step.outcome': step.outcome, ...(step.detail ? { 'harbormaster.step.detail': step.detail.slice(0, MAX_DETAIL_CHARS) } : {}) },
      },
      parent,
    );
    if (step.outcome === 'failed') span.setStatus({ code: SpanStatusCode.ERROR, message: step.detail?.slice(0, MAX_DETAIL_CHARS) });
    span.end(new Date(step.endedAt));
  }
  if (FAILED_PHASES.has(record.phase)) root.setStatus({ code: SpanStatusCode.ERROR, message: (record.reason ?? record.phase).slice(0, MAX_DETAIL_CHARS) });
  root.end(new Date(timings.endedAt));

  const instruments = getInstruments();
  instruments.deployments.add(1, outcome);
  instruments.deploymentDuration.record(timings.seconds, outcome);
  for (const step of timings.steps) {
    instruments.stepDuration.record(step.seconds, { 'harbormaster.app': record.app, 'harbormaster.step': step.step, 'harbormaster.step.outcome': step.outcome });
  }
  if (timings.timeToRollback) {
    instruments.timeToRollback.record(timings.timeToRollback.seconds, { 'harbormaster.app': record.app, 'harbormaster.rollback.trigger': timings.timeToRollback.trigger });
  }
  return root.spanContext().traceId;
}
