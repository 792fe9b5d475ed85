/**
 * Registry and repository names as configured and as pushed are compared in one
 * canonical form, so `index.docker.io/nginx` and `docker.io/library/nginx` are the same image.
 */

export const DOCKER_HUB_CANONICAL_REGISTRY = 'docker.io';

/** Host names Docker Hub is known by, in pushes, pulls and its own payloads. */
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** Lowercase (host names are case-insensitive), no scheme, no trailing slash, no default https port, Docker Hub aliases folded. */
export function normalizeRegistry(registry: string): string {
  const host = registry
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/:443$/, '');
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB_CANONICAL_REGISTRY : host;
}

/** Lowercase; on Docker Hub an official image's one-part name gets its implicit `library/` prefix. */
export function normalizeRepository(registry: string, repository: string): string {
  const name = repository.trim().toLowerCase().replace(/^\/+|\/+$/g, '');
  if (normalizeRegistry(registry) === DOCKER_HUB_CANONICAL_REGISTRY && !name.includes('/')) return `library/${name}`;
  return name;
}

export interface ImageRepositoryName {
  readonly registry: string;
  readonly repository: string;
}

export function isSameImageRepository(a: ImageRepositoryName, b: ImageRepositoryName): boolean {
  return (
    normalizeRegistry(a.registry) === normalizeRegistry(b.registry) &&
    normalizeRepository(a.registry, a.repository) === normalizeRepository(b.registry, b.repository)
  );
}
