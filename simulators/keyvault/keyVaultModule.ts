/**
 * Key Vault secrets as `@azure/keyvault-secrets` SecretClient sees them (api-version 7.x as sent):
 * get (latest or a version), set (PUT), list secret properties and versions (paged with nextLink),
 * delete (+ GET deletedsecrets, which the delete poller reads).
 *
 * Addressing: the vault is the Host `<vault>.vault.azure.net` when a request names one, otherwise the
 * default vault; paths are Key Vault's own (`/secrets/...`) because the SDK parses secret ids as
 * `https://<host>/secrets/<name>/<version>` and accepts no path prefix. So a client uses the
 * simulator's URL as its vault URL, with `disableChallengeResourceVerification: true` (the challenge
 * resource `https://vault.azure.net` cannot match the host 127.0.0.1).
 *
 * Auth is challenge-based like Key Vault's: a request without a bearer token gets 401 with
 * `WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`.
 *
 * Admin: POST /_sim/keyvault/secrets { vault?, name, value, contentType?, tags?, enabled? } → 201 { id, name, version, vault }.
 */
import { randomBytes } from 'node:crypto';
import type { SimModule, SimRequest, SimResponse } from '../module';

export interface KeyVaultModuleOptions {
  /** Vault used when the Host is not `<vault>.vault.azure.net`. Default `simvault`. */
  defaultVault?: string;
  /** Tenant named in the challenge. */
  tenantId?: string;
  /** Page size when the client sends no maxresults. Default 25 (Key Vault's). */
  defaultPageSize?: number;
}

interface SecretVersion {
  readonly version: string;
  readonly value: string;
  readonly contentType?: string;
  readonly tags?: Record<string, string>;
  readonly enabled: boolean;
  readonly created: number;
  updated: number;
}

interface DeletedSecret {
  readonly versions: SecretVersion[];
  readonly deletedDate: number;
}

export interface KeyVaultModule extends SimModule {
  /** Sets a secret (a new version), as the admin route does. Returns its version. */
  setSecret(name: string, value: string, options?: { vault?: string; contentType?: string; tags?: Record<string, string> }): string;
}

type Json = Record<string, unknown>;

const VAULT_SUFFIX = '.vault.azure.net';
const NAME = /^[0-9a-zA-Z-]{1,127}$/;

function kvError(status: number, code: string, message: string): SimResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: { error: { code, message } } };
}

function secretNotFound(name: string): SimResponse {
  return kvError(404, 'SecretNotFound', `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`);
}

