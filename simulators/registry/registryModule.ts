/**
 * The container registry as ACR serves it: OCI distribution (`/v2/`), ACR's metadata API
 * (`/acr/v1/`) and token endpoints (`/oauth2/`), for any number of registries.
 *
 * How a request names its registry (both work on the simulator's one port):
 * - Host `<name>.azurecr.io` (what product code sends through the `HARBORMASTER_DEV_CONNECT_TO` seam,
 *   e.g. `*.azurecr.io=127.0.0.1:<port>`): paths as on ACR, `https://<name>.azurecr.io/v2/...`.
 * - Path prefix `/registries/<name>` on any host (for SDK clients and curl without the seam):
 *   `https://127.0.0.1:<port>/registries/<name>/v2/...`; the SDK's endpoint is that prefix.
 * Either way the login server (service, webhook `request.host`) is `<name>.azurecr.io`.
 *
 * Admin routes (see registryAdmin.ts): POST /_sim/registry/push, /_sim/registry/webhooks, /_sim/registry/eventgrid.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImageCatalog } from '../imageCatalog';
import type { SimModule, SimRequest, SimResponse } from '../module';
import { challengeHeader, issueAccessToken, issueRefreshToken, scopeAllows, verifyToken } from './registryAuth';
import { RegistryAdmin } from './registryAdmin';
import { RegistryStore, type StoredManifest } from './registryStore';
import type { Dispatcher } from 'undici';

export interface RegistryModuleOptions {
  /** Used when an admin call names no registry. Default `simregistry`. */
  defaultRegistry?: string;
  /** Push records behaviours here (keyed by tag and digest references). */
  imageCatalog?: ImageCatalog;
  /** Checks the Entra token presented to /oauth2/exchange. Default: any non-empty token. */
  acceptEntraToken?: (token: string) => boolean;
  /** Subscription and resource group in the registry's ARM id (the Event Grid topic). */
  subscriptionId?: string;
  resourceGroup?: string;
  /** Dispatcher for webhook and Event Grid deliveries (e.g. one trusting a local CA). */
  dispatcher?: Dispatcher;
}

export interface RegistryModule extends SimModule {
  readonly admin: RegistryAdmin;
  /** The store of one registry (created on first use). */
  registry(name: string): RegistryStore;
}

type Json = Record<string, unknown>;

const LOGIN_SUFFIX = '.azurecr.io';

function ociError(status: number, code: string, message: string, detail?: unknown): SimResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { errors: [{ code, message, detail: detail ?? null }] } };
}

function formOrQuery(request: SimRequest): URLSearchParams {
  const params = new URLSearchParams(request.url.search);
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(request.body.toString('utf8'))) params.set(key, value);
  }
  return params;
}

function changeableAttributes(): Json {
  return { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };
}

