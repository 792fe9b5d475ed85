/**
 * Approve or reject a deployment parked at its approval gate. The approver is whoever the API
 * authenticated; the page sends only an optional comment.
 */
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';
import { stepsAfterCurrent } from '../deploymentSteps';
import { shortDigest, shortRevision } from '../format';
import { useSession } from '../session';
import type { DeploymentRecord } from '../types';

export function ApprovalActions({ record, onDone }: { record: DeploymentRecord; onDone: (message: string) => void }) {
  const session = useSession();
  const [comment, setComment] = useState('');
  if (!session.canOperate) return <p class="muted">Waiting for an operator's approval (your role can only look).</p>;
  const release = record.image.tag ?? shortDigest(record.image.digest);
  const next = stepsAfterCurrent(record);
  const body = (): { comment?: string } => (comment.trim() ? { comment: comment.trim() } : {});
  const commentField = (
    <label class="field">
      Comment (optional, recorded with your decision)
      <textarea rows={2} maxLength={500} value={comment} onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
    </label>
  );
  return (
    <div class="actions" role="group" aria-label="Approval">
      <ConfirmAction
        label="Approve…"
        title={`Approve ${release} for ${record.app}?`}
        confirmLabel="Approve"
        onConfirm={async () => {
          await api.post(`deployments/${encodeURIComponent(record.id)}/approve`, body());
          return `Approved: ${record.app} ${release} continues.`;
        }}
        onDone={onDone}
      >
        <p>
          The deployment continues from its approval gate with revision <code>{shortRevision(record.newRevision)}</code>:
        </p>
        <ol>
          {next.map((step, i) => (
            <li key={i}>{step}</li>
          ))}
        </ol>
        <p>Health checks keep running; a failure still rolls back.</p>
        {commentField}
      </ConfirmAction>
      <ConfirmAction
        label="Reject…"
        tone="danger"
        title={`Reject ${release} for ${record.app}?`}
        confirmLabel="Reject"
        onConfirm={async () => {
          await api.post(`deployments/${encodeURIComponent(record.id)}/reject`, body());
          return `Rejected: ${record.app} goes back to ${shortRevision(record.previousRevision)}.`;
        }}
        onDone={onDone}
      >
        <p>
          Traffic stays on (or goes back to) <code>{shortRevision(record.previousRevision)}</code>; {release} is marked rolled-back in the release ledger and
          the deployment ends rejected.
        </p>
        {commentField}
      </ConfirmAction>
    </div>
  );
}
