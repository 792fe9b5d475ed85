/**
 * The dashboard's shell: who is signed in, the navigation, and the page the address names.
 * Rendered into index.html by `npm run build` (dashboard/build.mjs).
 */
import './styles.css';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { apiUrl, hasFunctionKey, onUnauthorized } from './api';
import { AppPage } from './pages/AppPage';
import { BackupsPage } from './pages/BackupsPage';
import { DeliveriesPage } from './pages/DeliveriesPage';
import { DeploymentPage } from './pages/DeploymentPage';
import { OverviewPage } from './pages/OverviewPage';
import { SignInPage } from './pages/SignInPage';
import { href, useRoute, type Route } from './router';
import { loadSession, OPERATOR_ROLE, READER_ROLE, SessionContext, type Session, type SessionState } from './session';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'app':
      return <AppPage key={route.app} name={route.app} />;
    case 'deployment':
      return <DeploymentPage key={route.id} id={route.id} />;
    case 'backups':
      return <BackupsPage database={route.database} />;
    case 'deliveries':
      return <DeliveriesPage app={route.app} />;
    case 'not-found':
      return (
        <>
          <h1>Not found</h1>
          <p>
            Nothing lives at <code>#/{route.path}</code>. <a href={href({ page: 'overview' })}>Back to the overview</a>.
          </p>
        </>
      );
  }
}

const TITLES: Record<Route['page'], string> = { overview: 'Overview', app: 'App', deployment: 'Deployment', backups: 'Backups', deliveries: 'Deliveries', 'not-found': 'Not found' };

function titleOf(route: Route): string {
  const detail = route.page === 'app' ? route.app : route.page === 'deployment' ? route.id : route.page === 'backups' ? route.database : undefined;
  return `${TITLES[route.page]}${detail ? `: ${detail}` : ''} · Harbormaster`;
}

/** "ada@contoso.com · operator", "function key", or nothing when the API says nothing of the caller. */
function whoIs(session: Session): string {
  const role = session.roles.includes(OPERATOR_ROLE) ? 'operator' : session.roles.includes(READER_ROLE) ? 'reader' : undefined;
  const name = session.name ?? (hasFunctionKey() ? 'function key' : undefined);
  return [name, role].filter(Boolean).join(' · ');
}

function Shell() {
  const route = useRoute();
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const retry = (): void => {
    setState({ kind: 'loading' });
    void loadSession().then(setState);
  };
  useEffect(() => {
    void loadSession().then(setState);
    return onUnauthorized(() => setState({ kind: 'sign-in' }));
  }, []);
  const navigated = useRef(false);
  useEffect(() => {
    document.title = titleOf(route);
    // After a navigation (not the first load), focus goes to the page, as a page load would put it at the top.
    if (navigated.current) document.getElementById('main')?.focus();
    navigated.current = true;
  }, [route]);

  const section = route.page === 'app' || route.page === 'deployment' ? 'overview' : route.page;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to the page
      </a>
      <header class="top">
        <a class="brand" href={href({ page: 'overview' })}>
          Harbormaster
        </a>
        <nav aria-label="Sections">
          <a href={href({ page: 'overview' })} aria-current={section === 'overview' ? 'page' : undefined}>
            Apps
          </a>
          <a href={href({ page: 'backups' })} aria-current={section === 'backups' ? 'page' : undefined}>
            Backups
          </a>
          <a href={href({ page: 'deliveries' })} aria-current={section === 'deliveries' ? 'page' : undefined}>
            Deliveries
          </a>
          {/* The API's own page, not one of the dashboard's: the Prometheus text of GET /api/metrics. */}
          <a href={apiUrl('metrics')}>Metrics</a>
        </nav>
        {state.kind === 'ready' ? <span class="who">{whoIs(state.session)}</span> : null}
      </header>
      <main id="main" tabIndex={-1}>
        {state.kind === 'loading' ? <p role="status">Loading…</p> : null}
        {state.kind === 'error' ? (
          <p class="problem" role="alert">
            The API did not answer: {state.message}{' '}
            <button type="button" class="button" onClick={retry}>
              Try again
            </button>
          </p>
        ) : null}
        {state.kind === 'sign-in' ? <SignInPage onSignedIn={retry} /> : null}
        {state.kind === 'ready' ? (
          <SessionContext.Provider value={state.session}>
            <Page route={route} />
          </SessionContext.Provider>
        ) : null}
      </main>
    </>
  );
}

render(<Shell />, document.getElementById('root')!);
