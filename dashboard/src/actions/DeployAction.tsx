/**
 * Deploy a tag by hand, after a confirmation showing the digest the tag names now and the
 * steps this app's deployment runs (from GET …/deploy/preview).
 */
import { useState } from 'preact/hooks';
import { api, describeError, query } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';
import { describeRolloutStep } from '../deploymentSteps';
import { shortDigest } from '../format';
import type { DeployPreview } from '../types';

export function DeployAction({ app, onDone }: { app: string; onDone: (message: string) => void }) {
  const [tag, setTag] = useState('');
  const [preview, setPreview] = useState<{ answer?: DeployPreview; error?: string; loading: boolean }>({ loading: false });

  const look = (event: Event): void => {
    event.preventDefault();
    const wanted = tag.trim();
    if (!wanted) return;
    setPreview({ loading: true });
    api.get<DeployPreview>(`apps/${encodeURIComponent(app)}/deploy/preview${query({ tag: wanted })}`).then(
      (answer) => setPreview({ answer, loading: false }),
      (error: unknown) => setPreview({ error: describeError(error), loading: false }),
    );
  };
  const answer = preview.answer;
  return (
    <ConfirmAction
      label="Deploy a tag…"
      title={`Deploy a tag to ${app}`}
      confirmLabel={answer ? `Deploy ${answer.image.tag}` : 'Deploy'}
      ready={Boolean(answer) && answer?.image.tag === tag.trim()}
      onOpen={() => {
        setTag('');
        setPreview({ loading: false });
      }}
      onConfirm={async () => {
        const started = await api.post<{ decision: string; reason?: string; deploymentId?: string }>(`apps/${encodeURIComponent(app)}/deploy`, { tag: tag.trim() });
        return `${app} ${tag.trim()}: ${started.decision}${started.reason ? ` (${started.reason})` : ''}.`;
      }}
      onDone={onDone}
    >
      <div class="inline-form">
        <label class="field">
          Tag
          <input type="text" value={tag} autoComplete="off" spellcheck={false} onInput={(e) => setTag((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === 'Enter' && look(e)} />
        </label>
        <button type="button" class="button" onClick={look}>
          Show what happens
        </button>
      </div>
      <div aria-live="polite" class="preview">
        {preview.loading ? <p class="muted">Looking the tag up…</p> : null}
        {preview.error ? (
          <p class="problem" role="alert">
            {preview.error}
          </p>
        ) : null}
        {answer ? (
          <>
            <p>
              <code>
                {answer.image.repository}:{answer.image.tag}
              </code>{' '}
              is <code title={answer.image.digest}>{shortDigest(answer.image.digest)}</code>
              {answer.alreadyDeployed ? ' — already what the app runs.' : '.'}
              {answer.queuedBehind ? ` A deployment is running: this one waits behind ${answer.queuedBehind}.` : ''}
            </p>
            <p>Its deployment ({answer.strategy}, {answer.mode === 'Single' ? 'single revision' : 'multiple revisions'}):</p>
            <ol>
              {answer.steps.map((step, i) => (
                <li key={i} class={step.skipped ? 'muted' : ''}>
                  {describeRolloutStep(step)}
                  {step.skipped ? ` — skipped: ${step.skipped}` : ''}
                </li>
              ))}
            </ol>
          </>
        ) : null}
      </div>
    </ConfirmAction>
  );
}
