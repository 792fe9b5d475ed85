/** Take a backup of a database now (or join the one already running). */
import { api } from '../api';
import { ConfirmAction } from '../components/ConfirmAction';

export function BackupNowAction({ database, onDone }: { database: string; onDone: (message: string) => void }) {
  return (
    <ConfirmAction
      label="Back up now…"
      title={`Back up ${database} now?`}
      confirmLabel="Back up now"
      onConfirm={async () => {
        const started = await api.post<{ backupId: string; joined: boolean }>(`backups/${encodeURIComponent(database)}`);
        return started.joined ? `A backup of ${database} was already running: ${started.backupId}.` : `Backup ${started.backupId} of ${database} started.`;
      }}
      onDone={onDone}
    >
      <p>
        The backup job runs <code>pg_dump</code> of {database} into Blob Storage, then verifies the archive (<code>pg_restore --list</code> and its checksum). If a
        backup of {database} is already running, this joins it instead of starting a second one. The database stays online.
      </p>
    </ConfirmAction>
  );
}