function attributes(version: SecretVersion): Json {
  return { enabled: version.enabled, created: version.created, updated: version.updated, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
}

export function createKeyVaultModule(options: KeyVaultModuleOptions = {}): KeyVaultModule {
  const vaults = new Map<string, Map<string, SecretVersion[]>>();
  const deleted = new Map<string, Map<string, DeletedSecret>>();
  const defaultVault = (options.defaultVault ?? 'simvault').toLowerCase();
  const tenantId = options.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const defaultPageSize = options.defaultPageSize ?? 25;

  const vault = (name: string): Map<string, SecretVersion[]> => {
    let secrets = vaults.get(name);
    if (!secrets) {
      secrets = new Map();
      vaults.set(name, secrets);
    }
    return secrets;
  };
  const deletedIn = (name: string): Map<string, DeletedSecret> => {
    let secrets = deleted.get(name);
    if (!secrets) {
      secrets = new Map();
      deleted.set(name, secrets);
    }
    return secrets;
  };

  function setSecret(name: string, value: string, extra: { vault?: string; contentType?: string; tags?: Record<string, string>; enabled?: boolean } = {}): string {
    const secrets = vault((extra.vault ?? defaultVault).toLowerCase());
    const now = Math.floor(Date.now() / 1000);
    const version = randomBytes(16).toString('hex');
    const versions = secrets.get(name.toLowerCase()) ?? [];
    versions.push({ version, value, contentType: extra.contentType, tags: extra.tags, enabled: extra.enabled ?? true, created: now, updated: now });
    secrets.set(name.toLowerCase(), versions);
    return version;
  }

  function bundle(origin: string, name: string, version: SecretVersion, withValue: boolean): Json {
    return {
      ...(withValue ? { value: version.value } : {}),
      id: `${origin}/secrets/${name}/${version.version}`,
      ...(version.contentType ? { contentType: version.contentType } : {}),
      attributes: attributes(version),
      ...(version.tags ? { tags: version.tags } : {}),
    };
  }

  function item(origin: string, name: string, version: SecretVersion, versioned: boolean): Json {
    return {
      id: versioned ? `${origin}/secrets/${name}/${version.version}` : `${origin}/secrets/${name}`,
      ...(version.contentType ? { contentType: version.contentType } : {}),
      attributes: attributes(version),
      ...(version.tags ? { tags: version.tags } : {}),
    };
  }

  function page(request: SimRequest, origin: string, items: Json[]): SimResponse {
    const requested = Number(request.url.searchParams.get('maxresults') ?? defaultPageSize);
    if (!Number.isInteger(requested) || requested < 1 || requested > 25) return kvError(400, 'BadParameter', 'maxresults must be an integer from 1 to 25.');
    const skip = Number(request.url.searchParams.get('$skiptoken') ?? 0) || 0;
    const value = items.slice(skip, skip + requested);
    let nextLink: string | null = null;
    if (skip + requested < items.length) {
      const next = new URL(`${origin}${request.url.pathname}`);
      next.searchParams.set('api-version', request.url.searchParams.get('api-version') ?? '7.6');
      next.searchParams.set('$skiptoken', String(skip + requested));
      next.searchParams.set('maxresults', String(requested));
      nextLink = next.toString();
    }
    return { status: 200, body: { value, nextLink } };
  }

  function secretsRoute(request: SimRequest, vaultName: string, origin: string): SimResponse | undefined {
    const path = request.url.pathname.replace(/\/+$/, '');
    const secrets = vault(vaultName);
    if (path === '/secrets' && request.method === 'GET') {
      const items = [...secrets.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, versions]) => item(origin, name, versions[versions.length - 1], false));
      return page(request, origin, items);
    }
    let match = /^\/secrets\/([^/]+)\/versions$/.exec(path);
    if (match && request.method === 'GET') {
      const versions = secrets.get(match[1].toLowerCase());
      if (!versions) return secretNotFound(match[1]);
      return page(request, origin, versions.map((v) => item(origin, match![1], v, true)));
    }
    match = /^\/secrets\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (match) {
      const [, name, version] = match;
      if (!NAME.test(name)) return kvError(400, 'BadParameter', `The secret name '${name}' is invalid: use 1-127 letters, digits and dashes.`);
      if (request.method === 'PUT' && !version) {
        const body = request.json as Json | undefined;
        if (!body || typeof body.value !== 'string') return kvError(400, 'BadParameter', 'value: a string is required.');
        if (body.tags !== undefined && (typeof body.tags !== 'object' || body.tags === null)) return kvError(400, 'BadParameter', 'tags: must be an object.');
        const attrs = (body.attributes ?? {}) as Json;
        const newVersion = setSecret(name, body.value, {
          vault: vaultName,
          contentType: typeof body.contentType === 'string' ? body.contentType : undefined,
          tags: body.tags as Record<string, string> | undefined,
          enabled: attrs.enabled === undefined ? true : attrs.enabled === true,
        });
        const stored = secrets.get(name.toLowerCase())!.find((v) => v.version === newVersion)!;
        return { status: 200, body: bundle(origin, name, stored, true) };
      }
      if (request.method === 'GET') {
        const versions = secrets.get(name.toLowerCase());
        const found = version ? versions?.find((v) => v.version === version) : versions?.[versions.length - 1];
        if (!found) return secretNotFound(version ? `${name}/${version}` : name);
        if (!found.enabled) return kvError(403, 'Forbidden', `Operation get is not allowed on a disabled secret.`);
        return { status: 200, body: bundle(origin, name, found, true) };
      }
      if (request.method === 'DELETE' && !version) {
        const versions = secrets.get(name.toLowerCase());
        if (!versions) return secretNotFound(name);
        secrets.delete(name.toLowerCase());
        const now = Math.floor(Date.now() / 1000);
        deletedIn(vaultName).set(name.toLowerCase(), { versions, deletedDate: now });
        return { status: 200, body: deletedBundle(origin, name, versions, now) };
      }
    }
    match = /^\/deletedsecrets\/([^/]+)$/.exec(path);
    if (match && request.method === 'GET') {
      const entry = deletedIn(vaultName).get(match[1].toLowerCase());
      if (!entry) return kvError(404, 'SecretNotFound', `Deleted Secret not found: ${match[1]}`);
      return { status: 200, body: deletedBundle(origin, match[1], entry.versions, entry.deletedDate) };
    }
    return undefined;
  }

  function deletedBundle(origin: string, name: string, versions: SecretVersion[], deletedDate: number): Json {
    const latest = versions[versions.length - 1];
    return {
      recoveryId: `${origin}/deletedsecrets/${name}`,
      deletedDate,
      scheduledPurgeDate: deletedDate + 90 * 24 * 3600,
      ...bundle(origin, name, latest, false),
    };
  }

  function admin(request: SimRequest): SimResponse | undefined {
    if (request.url.pathname !== '/_sim/keyvault/secrets' || request.method !== 'POST') return undefined;
    const body = (request.json ?? {}) as Json;
    if (typeof body.name !== 'string' || !NAME.test(body.name)) return kvError(400, 'BadParameter', 'name: 1-127 letters, digits and dashes.');
    if (typeof body.value !== 'string') return kvError(400, 'BadParameter', 'value: a string is required.');
    if (body.vault !== undefined && (typeof body.vault !== 'string' || !/^[a-z0-9-]{3,24}$/i.test(body.vault))) return kvError(400, 'BadParameter', 'vault: 3-24 letters, digits and dashes.');
    const vaultName = ((body.vault as string | undefined) ?? defaultVault).toLowerCase();
    const version = setSecret(body.name, body.value, {
      vault: vaultName,
      contentType: typeof body.contentType === 'string' ? body.contentType : undefined,
      tags: typeof body.tags === 'object' && body.tags !== null ? (body.tags as Record<string, string>) : undefined,
      enabled: body.enabled === undefined ? true : body.enabled === true,
    });
    // The value is not echoed.
    return { status: 201, body: { vault: vaultName, name: body.name, version } };
  }

  return {
    name: 'keyvault',
    setSecret: (name, value, extra) => setSecret(name, value, extra),
    handle(request) {
      const adminResponse = admin(request);
      if (adminResponse) return Promise.resolve(adminResponse);
      const path = request.url.pathname;
      if (!/^\/(secrets|deletedsecrets)(\/|$)/.test(path)) return Promise.resolve(undefined);
      const host = request.host.toLowerCase();
      const vaultName = host.endsWith(VAULT_SUFFIX) ? host.slice(0, -VAULT_SUFFIX.length) : defaultVault;
      if (!/^Bearer\s+\S+/i.test(String(request.headers.authorization ?? ''))) {
        const response = kvError(401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
        response.headers = {
          ...response.headers,
          'WWW-Authenticate': `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`,
        };
        return Promise.resolve(response);
      }
      if (!request.url.searchParams.get('api-version')) return Promise.resolve(kvError(400, 'BadParameter', 'The api-version query parameter is required.'));
      const origin = `https://${request.headers.host ?? request.host}`;
      return Promise.resolve(secretsRoute(request, vaultName, origin));
    },
    operationOf(request) {
      const path = request.url.pathname;
      if (!path.startsWith('/secrets')) return undefined;
      if (request.method === 'GET') return /^\/secrets\/?$/.test(path) ? 'KeyVault_GetSecrets' : 'KeyVault_GetSecret';
      if (request.method === 'PUT') return 'KeyVault_SetSecret';
      if (request.method === 'DELETE') return 'KeyVault_DeleteSecret';
      return undefined;
    },
  };
}
