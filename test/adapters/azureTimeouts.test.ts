/**
 * Every Azure SDK client Harbormaster builds has a per-try timeout: against an HTTPS endpoint that
 * accepts connections and never answers, calls fail with a transient ETIMEDOUT (retried by the SDK,
 * retried again by callers) instead of hanging a webhook, an activity or a timer.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { ArmContainerAppsGateway } from '../../src/adapters/containerApps/armContainerAppsGateway';
import { createAzureClientOptions, type AzureClientOptions } from '../../src/adapters/azure/clientOptions';
import { LocalDevCredential } from '../../src/adapters/azure/credential';
import { ArmJobsGateway } from '../../src/adapters/jobs/armJobsGateway';
import { KeyVaultSecretReader } from '../../src/adapters/keyvault/keyVaultSecretReader';
import { isTransientErrorCode } from '../../src/domain/retry';
import { createCertificateAuthority, issueServerCertificate } from '../../simulators/tls';

jest.setTimeout(60_000);

const SUB = '8efdecc5-919e-44eb-b179-915dca89ebf9';
const app = { subscriptionId: SUB, resourceGroup: 'rg', name: 'shop' };

let server: https.Server;
let url: string;
let caCertPath: string;
let requests = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  const ca = createCertificateAuthority();
  const cert = issueServerCertificate(ca, ['localhost', '127.0.0.1']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'azure-timeouts-'));
  caCertPath = path.join(dir, 'ca.pem');
  fs.writeFileSync(caCertPath, ca.certPem);
  // Reads every request and never answers any of them.
  server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req) => {
    requests++;
    req.resume();
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = 0;
});

/** The product's options with a short per-try timeout and quick retries, so the test takes seconds. */
function options(): AzureClientOptions {
  const made = createAzureClientOptions({ armEndpoint: url, caCertPath, requestTimeoutMs: 300 });
  return { ...made, sdk: { ...made.sdk, retryOptions: { maxRetries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 20 } } };
}

async function failure(call: Promise<unknown>): Promise<unknown> {
  const started = Date.now();
  const error = await call.then(
    () => new Error('the call succeeded against an endpoint that never answers'),
    (e: unknown) => e,
  );
  return { error, elapsedMs: Date.now() - started };
}

describe('Azure clients against an endpoint that never answers', () => {
  it('Container Apps: getApp fails with a transient ETIMEDOUT after the SDK retried each timed-out try', async () => {
    const { error, elapsedMs } = (await failure(new ArmContainerAppsGateway(new LocalDevCredential(), options()).getApp(app))) as { error: unknown; elapsedMs: number };
    expect(error).toMatchObject({ name: 'RestError', code: 'ETIMEDOUT' });
    expect(isTransientErrorCode((error as { code?: string }).code)).toBe(true);
    expect(requests).toBeGreaterThanOrEqual(2);
    expect(elapsedMs).toBeLessThan(15_000);
  });

  it('Container Apps: setTraffic (read, then write) fails instead of hanging', async () => {
    const { error } = (await failure(new ArmContainerAppsGateway(new LocalDevCredential(), options()).setTraffic(app, [{ revisionName: 'shop--a', weight: 100 }]))) as { error: unknown };
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('Jobs: getExecution fails with ETIMEDOUT', async () => {
    const { error } = (await failure(new ArmJobsGateway(new LocalDevCredential(), options()).getExecution({ ...app, name: 'migrate' }, 'migrate-1'))) as { error: unknown };
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    expect(requests).toBeGreaterThanOrEqual(2);
  });

  it('Key Vault: each try times out and is retried, instead of one try using the whole call budget', async () => {
    const reader = new KeyVaultSecretReader(url, new LocalDevCredential(), {
      disableChallengeResourceVerification: true,
      tlsCa: [fs.readFileSync(caCertPath, 'utf8')],
      requestTimeoutMs: 300,
    });
    const { error } = (await failure(reader.read('db-connection'))) as { error: Error };
    // Without a per-try timeout the one try hangs until the call's 10 s budget aborts it ("error").
    expect(error.message).toContain('ETIMEDOUT');
    expect(requests).toBeGreaterThan(1);
  });
});
