/**
 * The managed identity's Entra token for containerregistry.azure.net goes only to an Azure Container
 * Registry's own token endpoint. A registry whose challenge points elsewhere, or a registry that is
 * not an ACR, gets the anonymous token flow. One local HTTPS server plays every host (the product's
 * connect-to seam routes the names to it) and records what each was sent.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import { isAzureContainerRegistry, mayExchangeEntraToken, OciRegistryClient } from '../../src/adapters/registry/ociRegistryClient';
import { createCertificateAuthority, issueServerCertificate } from '../../simulators/tls';

jest.setTimeout(60_000);

const ENTRA_TOKEN = 'entra-token-for-containerregistry-azure-net';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const CONFIG_DIGEST = `sha256:${'b'.repeat(64)}`;

interface Seen {
  host: string;
  method: string;
  path: string;
  authorization?: string;
  body: string;
}

const seen: Seen[] = [];
/** Where each registry host's challenge points. */
const realms = new Map<string, string>();
let server: https.Server;
let agent: ReturnType<typeof createHttpAgent>;

const credential: TokenCredential = {
  getToken: (): Promise<AccessToken> => Promise.resolve({ token: ENTRA_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }),
};

beforeAll(async () => {
  const ca = createCertificateAuthority();
  const names = ['*.azurecr.io', '*.azurecr.us', 'elsewhere.example', 'registry.example.com'];
  const cert = issueServerCertificate(ca, names);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-token-'));
  const caCertPath = path.join(dir, 'ca.pem');
  fs.writeFileSync(caCertPath, ca.certPem);
  server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      const url = new URL(req.url ?? '/', `https://${host}`);
      seen.push({ host, method: req.method ?? '', path: url.pathname, authorization: req.headers.authorization, body });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (url.pathname === '/oauth2/exchange') return send(200, { refresh_token: 'refresh' });
      if (url.pathname === '/oauth2/token') return send(200, { access_token: `access-from-${host}`, token: `access-from-${host}` });
      if (!req.headers.authorization) {
        return send(401, { errors: [{ code: 'UNAUTHORIZED' }] }, { 'www-authenticate': `Bearer realm="${realms.get(host)}",service="${host}"` });
      }
      if (url.pathname.includes('/manifests/')) {
        return send(
          200,
          { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: CONFIG_DIGEST, size: 10 }, layers: [{ size: 100 }] },
          { 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'docker-content-digest': DIGEST },
        );
      }
      if (url.pathname.includes('/blobs/')) return send(200, { os: 'linux', architecture: 'amd64' });
      return send(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const connectTo = names.map((name) => `${name}=127.0.0.1:${port}`).join(',');
  agent = createHttpAgent({ connectTo, caCertPath });
});

afterAll(async () => {
  await agent.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
});

function entraTokenSentTo(): string[] {
  return seen.filter((s) => s.body.includes(ENTRA_TOKEN) || (s.authorization ?? '').includes(ENTRA_TOKEN)).map((s) => `${s.host}${s.path}`);
}

describe('where the Entra token may go', () => {
  it('an ACR whose challenge points at another host: the token stays home, the anonymous flow runs', async () => {
    realms.set('evil.azurecr.io', 'https://elsewhere.example/oauth2/token');
    const summary = await new OciRegistryClient(agent, credential).getManifestSummary('evil.azurecr.io', 'app', 'latest');
    expect(summary?.digest).toBe(DIGEST);
    expect(entraTokenSentTo()).toEqual([]);
    expect(seen.some((s) => s.host === 'elsewhere.example' && s.path === '/oauth2/exchange')).toBe(false);
    expect(seen.find((s) => s.host === 'elsewhere.example')).toMatchObject({ method: 'GET', path: '/oauth2/token', authorization: undefined });
  });

  it('a registry that is not an ACR, with an ACR-shaped realm on itself: no Entra token', async () => {
    realms.set('registry.example.com', 'https://registry.example.com/oauth2/token');
    await new OciRegistryClient(agent, credential).getManifestSummary('registry.example.com', 'app', 'latest');
    expect(entraTokenSentTo()).toEqual([]);
  });

  it('an ACR whose realm is itself: the token is exchanged there, and only there', async () => {
    realms.set('good.azurecr.io', 'https://good.azurecr.io/oauth2/token');
    const summary = await new OciRegistryClient(agent, credential).getManifestSummary('good.azurecr.io', 'app', 'latest');
    expect(summary?.digest).toBe(DIGEST);
    expect(entraTokenSentTo()).toEqual(['good.azurecr.io/oauth2/exchange']);
  });

  it.each([
    ['good.azurecr.io', 'https://good.azurecr.io/oauth2/token', true],
    ['good.azurecr.us', 'https://good.azurecr.us/oauth2/token', true],
    ['GOOD.azurecr.io', 'https://good.azurecr.io/oauth2/token', true],
    ['good.azurecr.io', 'https://good.azurecr.io:8443/oauth2/token', false],
    ['good.azurecr.io', 'http://good.azurecr.io/oauth2/token', false],
    ['good.azurecr.io', 'https://good.azurecr.io.elsewhere.example/oauth2/token', false],
    ['good.azurecr.io', 'https://other.azurecr.io/oauth2/token', false],
    ['azurecr.io', 'https://azurecr.io/oauth2/token', false],
    ['azurecr.io.elsewhere.example', 'https://azurecr.io.elsewhere.example/oauth2/token', false],
    ['ghcr.io', 'https://ghcr.io/token', false],
    ['good.azurecr.io', 'not a url', false],
  ])('registry %s, realm %s: exchange allowed %s', (registry, realm, allowed) => {
    expect(mayExchangeEntraToken(registry, realm)).toBe(allowed);
  });

  it('knows the sovereign-cloud login servers', () => {
    expect(['a.azurecr.io', 'a.azurecr.cn', 'a.azurecr.us'].every(isAzureContainerRegistry)).toBe(true);
    expect(['docker.io', 'a.azurecr.io:443', 'a.azurecr.com'].some(isAzureContainerRegistry)).toBe(false);
  });
});
