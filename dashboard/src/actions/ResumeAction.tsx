/** Resume automatic deploys of a paused app. */
import { api } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';

export function ResumeAction({ app, reason, onDone }: { app: string; reason: string; onDone: (message: string) => void }) {
  return (
    <ConfirmAction
      label="Resume automatic deploys…"
      title={`Resume automatic deploys of ${app}?`}
      confirmLabel="Resume"
      onConfirm={async () => {
        await api.post(`apps/${encodeURIComponent(app)}/resume`);
        return `Automatic deploys of ${app} are on again.`;
      }}
      onDone={onDone}
    >
      <p>
        {app} is paused ({reason}). From now on, registry pushes matching its tag policy deploy again, and the reconcile timer catches pushes whose webhook was
        lost. Nothing deploys at once.
      </p>
    </ConfirmAction>
  );
}
