/**
 * Verify resolves the tag again: a push whose tag has since been moved to another digest (a late
 * Event Grid retry, a replayed delivery, a re-push) is refused as stale instead of deployed. Against
 * the registry simulator through the product's OciRegistryClient and connect-to seam.
 */
import https from 'node:https';
import { createDeploymentActivities, type DeploymentActivityPorts } from '../../src/activities/deployment/createDeploymentActivities';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import { OciRegistryClient } from '../../src/adapters/registry/ociRegistryClient';
import { InMemoryImageCatalog } from '../../simulators/imageCatalog';
import { createRegistryModule } from '../../simulators/registry/registryModule';
import { startSimulator, type RunningSimulator } from '../../simulators/server';

jest.setTimeout(60_000);

let sim: RunningSimulator;
let agent: ReturnType<typeof createHttpAgent>;

beforeAll(async () => {
  sim = await startSimulator({ modules: [createRegistryModule({ imageCatalog: new InMemoryImageCatalog() })] });
  agent = createHttpAgent({ connectTo: `*.azurecr.io=127.0.0.1:${sim.port}`, caCertPath: sim.caCertPath });
});

afterAll(async () => {
  await agent?.close();
  await sim?.stop();
});

function push(repository: string, tag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sim.url}/_sim/registry/push`, { method: 'POST', agent: sim.httpsAgent, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve((JSON.parse(text) as { digest: string }).digest));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ repository, tag }));
  });
}

function activities() {
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used by verify')) });
  return createDeploymentActivities({ registry: new OciRegistryClient(agent, sim.credential), containerApps: unused, jobs: unused, probe: unused, deployments: unused, notify: unused } as unknown as DeploymentActivityPorts);
}

const image = (tag: string, digest: string) => ({ registry: 'simregistry.azurecr.io', repository: 'shop/api', tag, digest });

describe('verifyImage resolves the tag', () => {
  it('the tag still names the digest: verified', async () => {
    const digest = await push('shop/api', 'main-40');
    expect(await activities().verifyImage({ image: image('main-40', digest), platform: 'linux/amd64' })).toMatchObject({ ok: true, digest });
  });

  it('the tag was pushed again since: the older digest is refused as stale, naming both', async () => {
    const first = await push('shop/api', 'main-41');
    const second = await push('shop/api', 'main-41');
    const result = await activities().verifyImage({ image: image('main-41', first), platform: 'linux/amd64' });
    expect(result).toEqual({ ok: false, reason: `stale: tag main-41 now names ${second}, not ${first}` });
  });

  it('a push by digest alone (no tag) is verified by digest only', async () => {
    const digest = await push('shop/api', 'main-42');
    await push('shop/api', 'main-42');
    const { tag: _tag, ...byDigest } = image('main-42', digest);
    expect(await activities().verifyImage({ image: byDigest, platform: 'linux/amd64' })).toMatchObject({ ok: true });
  });
});