export function createRegistryModule(options: RegistryModuleOptions = {}): RegistryModule {
  const stores = new Map<string, RegistryStore>();
  const registry = (name: string): RegistryStore => {
    const key = name.toLowerCase();
    let store = stores.get(key);
    if (!store) {
      store = new RegistryStore(`${key}${LOGIN_SUFFIX}`);
      stores.set(key, store);
    }
    return store;
  };
  const acceptEntraToken = options.acceptEntraToken ?? ((token: string) => token.length > 0);
  const admin = new RegistryAdmin({
    registry,
    defaultRegistry: options.defaultRegistry ?? 'simregistry',
    imageCatalog: options.imageCatalog,
    subscriptionId: options.subscriptionId ?? '00000000-0000-0000-0000-000000000000',
    resourceGroup: options.resourceGroup ?? 'rg-registry',
    dispatcher: options.dispatcher,
  });

  /** Which registry and which registry-relative path a request addresses, if any. */
  function locate(request: SimRequest): { name: string; path: string; base: string } | undefined {
    const origin = `https://${request.headers.host ?? request.host}`;
    // The SDK percent-encodes the slash in repository names (`shop%2Fapi`); ACR accepts both.
    let pathname: string;
    try {
      pathname = decodeURIComponent(request.url.pathname);
    } catch {
      return undefined;
    }
    if (request.host.toLowerCase().endsWith(LOGIN_SUFFIX)) {
      return { name: request.host.slice(0, -LOGIN_SUFFIX.length).toLowerCase(), path: pathname, base: origin };
    }
    const match = /^\/registries\/([a-z0-9]+)(\/.*)$/i.exec(pathname);
    if (match) return { name: match[1].toLowerCase(), path: match[2], base: `${origin}/registries/${match[1]}` };
    return undefined;
  }

  function tokenEndpoints(request: SimRequest, store: RegistryStore, path: string): SimResponse | undefined {
    const params = formOrQuery(request);
    const service = params.get('service') ?? store.loginServer;
    if (service.toLowerCase() !== store.loginServer) return ociError(400, 'UNSUPPORTED', `service must be ${store.loginServer}`);
    if (path === '/oauth2/exchange' && request.method === 'POST') {
      if (params.get('grant_type') !== 'access_token') return ociError(400, 'UNSUPPORTED', "grant_type must be 'access_token'");
      const token = params.get('access_token') ?? '';
      if (!acceptEntraToken(token)) return ociError(401, 'UNAUTHORIZED', 'The Entra access token was not accepted.');
      return { status: 200, body: { refresh_token: issueRefreshToken(store.loginServer) } };
    }
    if (path === '/oauth2/token' && (request.method === 'POST' || request.method === 'GET')) {
      if (params.get('grant_type') !== 'refresh_token') return ociError(401, 'UNAUTHORIZED', 'Anonymous pull is not enabled on this registry.');
      if (!verifyToken(params.get('refresh_token') ?? '', 'refresh', store.loginServer)) return ociError(401, 'UNAUTHORIZED', 'The refresh token is invalid or expired.');
      const scope = params.getAll('scope').join(' ');
      return { status: 200, body: { access_token: issueAccessToken(store.loginServer, scope) } };
    }
    return undefined;
  }

  function manifestResponse(request: SimRequest, manifest: StoredManifest, raw: { res: ServerResponse }): SimResponse {
    const headers = {
      'Content-Type': manifest.mediaType,
      'Docker-Content-Digest': manifest.digest,
      'Docker-Distribution-Api-Version': 'registry/2.0',
      ETag: `"${manifest.digest}"`,
    };
    if (request.method === 'HEAD') {
      // HEAD carries the manifest's length without a body; the server's send() would write 0.
      raw.res.writeHead(200, { ...headers, 'Content-Length': String(manifest.bytes.length) });
      raw.res.end();
      return { status: 200 };
    }
    return { status: 200, headers, body: manifest.bytes };
  }

  function blobResponse(request: SimRequest, store: RegistryStore, digest: string, raw: { res: ServerResponse }): SimResponse {
    const blob = store.blob(digest);
    if (!blob) return ociError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', { digest });
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      'Content-Length': String(blob.size),
      'Docker-Distribution-Api-Version': 'registry/2.0',
    };
    raw.res.writeHead(200, headers);
    if (request.method === 'HEAD') {
      raw.res.end();
      return { status: 200 };
    }
    // Streamed: layer blobs are synthesised and can be large.
    for (const chunk of blob.chunks()) raw.res.write(chunk);
    raw.res.end();
    return { status: 200 };
  }

  function registryRoutes(request: SimRequest, store: RegistryStore, path: string, raw: { res: ServerResponse }): SimResponse | undefined {
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (!read) return ociError(405, 'UNSUPPORTED', 'The simulator accepts pushes through POST /_sim/registry/push only.');
    if (path === '/v2/' || path === '/v2') return { status: 200, headers: { 'Docker-Distribution-Api-Version': 'registry/2.0' }, body: {} };
    if (path === '/v2/_catalog' || path === '/acr/v1/_catalog') return { status: 200, body: { repositories: store.repositories() } };
    let match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    if (match) {
      const [, repository, reference] = match;
      if (!store.listTags(repository)) return ociError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
      const manifest = store.manifest(repository, reference);
      if (!manifest) return ociError(404, 'MANIFEST_UNKNOWN', `manifest tagged by "${reference}" is not found`, { Tag: reference });
      return manifestResponse(request, manifest, raw);
    }
    match = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (match) return blobResponse(request, store, match[2], raw);
    match = /^\/v2\/(.+)\/tags\/list$/.exec(path);
    if (match) {
      const tags = store.listTags(match[1]);
      return tags ? { status: 200, body: { name: match[1], tags } } : ociError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: match[1] });
    }
    match = /^\/acr\/v1\/(.+)\/_tags\/([^/]+)$/.exec(path);
    if (match) {
      const [, repository, tag] = match;
      const props = store.tagProperties(repository, tag);
      if (!props) return ociError(404, 'TAG_UNKNOWN', `the specified tag does not exist`, { tag });
      return { status: 200, body: { registry: store.loginServer, imageName: repository, tag: { name: tag, ...props, signed: false, changeableAttributes: changeableAttributes() } } };
    }
    match = /^\/acr\/v1\/(.+)\/_tags$/.exec(path);
    if (match) {
      const repository = match[1];
      const names = store.listTags(repository);
      if (!names) return ociError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name: repository });
      const tags = names.map((name) => ({ name, ...store.tagProperties(repository, name), signed: false, changeableAttributes: changeableAttributes() }));
      return { status: 200, body: { registry: store.loginServer, imageName: repository, tags } };
    }
    match = /^\/acr\/v1\/(.+)\/_manifests\/(sha256:[0-9a-f]{64})$/.exec(path);
    if (match) {
      const [, repository, digest] = match;
      const manifest = store.manifest(repository, digest);
      if (!manifest) return ociError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { digest });
      return {
        status: 200,
        body: {
          registry: store.loginServer,
          imageName: repository,
          manifest: {
            digest: manifest.digest,
            imageSize: manifest.imageSize,
            createdTime: manifest.createdTime,
            lastUpdateTime: manifest.createdTime,
            ...(manifest.platform ? { architecture: manifest.platform.architecture, os: manifest.platform.os } : {}),
            ...(manifest.references ? { references: manifest.references } : {}),
            tags: store.tagsOf(repository, manifest.digest),
            mediaType: manifest.mediaType,
            changeableAttributes: { ...changeableAttributes(), quarantineState: 'Passed' },
          },
        },
      };
    }
    return undefined;
  }

  /** The repository a registry path is about (for the challenge scope and token check). */
  function repositoryOf(path: string): string | undefined {
    return /^\/v2\/(.+)\/(?:manifests|blobs|tags)\//.exec(path)?.[1] ?? /^\/acr\/v1\/(?!_catalog)(.+?)\/_(?:tags|manifests)/.exec(path)?.[1];
  }

  async function handle(request: SimRequest, raw: { req: IncomingMessage; res: ServerResponse }): Promise<SimResponse | undefined> {
    if (request.url.pathname.startsWith('/_sim/registry/')) return admin.handle(request);
    const located = locate(request);
    if (!located) return undefined;
    const store = registry(located.name);
    if (located.path.startsWith('/oauth2/')) return tokenEndpoints(request, store, located.path);
    if (!located.path.startsWith('/v2') && !located.path.startsWith('/acr/v1/')) return undefined;
    const repository = repositoryOf(located.path);
    const action = located.path.startsWith('/acr/v1/') ? 'metadata_read' : 'pull';
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    const claims = bearer ? verifyToken(bearer, 'access', store.loginServer) : undefined;
    if (!claims || !scopeAllows(claims.scope, repository)) {
      const scope = repository ? `repository:${repository}:${action}` : located.path.includes('_catalog') ? 'registry:catalog:*' : undefined;
      const response = ociError(401, 'UNAUTHORIZED', 'authentication required, visit https://aka.ms/acr/authorization for more information.');
      response.headers = { ...response.headers, 'WWW-Authenticate': challengeHeader(`${located.base}/oauth2/token`, store.loginServer, scope) };
      return response;
    }
    return Promise.resolve(registryRoutes(request, store, located.path, raw));
  }

  return {
    name: 'registry',
    admin,
    registry,
    handle,
    operationOf(request) {
      const located = locate(request);
      if (!located) return undefined;
      if (located.path.includes('/manifests/')) return 'Registry_GetManifest';
      if (located.path.startsWith('/oauth2/')) return 'Registry_Token';
      return undefined;
    },
    async close() {
      await admin.close();
    },
  };
}
