/**
 * Roll an app back, after a confirmation that names the target and says what stays behind:
 * the API's preview of the same request (GET …/rollback/preview) decides the target the way
 * the rollback will, and says which migrations stay applied (or run down) on the way.
 */
import { useRef, useState } from 'preact/hooks';
import { api, describeError, query } from '../api';
import { Badge } from '../components/Badge';
import { ConfirmAction } from '../components/ConfirmAction';
import { releaseName, shortDigest, shortRevision } from '../format';
import type { Release, RollbackPreview } from '../types';

const DEFAULT_TARGET = '';

export function RollbackAction({ app, releases, servingRevision, onDone }: { app: string; releases: Release[]; servingRevision?: string; onDone: (message: string) => void }) {
  const [target, setTarget] = useState(DEFAULT_TARGET);
  const [force, setForce] = useState(false);
  const [reason, setReason] = useState('');
  const [preview, setPreview] = useState<{ answer?: RollbackPreview; error?: string; loading: boolean }>({ loading: false });

  // Only the newest question's answer is shown: choosing a target and then ticking force asks
  // twice, and the first answer may arrive last.
  const asked = useRef(0);
  const load = (revision: string, forced: boolean): void => {
    const question = ++asked.current;
    setPreview({ loading: true });
    api.get<RollbackPreview>(`apps/${encodeURIComponent(app)}/rollback/preview${query({ revision: revision || undefined, force: forced || undefined })}`).then(
      (answer) => question === asked.current && setPreview({ answer, loading: false }),
      (error: unknown) => question === asked.current && setPreview({ error: describeError(error), loading: false }),
    );
  };
  const choose = (revision: string): void => {
    setTarget(revision);
    load(revision, force);
  };
  const toggleForce = (forced: boolean): void => {
    setForce(forced);
    load(target, forced);
  };

  const candidates = releases.filter((r) => r.revisionName !== servingRevision);
  const answer = preview.answer;
  const ready = Boolean(answer) && !preview.loading && (!force || reason.trim().length > 0);

  return (
    <ConfirmAction
      label="Roll back…"
      tone="danger"
      title={`Roll back ${app}`}
      confirmLabel={answer?.action === 'abort' ? 'Abort and roll back' : answer ? `Roll back to ${releaseName(answer.to)}` : 'Roll back'}
      ready={ready}
      onOpen={() => {
        setTarget(DEFAULT_TARGET);
        setForce(false);
        setReason('');
        load(DEFAULT_TARGET, false);
      }}
      onConfirm={async () => {
        const body = { ...(target ? { revision: target } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}), ...(force ? { force: true } : {}) };
        const started = await api.post<{ deploymentId?: string; aborted?: string; to?: string }>(`apps/${encodeURIComponent(app)}/rollback`, body);
        return started.aborted ? `Aborting deployment ${started.aborted}; automatic deploys of ${app} are paused.` : `Rolling ${app} back to ${shortRevision(started.to)}; automatic deploys are paused.`;
      }}
      onDone={onDone}
    >
      <label class="field">
        Roll back to
        <select value={target} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
          <option value={DEFAULT_TARGET}>the newest verified or baseline release (default)</option>
          {candidates.map((r) => (
            <option key={r.revisionName} value={r.revisionName}>
              {releaseName(r)} · {shortRevision(r.revisionName)} · {r.verdict}
            </option>
          ))}
        </select>
      </label>
      <div aria-live="polite" class="preview">
        {preview.loading ? <p class="muted">Asking what this rollback would do…</p> : null}
        {preview.error ? (
          <p class="problem" role="alert">
            {preview.error}
          </p>
        ) : null}
        {answer?.action === 'abort' ? (
          <p>
            A deployment of {answer.group ? `group ${answer.group}, ` : ''}
            {answer.running.tag ?? shortDigest(answer.running.digest)} is running ({answer.running.phase}): rolling back <strong>aborts it</strong>, and its own
            compensation restores what served before it. Automatic deploys of {answer.group ?? app} pause until resumed.
          </p>
        ) : null}
        {answer?.action === 'rollback' ? <RollbackPlan preview={answer} /> : null}
      </div>
      <label class="check">
        <input type="checkbox" checked={force} onChange={(e) => toggleForce((e.target as HTMLInputElement).checked)} /> Force: route traffic to a release that failed or was rolled back
      </label>
      <label class="field">
        Reason {force ? '(required with force)' : '(optional)'}
        <textarea rows={2} maxLength={500} required={force} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      </label>
    </ConfirmAction>
  );
}

function RollbackPlan({ preview }: { preview: Extract<RollbackPreview, { action: 'rollback' }> }) {
  const migrations = preview.migrationsCrossed;
  return (
    <>
      {preview.group && preview.members ? (
        <div class="warning" role="note">
          <strong>{preview.app} releases with group {preview.group}: the whole group rolls back.</strong>
          <ul>
            {preview.members.map((m) => (
              <li key={m.app}>
                {m.app}: {releaseName(m.from)} → {releaseName(m.to)} <Badge value={m.to.verdict} />
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <p class="rollback-target">
        Traffic moves from <strong>{releaseName(preview.from)}</strong> (<code>{shortRevision(preview.from?.revisionName)}</code>) to{' '}
        <strong>{releaseName(preview.to)}</strong> (<code>{shortRevision(preview.to.revisionName)}</code>) <Badge value={preview.to.verdict} />.
      </p>
      <p>
        {preview.mode === 'Single'
          ? `${releaseName(preview.to)}'s image is re-applied as a new revision and health-checked.`
          : preview.reactivate
            ? 'The target revision is activated again and health-checked before any traffic moves.'
            : 'The target revision is health-checked before any traffic moves.'}{' '}
        Automatic deploys of {preview.app} pause until resumed.
      </p>
      {preview.forced ? <p class="warning">This target is {preview.to.verdict}: traffic goes there only because you force it, with your reason recorded.</p> : null}
      {migrations.length > 0 ? (
        <div class="warning" role="note">
          <strong>{preview.migrationPolicy === 'down' ? 'Migrations run down:' : 'Migrations stay applied:'}</strong>
          <ul>
            {migrations.map((m) => (
              <li key={m.revisionName}>
                {m.tag ?? shortDigest(m.digest)}'s migration <code>{m.execution}</code>{' '}
                {preview.migrationPolicy === 'down'
                  ? `runs its down migration with ${m.tag ?? 'its'} image after traffic has moved back.`
                  : `stays applied: ${releaseName(preview.to)} runs on the newer schema.`}
                {m.backupId ? ` Its pre-migration backup: ${m.backupId}.` : ''}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
