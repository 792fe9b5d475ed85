/**
 * Backups per database: freshness, every backup with its state, size, checksum, verification
 * and drill, a size and duration chart, the retention dry run, and the restore command to copy.
 */
import { Fragment } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api';
import { BackupNowAction } from '../actions/BackupNowAction';
import { Badge } from '../components/Badge';
import { TableHead } from '../components/TableHead';
import { CopyCommand, ErrorNote, Loading, Notice, Time } from '../components/Feedback';
import { TimeChart, type ChartSeries } from '../components/TimeChart';
import { formatBytes, formatDuration } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import { usePoll } from '../usePoll';
import type { BackupDetail, BackupView, DatabaseStatus, RetentionAnswer, StatusAnswer } from '../types';

interface BackupsData {
  databases: DatabaseStatus[];
  backups: BackupView[];
  retention?: RetentionAnswer;
}

async function loadBackups(database: string | undefined, signal: AbortSignal): Promise<BackupsData> {
  const status = await api.get<StatusAnswer>('status', signal);
  const chosen = database ?? status.databases[0]?.database;
  if (!chosen) return { databases: status.databases, backups: [] };
  const [backups, retention] = await Promise.all([
    api.get<{ backups: BackupView[] }>(`backups${query({ database: chosen })}`, signal),
    api.get<RetentionAnswer>(`backups/${encodeURIComponent(chosen)}/retention`, signal).catch(() => undefined),
  ]);
  return { databases: status.databases, backups: backups.backups, retention };
}

export function BackupsPage({ database }: { database?: string }) {
  const session = useSession();
  const [notice, setNotice] = useState<string>();
  const polled = usePoll(`backups:${database ?? ''}`, (signal) => loadBackups(database, signal), (data) => (data.backups.some((b) => b.state !== 'Complete' && b.state !== 'Failed') ? 2000 : 10000));
  if (!polled.data) return polled.error ? <ErrorNote error={polled.error} /> : <Loading what="backups" />;
  const { databases, backups, retention } = polled.data;
  const chosen = database ?? databases[0]?.database;
  const status = databases.find((d) => d.database === chosen);
  return (
    <>
      <h1>Backups</h1>
      <nav aria-label="Databases" class="tabs">
        {databases.map((d) => (
          <a key={d.database} href={href({ page: 'backups', database: d.database })} aria-current={d.database === chosen ? 'page' : undefined}>
            {d.database}
          </a>
        ))}
      </nav>
      {polled.error ? <ErrorNote error={polled.error} /> : null}
      <Notice message={notice} />
      {chosen && status ? (
        <>
          <h2>{chosen}</h2>
          <p>
            <Badge value={status.freshness ?? 'unknown'} /> {status.reason ?? ''} Schedule <code>{status.schedule}</code>.
          </p>
          {session.canOperate ? (
            <div class="actions">
              <BackupNowAction
                database={chosen}
                onDone={(message) => {
                  setNotice(message);
                  polled.refresh();
                }}
              />
            </div>
          ) : null}
          <BackupChart backups={backups} />
          <BackupTable backups={backups} />
          <section aria-labelledby="restore-heading">
            <h2 id="restore-heading">Restore</h2>
            <p>
              Restores a backup into a database you name. The target's connection string goes in the variable <code>RESTORE_TARGET</code>, never on the command
              line (see the README for the storage and vault settings the command needs).
            </p>
            {backups.find((b) => b.state === 'Complete') ? (
              <CopyCommand label="Restore command" command={`npm run restore -- ${chosen} ${backups.find((b) => b.state === 'Complete')!.backupId} --target-env RESTORE_TARGET`} />
            ) : (
              <p class="muted">No complete backup to restore yet.</p>
            )}
          </section>
          {retention ? <RetentionView retention={retention} /> : null}
        </>
      ) : (
        <p class="muted">No databases are configured.</p>
      )}
    </>
  );
}

