/**
 * Pages are addressed by the URL's fragment (`#/apps/sound-forge`), so one HTML file serves
 * them all and a page's address can be shared or bookmarked.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'overview' }
  | { page: 'app'; app: string }
  | { page: 'deployment'; id: string }
  | { page: 'backups'; database?: string }
  | { page: 'deliveries'; app?: string }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [first, second] = path.split('/').map((part) => decodeURIComponent(part));
  if (!first) return { page: 'overview' };
  if (first === 'apps' && second) return { page: 'app', app: second };
  if (first === 'deployments' && second) return { page: 'deployment', id: second };
  if (first === 'backups') return { page: 'backups', database: second || undefined };
  if (first === 'deliveries') return { page: 'deliveries', app: second || undefined };
  return { page: 'not-found', path };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'app':
      return `#/apps/${encodeURIComponent(route.app)}`;
    case 'deployment':
      return `#/deployments/${encodeURIComponent(route.id)}`;
    case 'backups':
      return route.database ? `#/backups/${encodeURIComponent(route.database)}` : '#/backups';
    case 'deliveries':
      return route.app ? `#/deliveries/${encodeURIComponent(route.app)}` : '#/deliveries';
    case 'not-found':
      return `#/${route.path}`;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
