/**
 * Analysis runs in the deployment record, on Azurite: each run replaces the stored run of the
 * same step and check (a replayed update changes nothing), and runs too many to fit in one Table
 * property keep their newest measurements and verdicts instead of failing the write (which would
 * fail the deployment).
 */
import { newDeploymentId, type AnalysisRunRecord } from '../../src/domain/deployment';
import { DeploymentStore, fitAnalysis } from '../../src/adapters/storage/deploymentStore';
import { TableProvider } from '../../src/adapters/storage/tables';
import { claimStorage } from '../support/sharedServices';

jest.setTimeout(60_000);

let storage: Awaited<ReturnType<typeof claimStorage>>;
let store: DeploymentStore;

beforeAll(async () => {
  storage = await claimStorage();
  store = new DeploymentStore(new TableProvider({ connectionString: storage.connectionString }));
});

afterAll(async () => {
  await storage?.stop();
});

function run(stepIndex: number, check: string, measurements: number, verdict: AnalysisRunRecord['verdict'] = 'running'): AnalysisRunRecord {
  return {
    stepIndex,
    at: stepIndex === 9 ? 'bake' : '10 %',
    check,
    verdict,
    reason: `${check}: ${measurements} measurements`,
    measurements: Array.from({ length: measurements }, (_, i) => ({
      check,
      at: new Date(Date.UTC(2026, 11, 2, 1, 0, i)).toISOString(),
      outcome: 'successful' as const,
      value: 0.01 * i,
      window: { start: '2026-12-02T00:55:00.000Z', end: new Date(Date.UTC(2026, 11, 2, 1, 0, i)).toISOString() },
      reason: `${0.01 * i}, ${i} of 1000 requests 5xx meets successCondition "value <= 0.05"`.padEnd(300, '.'),
    })),
  };
}

async function created(nonce: string): Promise<string> {
  const id = newDeploymentId('shop', new Date('2026-12-02T01:00:00.000Z'), nonce);
  await store.create({ id, app: 'shop', image: { registry: 'r.azurecr.io', repository: 'shop', digest: `sha256:${'a'.repeat(64)}` }, source: 'test', at: '2026-12-02T01:00:00.000Z' });
  return id;
}

describe('analysis runs in the deployment record', () => {
  it('a run replaces the stored run of its step and check; others are kept', async () => {
    const id = await created('merge');
    await store.update(id, 'shop', '2026-12-02T01:00:01.000Z', { analysis: [run(7, 'error-rate', 1), run(7, 'latency', 1)] });
    await store.update(id, 'shop', '2026-12-02T01:00:02.000Z', { analysis: [run(7, 'error-rate', 2, 'successful')] });
    await store.update(id, 'shop', '2026-12-02T01:00:02.000Z', { analysis: [run(7, 'error-rate', 2, 'successful')] });
    const record = await store.get(id);
    expect(record?.analysis?.map((r) => `${r.stepIndex} ${r.check} ${r.verdict} ${r.measurements.length}`)).toEqual(['7 error-rate successful 2', '7 latency running 1']);
  });

  it('runs too large for one property keep their newest measurements, and the write succeeds', async () => {
    const id = await created('large');
    const runs = [run(5, 'error-rate', 30), run(7, 'error-rate', 30), run(9, 'error-rate', 30, 'failed')];
    expect(JSON.stringify(runs).length).toBeGreaterThan(32_768);
    await store.update(id, 'shop', '2026-12-02T01:00:01.000Z', { analysis: runs });
    const record = await store.get(id);
    expect(record?.analysis?.map((r) => r.verdict)).toEqual(['running', 'running', 'failed']);
    expect(JSON.stringify(record?.analysis).length).toBeLessThanOrEqual(30_000);
    for (const stored of record!.analysis!) {
      expect(stored.measurements.length).toBeGreaterThan(0);
      expect(stored.measurements.at(-1)?.at).toBe(new Date(Date.UTC(2026, 11, 2, 1, 0, 29)).toISOString());
    }
  });

  it('at worst only the newest verdicts are kept', () => {
    const runs = Array.from({ length: 400 }, (_, i) => run(i, `check-${i}`, 5));
    const fitted = fitAnalysis(runs);
    expect(JSON.stringify(fitted).length).toBeLessThanOrEqual(30_000);
    expect(fitted.at(-1)).toMatchObject({ stepIndex: 399, measurements: [] });
  });
});