function BackupChart({ backups }: { backups: BackupView[] }) {
  const { times, series, summary } = useMemo(() => {
    const done = backups.filter((b) => b.state === 'Complete' && b.sizeBytes !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const times = done.map((b) => Date.parse(b.createdAt) / 1000);
    const durationOf = (b: BackupView): number | null => (b.finishedAt ? Date.parse(b.finishedAt) - Date.parse(b.createdAt) : null);
    const series: ChartSeries[] = [
      { label: 'size', values: done.map((b) => b.sizeBytes ?? null), colorVar: '--chart-1', format: formatBytes, points: true },
      { label: 'duration', values: done.map(durationOf), colorVar: '--chart-2', axis: 'right', format: formatDuration, points: true },
    ];
    const last = done[done.length - 1];
    const summary = last ? `Size and duration of ${done.length} complete backups; the newest is ${formatBytes(last.sizeBytes)} and took ${formatDuration(durationOf(last) ?? NaN)}` : 'No complete backups';
    return { times, series, summary };
  }, [backups]);
  return <TimeChart summary={summary} times={times} series={series} />;
}

function BackupTable({ backups }: { backups: BackupView[] }) {
  const [open, setOpen] = useState<{ id: string; detail?: BackupDetail; error?: unknown }>();
  const show = (id: string): void => {
    if (open?.id === id) return setOpen(undefined);
    setOpen({ id });
    api.get<BackupDetail>(`backups/${encodeURIComponent(id)}`).then(
      (detail) => setOpen({ id, detail }),
      (error: unknown) => setOpen({ id, error }),
    );
  };
  if (backups.length === 0) return <p class="muted">No backups yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Backups, newest first</caption>
        <TableHead columns={['Backup', 'State', 'Trigger', 'Taken', 'Took', 'Size', 'SHA-256', 'Drill']} />
        <tbody>
          {backups.map((b) => (
            <Fragment key={b.backupId}>
              <tr>
                <th scope="row">
                  <button type="button" class="link" aria-expanded={open?.id === b.backupId} onClick={() => show(b.backupId)}>
                    {b.backupId}
                  </button>
                </th>
                <td>
                  <Badge value={b.state} />
                  {b.reason ? <div class="wrap">{b.reason}</div> : null}
                </td>
                <td>{b.deploymentId ? <a href={href({ page: 'deployment', id: b.deploymentId })}>{b.trigger}</a> : b.trigger}</td>
                <td>
                  <Time iso={b.createdAt} />
                </td>
                <td>{b.finishedAt ? formatDuration(Date.parse(b.finishedAt) - Date.parse(b.createdAt)) : '—'}</td>
                <td>{formatBytes(b.sizeBytes)}</td>
                <td>
                  <code title={b.sha256}>{b.sha256 ? b.sha256.slice(0, 12) : '—'}</code>
                </td>
                <td>{b.drillState ? <Badge value={b.drillState} /> : <span class="muted">none</span>}</td>
              </tr>
              {open?.id === b.backupId ? (
                <tr>
                  <td colSpan={8}>{open.error ? <ErrorNote error={open.error} /> : open.detail ? <BackupDetailView detail={open.detail} /> : <Loading what="the backup's record" />}</td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BackupDetailView({ detail }: { detail: BackupDetail }) {
  return (
    <dl class="facts facts-wide">
      <dt>Versions</dt>
      <dd>
        server {detail.serverVersion ?? '—'}, pg_dump {detail.pgDumpVersion ?? '—'}
      </dd>
      <dt>Verified</dt>
      <dd>{detail.state === 'Complete' ? `pg_restore --list read it back; dump ${formatDuration(detail.dumpMs ?? NaN)}, verify ${formatDuration(detail.verifyMs ?? NaN)}` : 'no'}</dd>
      <dt>Job execution</dt>
      <dd>
        <code>{detail.executionName ?? '—'}</code>
      </dd>
      {detail.tableRowCounts ? (
        <>
          <dt>Rows</dt>
          <dd>
            {Object.entries(detail.tableRowCounts)
              .map(([table, rows]) => `${table}: ${rows}`)
              .join(', ') || 'no tables'}
          </dd>
        </>
      ) : null}
      {detail.stderr ? (
        <>
          <dt>pg_dump said</dt>
          <dd>
            <pre>{detail.stderr}</pre>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function RetentionView({ retention }: { retention: RetentionAnswer }) {
  return (
    <section aria-labelledby="retention-heading">
      <h2 id="retention-heading">Retention (dry run)</h2>
      <p>What the hourly retention would do now: {retention.remove.length} to delete, {retention.keep.length} kept.</p>
      <ul class="retention">
        {[...retention.remove, ...retention.keep].map((d) => (
          <li key={d.backupId}>
            <Badge value={d.keep ? 'ok' : 'failed'} label={d.keep ? 'keep' : 'delete'} /> {d.explanation}
          </li>
        ))}
      </ul>
    </section>
  );
}
