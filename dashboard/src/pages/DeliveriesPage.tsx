/** The webhook log: every delivery, what it matched, the decision and why; newest first, paged. */
import { useState } from 'preact/hooks';
import { api, describeError, query } from '../api';
import { Badge } from '../components/Badge';
import { TableHead } from '../components/TableHead';
import { ErrorNote, Loading, Time } from '../components/Feedback';
import { shortDigest } from '../format';
import { href } from '../router';
import { usePoll } from '../usePoll';
import type { DeliveryRecord, StatusAnswer } from '../types';

interface Page {
  events: DeliveryRecord[];
  continuationToken?: string;
}

export function DeliveriesPage({ app }: { app?: string }) {
  const apps = usePoll('deliveries:apps', (signal) => api.get<StatusAnswer>('status', signal).then((s) => s.apps.map((a) => a.app)), 60_000);
  const first = usePoll(`deliveries:${app ?? ''}`, (signal) => api.get<Page>(`events${query({ app, limit: 50 })}`, signal), 5000);
  const [more, setMore] = useState<{ key: string; events: DeliveryRecord[]; token?: string; error?: string }>();
  const key = app ?? '';
  const older = more?.key === key ? more : undefined;
  const token = older ? older.token : first.data?.continuationToken;

  const loadMore = (): void => {
    if (!token) return;
    api.get<Page>(`events${query({ app, limit: 50, continuationToken: token })}`).then(
      (page) => setMore({ key, events: [...(older?.events ?? []), ...page.events], token: page.continuationToken }),
      (error: unknown) => setMore({ key, events: older?.events ?? [], token, error: describeError(error) }),
    );
  };

  return (
    <>
      <h1>Webhook deliveries</h1>
      <label class="field field-inline">
        App
        <select value={app ?? ''} onChange={(e) => (location.hash = href({ page: 'deliveries', app: (e.target as HTMLSelectElement).value || undefined }))}>
          <option value="">every app</option>
          {(apps.data ?? []).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      {first.error ? <ErrorNote error={first.error} /> : null}
      {!first.data ? (
        first.error ? null : <Loading what="deliveries" />
      ) : (
        <>
          <DeliveryTable events={[...first.data.events, ...(older?.events ?? [])]} />
          {older?.error ? <p class="problem">{older.error}</p> : null}
          {token ? (
            <button type="button" class="button" onClick={loadMore}>
              Older deliveries
            </button>
          ) : null}
        </>
      )}
    </>
  );
}

function DeliveryTable({ events }: { events: DeliveryRecord[] }) {
  if (events.length === 0) return <p class="muted">No deliveries recorded.</p>;
  return (
    <div class="table-wrap">
      <table>
        <TableHead columns={['Received', 'Source', 'Image', 'App', 'Decision', 'Why']} />
        <tbody>
          {events.map((e) => (
            <tr key={`${e.id}-${e.app ?? ''}`}>
              <td>
                <Time iso={e.receivedAt} />
              </td>
              <td>{e.source}</td>
              <td>
                <code>
                  {e.repository ?? '—'}
                  {e.tag ? `:${e.tag}` : ''}
                </code>{' '}
                <code title={e.digest}>{e.digest ? shortDigest(e.digest) : ''}</code>
              </td>
              <td>{e.app ? <a href={href({ page: 'app', app: e.app })}>{e.app}</a> : <span class="muted">none</span>}</td>
              <td>{e.deploymentId ? <a href={href({ page: 'deployment', id: e.deploymentId })}><Badge value={e.decision} /></a> : <Badge value={e.decision} />}</td>
              <td class="wrap">{e.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
