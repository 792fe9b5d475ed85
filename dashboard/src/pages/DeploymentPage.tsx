/**
 * One deployment: its phase and why, the rollout plan with the step running now, every step
 * with its start, duration and outcome, and the analysis measurements with the rule that
 * decided. While it runs the page reads it again every two seconds; a screen reader hears the
 * phase change.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ApprovalActions } from '../actions/ApprovalActions';
import { Badge } from '../components/Badge';
import { TableHead } from '../components/TableHead';
import { ErrorNote, Loading, Notice, Time } from '../components/Feedback';
import { describeRolloutStep, isTerminal } from '../deploymentSteps';
import { formatDuration, formatTime, shortDigest, shortRevision } from '../format';
import { href } from '../router';
import { usePoll } from '../usePoll';
import type { AnalysisRunRecord, DeploymentRecord, StepRecord } from '../types';

const LIVE_INTERVAL_MS = 2000;

export function DeploymentPage({ id }: { id: string }) {
  const [notice, setNotice] = useState<string>();
  const polled = usePoll(`deployment:${id}`, (signal) => api.get<DeploymentRecord>(`deployments/${encodeURIComponent(id)}`, signal), (record) =>
    isTerminal(record.phase) ? undefined : LIVE_INTERVAL_MS,
  );
  const record = polled.data;
  if (!record) return polled.error ? <ErrorNote error={polled.error} /> : <Loading what={`deployment ${id}`} />;
  const live = !isTerminal(record.phase);
  const failedWay = record.phase === 'rolled-back' || record.phase === 'failed' || record.phase === 'rejected';
  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href({ page: 'overview' })}>Overview</a> › <a href={href({ page: 'app', app: record.app })}>{record.app}</a> › deployment
      </nav>
      <h1>
        {record.kind === 'rollback' ? 'Rollback' : 'Deployment'} of {record.app}: {record.image.tag ?? shortDigest(record.image.digest)}
      </h1>
      <p class="phase-line" aria-live="polite">
        <Badge value={record.phase} label={`phase: ${record.phase}`} />{' '}
        {live ? <span class="live">live: read every {LIVE_INTERVAL_MS / 1000} s</span> : <span class="muted">ended <Time iso={record.updatedAt} /></span>}
      </p>
      {record.reason ? (
        <p class={failedWay ? 'reason reason-bad' : 'reason'}>
          <strong>Why:</strong> {record.reason}
        </p>
      ) : null}
      <Notice message={notice} />
      {polled.error ? <ErrorNote error={polled.error} /> : null}
      {record.phase === 'awaiting-approval' ? <ApprovalActions record={record} onDone={(message) => { setNotice(message); polled.refresh(); }} /> : null}

      <dl class="facts facts-wide">
        <dt>Image</dt>
        <dd>
          <code>
            {record.image.registry}/{record.image.repository}
            {record.image.tag ? `:${record.image.tag}` : ''}
          </code>{' '}
          <code title={record.image.digest}>{shortDigest(record.image.digest)}</code>
        </dd>
        <dt>Triggered by</dt>
        <dd>{record.source}</dd>
        <dt>Started</dt>
        <dd>
          <Time iso={record.createdAt} relative={false} />
        </dd>
        <dt>Revisions</dt>
        <dd>
          {shortRevision(record.previousRevision)} → {shortRevision(record.newRevision)}
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{record.id}</code>
        </dd>
      </dl>

      {record.rollout ? (
        <section aria-labelledby="plan-heading">
          <h2 id="plan-heading">Rollout plan</h2>
          <ol class="plan">
            {record.rollout.steps.map((step, index) => {
              const state = index < record.rollout!.index || (!live && index === record.rollout!.index && record.phase === 'succeeded') ? 'done' : index === record.rollout!.index && live ? 'current' : 'later';
              return (
                <li key={index} class={`plan-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
                  {describeRolloutStep(step)}
                  {state === 'current' ? <span class="visually-hidden"> (running now)</span> : null}
                </li>
              );
            })}
          </ol>
        </section>
      ) : null}

      <section aria-labelledby="steps-heading">
        <h2 id="steps-heading">Steps</h2>
        <StepTimeline steps={record.steps} now={polled.updatedAt ?? Date.now()} />
      </section>

      {record.analysis && record.analysis.length > 0 ? (
        <section aria-labelledby="analysis-heading">
          <h2 id="analysis-heading">Analysis</h2>
          {record.analysis.map((run) => (
            <AnalysisRun key={`${run.stepIndex}-${run.check}`} run={run} />
          ))}
        </section>
      ) : null}
    </>
  );
}

export function StepTimeline({ steps, now }: { steps: StepRecord[]; now: number }) {
  if (steps.length === 0) return <p class="muted">No step has started yet.</p>;
  return (
    <ol class="timeline" aria-label="Step timeline">
      {steps.map((step, index) => {
        const started = Date.parse(step.startedAt);
        const ended = step.endedAt ? Date.parse(step.endedAt) : undefined;
        const duration = (ended ?? now) - started;
        return (
          <li key={index} class={`timeline-step timeline-${step.outcome}`} data-step={step.step} data-outcome={step.outcome}>
            <div class="timeline-head">
              <strong>{step.step}</strong> <Badge value={step.outcome} />
            </div>
            <div class="muted">
              started <time dateTime={step.startedAt}>{formatTime(step.startedAt)}</time>
              {' · '}
              {step.outcome === 'running' ? `running for ${formatDuration(duration)}` : `took ${formatDuration(duration)}`}
            </div>
            {step.detail ? <div class="timeline-detail">{step.detail}</div> : null}
          </li>
        );
      })}
    </ol>
  );
}

export function AnalysisRun({ run }: { run: AnalysisRunRecord }) {
  return (
    <div class="analysis-run">
      <h3>
        {run.check} at {run.at} <Badge value={run.verdict} />
      </h3>
      <p>{run.reason}</p>
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Measurements of {run.check} at {run.at}</caption>
          <TableHead columns={['Taken', 'Value', 'Stable', 'Outcome', 'Window', 'Rule']} />
          <tbody>
            {run.measurements.map((m, i) => (
              <tr key={i}>
                <td>{formatTime(m.at)}</td>
                <td>{m.value ?? '—'}</td>
                <td>{m.stable ?? '—'}</td>
                <td>
                  <Badge value={m.outcome} />
                </td>
                <td>{m.window ? `${formatTime(m.window.start)} – ${formatTime(m.window.end)}` : '—'}</td>
                <td>{m.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
