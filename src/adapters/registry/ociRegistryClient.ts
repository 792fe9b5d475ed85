/**
 * RegistryPort over the OCI distribution API, authenticated as ACR expects: the managed
 * identity's Entra token is exchanged for an ACR refresh token (`/oauth2/exchange`), then
 * for a repository-scoped access token (`/oauth2/token`). Registries that offer anonymous
 * bearer tokens (public Docker Hub, GHCR) use the standard token flow.
 *
 * The Entra token (audience containerregistry.azure.net: it pulls from every registry the
 * identity can read) leaves only for an Azure Container Registry (`*.azurecr.io` and the
 * sovereign clouds' suffixes) and only to that registry's own origin: a challenge whose realm
 * is anywhere else gets the anonymous token flow, with no credential at all.
 */
import type { TokenCredential } from '@azure/core-auth';
import { request, type Dispatcher } from 'undici';
import type { ImageManifestSummary, RegistryPort } from './registryPort';

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

/** Login-server suffixes of Azure Container Registry: public cloud, Azure China, Azure US Government. */
export const ACR_LOGIN_SERVER_SUFFIXES: readonly string[] = ['.azurecr.io', '.azurecr.cn', '.azurecr.us'];

/** True for `<name>.azurecr.io` and its sovereign-cloud equivalents (a bare host name, no port). */
export function isAzureContainerRegistry(registry: string): boolean {
  const host = registry.toLowerCase();
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(host) && ACR_LOGIN_SERVER_SUFFIXES.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
}

/**
 * Whether the Entra token may be exchanged at `realm`: the registry is an ACR and the realm is
 * that registry itself over HTTPS (same host, default port).
 */
export function mayExchangeEntraToken(registry: string, realm: string): boolean {
  if (!isAzureContainerRegistry(registry)) return false;
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.port === '' && url.hostname.toLowerCase() === registry.toLowerCase();
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

interface ManifestBody {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

export class RegistryError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'RegistryError';
  }
}

export class OciRegistryClient implements RegistryPort {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly credential: TokenCredential | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async getManifestSummary(registry: string, repository: string, reference: string, options: { abortSignal?: AbortSignal } = {}): Promise<ImageManifestSummary | undefined> {
    const top = await this.fetchManifest(registry, repository, reference, options.abortSignal);
    if (!top) return undefined;
    const mediaType = top.body.mediaType ?? top.contentType;
    if (top.body.manifests) {
      const platforms: string[] = [];
      const sizeBytesByPlatform: Record<string, number> = {};
      for (const entry of top.body.manifests) {
        if (!entry.platform?.os || !entry.platform.architecture || !entry.digest) continue;
        if (entry.platform.os === 'unknown') continue; // attestation manifests
        const platform = formatPlatform(entry.platform);
        platforms.push(platform);
        const image = await this.fetchManifest(registry, repository, entry.digest, options.abortSignal);
        if (image) sizeBytesByPlatform[platform] = imageSize(image.body);
      }
      return { digest: top.digest, mediaType, platforms, sizeBytesByPlatform };
    }
    const config = top.body.config;
    if (!config?.digest) throw new RegistryError(`Manifest of ${repository}@${reference} has no config`);
    const configBlob = await this.fetchJson<{ os?: string; architecture?: string; variant?: string }>(
      registry,
      repository,
      `/v2/${repository}/blobs/${config.digest}`,
      'application/json',
      options.abortSignal,
    );
    const platform = formatPlatform(configBlob ?? {});
    return { digest: top.digest, mediaType, platforms: [platform], sizeBytesByPlatform: { [platform]: imageSize(top.body) } };
  }

