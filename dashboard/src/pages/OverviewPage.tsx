/**
 * Every app at a glance: what serves (tag, digest, since when), its traffic, its health, what
 * is deploying and at which step, whether automatic deploys are paused, what waits in the
 * queue; and every database's newest verified backup and freshness.
 */
import { api } from '../api';
import { Badge } from '../components/Badge';
import { TableHead } from '../components/TableHead';
import { ErrorNote, Loading, Time } from '../components/Feedback';
import { DeployingFact, ServingFacts } from '../components/AppFacts';
import { formatBytes } from '../format';
import { href } from '../router';
import { usePoll } from '../usePoll';
import type { AppStatus, DatabaseStatus, DeploymentRecord, StatusAnswer } from '../types';

interface Overview {
  status: StatusAnswer;
  /** The running and queued deployments' records, by id (for the current step and the queued tags). */
  records: Map<string, DeploymentRecord>;
}

async function loadOverview(signal: AbortSignal): Promise<Overview> {
  const status = await api.get<StatusAnswer>('status', signal);
  const ids = [...new Set(status.apps.flatMap((a) => [...(a.running ? [a.running] : []), ...a.queued]))];
  const records = await Promise.all(ids.map((id) => api.get<DeploymentRecord>(`deployments/${encodeURIComponent(id)}`, signal).catch(() => undefined)));
  return { status, records: new Map(ids.flatMap((id, i) => (records[i] ? [[id, records[i]] as const] : []))) };
}

export function OverviewPage() {
  const overview = usePoll('overview', loadOverview, (data) => (data.status.apps.some((a) => a.running) ? 2000 : 5000));
  if (!overview.data) return overview.error ? <ErrorNote error={overview.error} /> : <Loading what="the status of every app" />;
  const { status, records } = overview.data;
  return (
    <>
      <h1>Overview</h1>
      {overview.error ? <ErrorNote error={overview.error} /> : null}
      <section aria-labelledby="apps-heading">
        <h2 id="apps-heading">Apps</h2>
        <ul class="cards" aria-label="Apps">
          {status.apps.map((app) => (
            <AppCard key={app.app} app={app} records={records} />
          ))}
        </ul>
      </section>
      <section aria-labelledby="databases-heading">
        <h2 id="databases-heading">Databases</h2>
        <div class="table-wrap">
          <table>
            <TableHead columns={['Database', 'Freshness', 'Newest verified backup', 'Size', 'Schedule']} />
            <tbody>
              {status.databases.map((db) => (
                <DatabaseRow key={db.database} db={db} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function AppCard({ app, records }: { app: AppStatus; records: ReadonlyMap<string, DeploymentRecord> }) {
  return (
    <li class="card" aria-labelledby={`app-${app.app}`}>
      <div class="card-head">
        <h3 id={`app-${app.app}`}>
          <a href={href({ page: 'app', app: app.app })}>{app.app}</a>
        </h3>
        <Badge value={app.health?.verdict ?? 'not-swept'} label={`health: ${app.health?.verdict ?? 'not swept yet'}`} />
        {app.paused ? <Badge value="paused" label="automatic deploys paused" /> : null}
      </div>
      {app.error ? <p class="problem">{app.error}</p> : null}
      <dl class="facts">
        <ServingFacts app={app} />
        <DeployingFact app={app} running={app.running ? records.get(app.running) : undefined} records={records} />
        {app.paused ? (
          <>
            <dt>Paused</dt>
            <dd>
              {app.paused.reason} (<Time iso={app.paused.at} />)
            </dd>
          </>
        ) : null}
        {!app.running && app.lastDeployment ? (
          <>
            <dt>Last deployment</dt>
            <dd>
              <a href={href({ page: 'deployment', id: app.lastDeployment.id })}>
                <Badge value={app.lastDeployment.phase} />
              </a>{' '}
              <Time iso={app.lastDeployment.createdAt} />
            </dd>
          </>
        ) : null}
      </dl>
    </li>
  );
}

function DatabaseRow({ db }: { db: DatabaseStatus }) {
  const newest = db.newestVerifiedBackup ?? undefined;
  return (
    <tr>
      <th scope="row">
        <a href={href({ page: 'backups', database: db.database })}>{db.database}</a>
      </th>
      <td>{db.error ? <span class="problem">{db.error}</span> : <Badge value={db.freshness ?? 'unknown'} />}</td>
      <td>{newest ? <Time iso={newest.finishedAt ?? newest.createdAt} /> : <span class="muted">{db.reason ?? 'none yet'}</span>}</td>
      <td>{formatBytes(newest?.sizeBytes)}</td>
      <td>
        <code>{db.schedule}</code>
      </td>
    </tr>
  );
}
