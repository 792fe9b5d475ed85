/** What the overview's cards and the app page both say about an app: what serves, and what deploys. */
import { currentStepOf } from '../deploymentSteps';
import { releaseName, shortDigest, shortRevision, tagOfImage } from '../format';
import { href } from '../router';
import type { AppStatus, DeploymentRecord } from '../types';
import { Badge } from './Badge';
import { Time } from './Feedback';
import { TrafficBar } from './TrafficBar';

/** "Serving" (tag, short digest, verdict, since when) and "Traffic", as dt/dd pairs. */
export function ServingFacts({ app, withRevision = false }: { app: AppStatus; withRevision?: boolean }) {
  const release = app.servingRelease;
  return (
    <>
      <dt>Serving</dt>
      <dd>
        <strong>{release?.tag ?? app.deployedTag ?? tagOfImage(app.image) ?? '—'}</strong> <code title={app.servingDigest}>{shortDigest(app.servingDigest)}</code>
        {withRevision ? (
          <>
            {' '}
            on <code>{shortRevision(app.servingRevision)}</code>
          </>
        ) : null}
        {release ? (
          <>
            {' '}
            <Badge value={release.verdict} /> since <Time iso={release.createdAt} />
          </>
        ) : null}
      </dd>
      <dt>Traffic</dt>
      <dd>
        <TrafficBar traffic={app.traffic} serving={app.servingRevision} />
      </dd>
    </>
  );
}

/**
 * "Deploying": the running deployment, its phase and current step, and what waits behind it:
 * each queued deployment by its release's tag (or short digest), linked to its page. `records`
 * holds the deployment records the caller has read, by id; a queued one it has not read shows
 * as "a queued deployment".
 */
export function DeployingFact({ app, running, records }: { app: AppStatus; running?: DeploymentRecord; records?: ReadonlyMap<string, DeploymentRecord> }) {
  const step = running ? currentStepOf(running) : undefined;
  return (
    <>
      <dt>Deploying</dt>
      <dd>
        {app.running ? (
          <a href={href({ page: 'deployment', id: app.running })}>
            {releaseName(running?.image)} <Badge value={running?.phase ?? 'running'} />
            {step ? <span class="muted"> {step}</span> : null}
          </a>
        ) : (
          <span class="muted">nothing</span>
        )}
        {app.queued.length > 0 ? (
          <span class="queued">
            {' '}
            · queued:{' '}
            {app.queued.map((id, i) => (
              <span key={id}>
                {i > 0 ? ', ' : null}
                <a href={href({ page: 'deployment', id })}>{records?.get(id) ? releaseName(records.get(id)?.image) : 'a queued deployment'}</a>
              </span>
            ))}
          </span>
        ) : null}
      </dd>
    </>
  );
}
