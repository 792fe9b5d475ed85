/**
 * One app: what serves and its traffic, the actions on it, the release ledger as a timeline
 * (verdict and why, what triggered each, the migration it ran), its revisions, its health
 * history as a chart, the analysis results of its deployments, and its recent deployments.
 */
import { useMemo, useState } from 'preact/hooks';
import { api, query } from '../api';
import { DeployAction } from '../actions/DeployAction';
import { ResumeAction } from '../actions/ResumeAction';
import { RollbackAction } from '../actions/RollbackAction';
import { Badge } from '../components/Badge';
import { TableHead } from '../components/TableHead';
import { ErrorNote, Loading, Notice, Time } from '../components/Feedback';
import { TimeChart, type ChartSeries } from '../components/TimeChart';
import { DeployingFact, ServingFacts } from '../components/AppFacts';
import { formatDuration, releaseName, shortDigest, shortRevision } from '../format';
import { href } from '../router';
import { useSession } from '../session';
import { usePoll } from '../usePoll';
import { AnalysisRun } from './DeploymentPage';
import type { AppDetail, DeploymentRecord, HealthAnswer, Release, ReleasesAnswer, SweepHistoryRecord } from '../types';

interface AppData {
  app: AppDetail;
  releases: ReleasesAnswer;
  deployments: DeploymentRecord[];
  health?: HealthAnswer;
}

async function loadApp(name: string, signal: AbortSignal): Promise<AppData> {
  const path = encodeURIComponent(name);
  const [app, releases, deployments, health] = await Promise.all([
    api.get<AppDetail>(`apps/${path}`, signal),
    api.get<ReleasesAnswer>(`apps/${path}/releases`, signal),
    api.get<{ deployments: DeploymentRecord[] }>(`deployments${query({ app: name })}`, signal),
    api.get<HealthAnswer>(`apps/${path}/health${query({ limit: 200 })}`, signal).catch(() => undefined),
  ]);
  return { app, releases, deployments: deployments.deployments, health };
}

