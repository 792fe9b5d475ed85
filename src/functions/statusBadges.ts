/**
 * `GET /api/apps/{app}/badge.svg`: the app's serving release and health as a badge, for a
 * README or a wiki. Public (no key, no sign-in) for apps whose apps.json entry says
 * `"publicBadge": true`; every other name, configured or not, is a 404, so the badge tells
 * nobody which apps exist. It reads what Harbormaster stored (the release it deployed, the last
 * sweep's verdict), never Azure: an anonymous request costs one table read, not an ARM call.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { getServices } from '../composition/services';
import { getConfig } from '../config';
import { renderStatusBadge, type BadgeHealth } from '../domain/badge/statusBadge';
import { getHealthSummary } from './healthSweep';
import { problem } from './http/problem';

const HEALTH: Record<string, BadgeHealth> = { healthy: 'healthy', degraded: 'degraded', unhealthy: 'unhealthy' };

export async function getStatusBadge(request: HttpRequest): Promise<HttpResponseInit> {
  const managed = getConfig().apps.apps.find((a) => a.name === request.params.app);
  if (!managed?.publicBadge) return problem(404, 'No badge', 'no public badge by that name');
  const services = getServices();
  const [state, health] = await Promise.all([services.appState.get(managed.name).catch(() => undefined), getHealthSummary(managed.name).catch(() => undefined)]);
  const release = state?.deployedTag ?? (state?.deployedDigest ? state.deployedDigest.replace(/^sha256:/, '').slice(0, 12) : undefined);
  const svg = renderStatusBadge({ label: managed.name, release, health: HEALTH[health?.verdict ?? ''] ?? 'unknown' });
  return {
    status: 200,
    body: svg,
    headers: { 'content-type': 'image/svg+xml; charset=utf-8', 'cache-control': 'public, max-age=60', 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
  };
}

export function registerStatusBadges(): void {
  app.http('getStatusBadge', { route: 'apps/{app}/badge.svg', methods: ['GET'], authLevel: 'anonymous', handler: getStatusBadge });
}