  async listTags(registry: string, repository: string, options: { abortSignal?: AbortSignal } = {}): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    for (let page = 0; path && page < 50; page++) {
      const response = await this.send(registry, repository, path, 'application/json', options.abortSignal);
      if (response.statusCode === 404) {
        await response.body.dump();
        return [];
      }
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new RegistryError(`Registry ${registry} answered ${response.statusCode} listing tags of ${repository}`, response.statusCode);
      }
      const link = headerValue(response.headers.link);
      const body = (await response.body.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      // RFC 5988 Link: </v2/repo/tags/list?last=x&n=1000>; rel="next"
      const next = link ? /<([^>]+)>;\s*rel="next"/.exec(link) : null;
      path = next ? next[1] : undefined;
    }
    return tags;
  }

  private async fetchManifest(registry: string, repository: string, reference: string, abortSignal?: AbortSignal) {
    const response = await this.send(registry, repository, `/v2/${repository}/manifests/${reference}`, MANIFEST_ACCEPT, abortSignal);
    if (response.statusCode === 404) {
      await response.body.dump();
      return undefined;
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new RegistryError(`Registry ${registry} answered ${response.statusCode} for the manifest of ${repository}:${reference}`, response.statusCode);
    }
    const text = await response.body.text();
    const digest = headerValue(response.headers['docker-content-digest']);
    if (!digest) throw new RegistryError(`Registry ${registry} sent no Docker-Content-Digest for ${repository}:${reference}`);
    let body: ManifestBody;
    try {
      body = JSON.parse(text) as ManifestBody;
    } catch {
      throw new RegistryError(`Registry ${registry} sent a manifest that is not JSON for ${repository}:${reference}`);
    }
    return { digest, body, contentType: headerValue(response.headers['content-type']) ?? '' };
  }

  private async fetchJson<T>(registry: string, repository: string, path: string, accept: string, abortSignal?: AbortSignal): Promise<T | undefined> {
    const response = await this.send(registry, repository, path, accept, abortSignal);
    if (response.statusCode === 404) {
      await response.body.dump();
      return undefined;
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new RegistryError(`Registry ${registry} answered ${response.statusCode} for ${path}`, response.statusCode);
    }
    return (await response.body.json()) as T;
  }

  private async send(registry: string, repository: string, path: string, accept: string, abortSignal?: AbortSignal) {
    const url = `https://${registry}${path}`;
    const cached = this.tokens.get(`${registry}/${repository}`);
    const headers: Record<string, string> = { accept };
    if (cached && cached.expiresAt > Date.now()) headers.authorization = `Bearer ${cached.token}`;
    let response = await this.get(url, headers, abortSignal);
    if (response.statusCode === 401) {
      const challenge = headerValue(response.headers['www-authenticate']);
      await response.body.dump();
      const token = await this.authenticate(registry, repository, challenge, abortSignal);
      response = await this.get(url, { ...headers, authorization: `Bearer ${token}` }, abortSignal);
    }
    return response;
  }

  private get(url: string, headers: Record<string, string>, abortSignal?: AbortSignal) {
    const signal = abortSignal ? AbortSignal.any([abortSignal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
    return request(url, { method: 'GET', headers, dispatcher: this.dispatcher, signal });
  }

  private async authenticate(registry: string, repository: string, challenge: string | undefined, abortSignal?: AbortSignal): Promise<string> {
    const params = parseBearerChallenge(challenge);
    if (!params.realm) throw new RegistryError(`Registry ${registry} asked for authentication without a bearer realm`, 401);
    const service = params.service ?? registry;
    const scope = `repository:${repository}:pull`;
    const signal = abortSignal ? AbortSignal.any([abortSignal, AbortSignal.timeout(this.timeoutMs)]) : AbortSignal.timeout(this.timeoutMs);
    let realm: URL;
    try {
      realm = new URL(params.realm);
    } catch {
      throw new RegistryError(`Registry ${registry} asked for authentication with a realm that is not a URL`, 401);
    }
    if (realm.protocol !== 'https:') throw new RegistryError(`Registry ${registry} asked for authentication at a realm that is not HTTPS`, 401);
    let accessToken: string;
    if (this.credential && mayExchangeEntraToken(registry, params.realm)) {
      const entraToken = await this.credential.getToken(ACR_SCOPE, { abortSignal: signal });
      if (!entraToken) throw new RegistryError(`No Entra token for ${registry}`, 401);
      const exchange = await this.postForm(`${realm.origin}/oauth2/exchange`, { grant_type: 'access_token', service, access_token: entraToken.token }, signal);
      const refreshToken = String(exchange.refresh_token ?? '');
      const token = await this.postForm(`${realm.origin}${realm.pathname}`, { grant_type: 'refresh_token', service, scope, refresh_token: refreshToken }, signal);
      accessToken = String(token.access_token ?? '');
    } else {
      const url = new URL(realm);
      url.searchParams.set('service', service);
      url.searchParams.set('scope', scope);
      const response = await request(url, { method: 'GET', dispatcher: this.dispatcher, signal });
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw new RegistryError(`Token endpoint of ${registry} answered ${response.statusCode}`, response.statusCode);
      }
      const body = (await response.body.json()) as { token?: string; access_token?: string };
      accessToken = body.token ?? body.access_token ?? '';
    }
    if (!accessToken) throw new RegistryError(`Registry ${registry} issued no access token`, 401);
    // ACR access tokens live ~75 minutes; refresh well before.
    this.tokens.set(`${registry}/${repository}`, { token: accessToken, expiresAt: Date.now() + 30 * 60_000 });
    return accessToken;
  }

  private async postForm(url: string, form: Record<string, string>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const response = await request(url, {
      method: 'POST',
      dispatcher: this.dispatcher,
      signal,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      // Never include the form: it carries tokens.
      throw new RegistryError(`Token exchange at ${new URL(url).host} answered ${response.statusCode}`, response.statusCode);
    }
    return (await response.body.json()) as Record<string, unknown>;
  }
}

function imageSize(manifest: ManifestBody): number {
  return (manifest.config?.size ?? 0) + (manifest.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0);
}

function formatPlatform(platform: { os?: string; architecture?: string; variant?: string }): string {
  return [platform.os ?? 'unknown', platform.architecture ?? 'unknown', platform.variant].filter(Boolean).join('/');
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function parseBearerChallenge(header: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!header || !/^bearer\s/i.test(header)) return result;
  for (const match of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) result[match[1]] = match[2];
  return result;
}