export function AppPage({ name }: { name: string }) {
  const session = useSession();
  const [notice, setNotice] = useState<string>();
  const polled = usePoll(`app:${name}`, (signal) => loadApp(name, signal), (data) => (data.app.running ? 2000 : 5000));
  const done = (message: string): void => {
    setNotice(message);
    polled.refresh();
  };
  if (!polled.data) return polled.error ? <ErrorNote error={polled.error} /> : <Loading what={name} />;
  const { app, releases, deployments, health } = polled.data;
  const running = app.running ? deployments.find((d) => d.id === app.running) : undefined;
  const byDeployment = new Map(deployments.map((d) => [d.id, d]));
  const analysed = deployments.filter((d) => d.analysis && d.analysis.length > 0).slice(0, 3);

  return (
    <>
      <nav aria-label="Breadcrumb" class="crumbs">
        <a href={href({ page: 'overview' })}>Overview</a> › {name}
      </nav>
      <h1>{name}</h1>
      <Notice message={notice} />
      {polled.error ? <ErrorNote error={polled.error} /> : null}
      <dl class="facts facts-wide">
        <ServingFacts app={app} withRevision />
        <dt>Health</dt>
        <dd>
          <Badge value={app.health?.verdict ?? 'not-swept'} /> {app.health?.checkedAt ? <span class="muted">checked <Time iso={app.health.checkedAt} /></span> : null}
        </dd>
        <dt>Automatic deploys</dt>
        <dd>
          {app.paused ? (
            <>
              <Badge value="paused" /> {app.paused.reason} (<Time iso={app.paused.at} />)
            </>
          ) : (
            'on'
          )}
        </dd>
        <DeployingFact app={app} running={running} records={byDeployment} />
      </dl>

      {session.canOperate ? (
        <div class="actions" role="group" aria-label={`Actions on ${name}`}>
          <DeployAction app={name} onDone={done} />
          <RollbackAction app={name} releases={releases.releases} servingRevision={releases.serving?.revisionName} onDone={done} />
          {app.paused ? <ResumeAction app={name} reason={app.paused.reason} onDone={done} /> : null}
        </div>
      ) : (
        <p class="muted">Your role can look but not act (Harbormaster.Reader).</p>
      )}

      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">Release ledger</h2>
        <ol class="ledger">
          {releases.releases.map((release) => (
            <LedgerEntry key={release.revisionName} release={release} serving={release.revisionName === releases.serving?.revisionName} trigger={release.deploymentId ? byDeployment.get(release.deploymentId) : undefined} />
          ))}
        </ol>
      </section>

      <section aria-labelledby="revisions-heading">
        <h2 id="revisions-heading">Revisions</h2>
        <div class="table-wrap">
          <table>
            <TableHead columns={['Revision', 'Traffic', 'Active', 'State', 'Replicas', 'Created']} />
            <tbody>
              {(app.revisions ?? []).map((r) => (
                <tr key={r.name}>
                  <th scope="row">
                    <code>{shortRevision(r.name)}</code>
                  </th>
                  <td>{r.trafficWeight} %</td>
                  <td>{r.active ? 'yes' : 'no'}</td>
                  <td>{[r.provisioningState, r.runningState, r.healthState].filter(Boolean).join(' · ') || '—'}</td>
                  <td>{r.replicas}</td>
                  <td>
                    <Time iso={r.createdTime} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="health-heading">
        <h2 id="health-heading">Health history</h2>
        {health ? <HealthChart history={health.history} /> : <p class="muted">No health sweeps recorded.</p>}
      </section>

      {analysed.length > 0 ? (
        <section aria-labelledby="analysis-heading">
          <h2 id="analysis-heading">Analysis results</h2>
          {analysed.map((d) => (
            <div key={d.id}>
              <h3>
                <a href={href({ page: 'deployment', id: d.id })}>{releaseName(d.image)}</a> <Badge value={d.phase} />
              </h3>
              {d.analysis!.map((run) => (
                <AnalysisRun key={`${run.stepIndex}-${run.check}`} run={run} />
              ))}
            </div>
          ))}
        </section>
      ) : null}

      <section aria-labelledby="deployments-heading">
        <h2 id="deployments-heading">Recent deployments</h2>
        <DeploymentTable deployments={deployments.slice(0, 20)} />
        <p>
          <a href={href({ page: 'deliveries', app: name })}>Webhook deliveries for {name}</a>
        </p>
      </section>
    </>
  );
}

function LedgerEntry({ release, serving, trigger }: { release: Release; serving: boolean; trigger?: DeploymentRecord }) {
  return (
    <li class={`ledger-entry ledger-${release.verdict}`} data-verdict={release.verdict}>
      <div class="ledger-head">
        <strong>{releaseName(release)}</strong> <code title={release.digest}>{shortDigest(release.digest)}</code> <Badge value={release.verdict} />
        {serving ? <Badge value="ok" label="serving" /> : null}
        <span class="muted">
          {' '}
          <Time iso={release.createdAt} />
        </span>
      </div>
      {release.reason ? <p class="ledger-reason">{release.reason}</p> : null}
      <dl class="facts">
        <dt>Revision</dt>
        <dd>
          <code>{shortRevision(release.revisionName)}</code>
        </dd>
        <dt>Trigger</dt>
        <dd>
          {release.deploymentId ? (
            <a href={href({ page: 'deployment', id: release.deploymentId })}>{trigger ? `${trigger.kind === 'rollback' ? 'rollback' : 'deployment'} from ${trigger.source}` : 'its deployment'}</a>
          ) : (
            'found serving (baseline)'
          )}
        </dd>
        {release.migration?.executionName ? (
          <>
            <dt>Migration</dt>
            <dd>
              <code>{release.migration.executionName}</code>
              {release.migration.backupId ? (
                <>
                  {' '}
                  after backup <a href={href({ page: 'backups', database: release.migration.database })}>{release.migration.backupId}</a>
                </>
              ) : null}
              {release.migration.down ? ` · migrated down: ${release.migration.down.outcome ?? 'started'}` : ''}
            </dd>
          </>
        ) : null}
        {release.forced ? (
          <>
            <dt>Forced</dt>
            <dd>
              {release.forced.reason} <Time iso={release.forced.at} />
              {release.forced.by ? ` by ${release.forced.by}` : ''}
            </dd>
          </>
        ) : null}
        {release.restoredFrom ? (
          <>
            <dt>Restores</dt>
            <dd>
              <code>{shortRevision(release.restoredFrom)}</code>
            </dd>
          </>
        ) : null}
      </dl>
    </li>
  );
}

export function DeploymentTable({ deployments }: { deployments: DeploymentRecord[] }) {
  if (deployments.length === 0) return <p class="muted">No deployments yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <TableHead columns={['Release', 'Kind', 'Phase', 'Source', 'Started', 'Took', 'Why']} />
        <tbody>
          {deployments.map((d) => (
            <tr key={d.id}>
              <th scope="row">
                <a href={href({ page: 'deployment', id: d.id })}>{releaseName(d.image)}</a>
              </th>
              <td>{d.kind}</td>
              <td>
                <Badge value={d.phase} />
              </td>
              <td>{d.source}</td>
              <td>
                <Time iso={d.createdAt} />
              </td>
              <td>{formatDuration(Date.parse(d.updatedAt) - Date.parse(d.createdAt))}</td>
              <td class="wrap">{d.reason ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const VERDICT_LEVEL: Readonly<Record<string, number>> = { unhealthy: 0, degraded: 1, healthy: 2 };
const LEVEL_NAME = ['unhealthy', 'degraded', 'healthy'];

function HealthChart({ history }: { history: SweepHistoryRecord[] }) {
  const { times, series, summary } = useMemo(() => {
    const ordered = [...history].sort((a, b) => a.at.localeCompare(b.at));
    const times = ordered.map((h) => Date.parse(h.at) / 1000);
    const series: ChartSeries[] = [
      { label: 'verdict', values: ordered.map((h) => VERDICT_LEVEL[h.verdict] ?? null), colorVar: '--chart-1', stepped: true, points: ordered.length < 30, format: (v) => LEVEL_NAME[Math.round(v)] ?? String(v) },
      { label: 'sweep duration', values: ordered.map((h) => h.durationMs), colorVar: '--chart-2', axis: 'right', format: (v) => `${Math.round(v)} ms`, points: ordered.length < 30 },
    ];
    const counts = ordered.reduce<Record<string, number>>((acc, h) => ({ ...acc, [h.verdict]: (acc[h.verdict] ?? 0) + 1 }), {});
    const last = ordered[ordered.length - 1];
    const summary = last
      ? `Health of the last ${ordered.length} sweeps: ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(', ')}; the newest says ${last.verdict}`
      : 'No sweeps yet';
    return { times, series, summary };
  }, [history]);
  return <TimeChart summary={summary} times={times} series={series} leftTicks={levelName} leftRange={LEVEL_RANGE} />;
}

const LEVEL_RANGE: [number, number] = [-0.2, 2.2];
function levelName(value: number): string {
  return Number.isInteger(value) ? (LEVEL_NAME[value] ?? '') : '';
}
