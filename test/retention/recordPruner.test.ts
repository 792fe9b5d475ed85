/**
 * The daily prune on Azurite, over every kind of record at once: what is past the retention age
 * and no longer in use goes; what is in use stays whatever its age (a deployment not finished, the
 * current and previous releases and their deployments, failed and rolled-back releases, backups
 * retention still keeps, backups and drills in progress), and so does everything recent.
 */
import { BackupRecordStore } from '../../src/adapters/backupStore/backupRecordStore';
import { DeliveryStore } from '../../src/adapters/storage/deliveryStore';
import { DeploymentStore } from '../../src/adapters/storage/deploymentStore';
import { HealthHistoryStore } from '../../src/adapters/storage/healthHistoryStore';
import { ReleaseLedgerStore } from '../../src/adapters/storage/releaseLedgerStore';
import { TableProvider } from '../../src/adapters/storage/tables';
import { pruneRecords } from '../../src/activities/retention/recordPruner';
import { newDeploymentId, type DeploymentPhase } from '../../src/domain/deployment';
import type { ReleaseVerdict } from '../../src/domain/rollout';
import { claimStorage } from '../support/sharedServices';

jest.setTimeout(60_000);

const NOW = new Date('2026-06-01T00:00:00Z');
const LONG_AGO = (day: number) => new Date(Date.UTC(2025, 0, day));
const LATELY = new Date('2026-05-30T00:00:00Z');

let storage: Awaited<ReturnType<typeof claimStorage>>;
let tables: TableProvider;
let deployments: DeploymentStore;
let ledger: ReleaseLedgerStore;
let backups: BackupRecordStore;
let health: HealthHistoryStore;
let deliveries: DeliveryStore;

beforeAll(async () => {
  storage = await claimStorage();
  tables = new TableProvider({ connectionString: storage.connectionString });
  deployments = new DeploymentStore(tables);
  ledger = new ReleaseLedgerStore(tables);
  backups = new BackupRecordStore(tables);
  health = new HealthHistoryStore(tables, { retentionHours: 48 });
  deliveries = new DeliveryStore(tables);
});

afterAll(async () => {
  await storage?.stop();
});

async function deployment(at: Date, nonce: string, phase: DeploymentPhase, verdict?: ReleaseVerdict): Promise<string> {
  const id = newDeploymentId('shop', at, nonce);
  await deployments.create({ id, app: 'shop', image: { registry: 'r.azurecr.io', repository: 'shop', digest: `sha256:${'a'.repeat(64)}` }, source: 'test', at: at.toISOString(), phase });
  if (verdict) await ledger.update('shop', `shop--${nonce}`, at.toISOString(), () => ({ verdict, deploymentId: id }));
  return id;
}

it('deletes what is past the retention and no longer in use, keeps the rest', async () => {
  const superseded = await deployment(LONG_AGO(1), 'sup', 'succeeded', 'superseded');
  const failed = await deployment(LONG_AGO(2), 'bad', 'rolled-back', 'failed');
  const previous = await deployment(LONG_AGO(3), 'prev', 'succeeded', 'retired');
  const current = await deployment(LONG_AGO(4), 'cur', 'succeeded', 'verified');
  const stuck = await deployment(LONG_AGO(5), 'stuck', 'awaiting-approval');
  const recent = await deployment(LATELY, 'new', 'succeeded');

  const complete = { trigger: 'schedule' as const, database: 'shop-db' };
  await backups.transition('shop-db', '20250101T000000Z-aaaaaa', 'Failed', { ...complete, backupId: '20250101T000000Z-aaaaaa', createdAt: LONG_AGO(1).toISOString(), reason: 'pg_dump failed' });
  await backups.transition('shop-db', '20250102T000000Z-bbbbbb', 'Complete', { ...complete, backupId: '20250102T000000Z-bbbbbb', createdAt: LONG_AGO(2).toISOString() });
  await backups.transition('shop-db', '20250103T000000Z-cccccc', 'Running', { ...complete, backupId: '20250103T000000Z-cccccc', createdAt: LONG_AGO(3).toISOString() });
  await backups.transition('shop-db', '20260530T000000Z-dddddd', 'Failed', { ...complete, backupId: '20260530T000000Z-dddddd', createdAt: LATELY.toISOString() });
  await backups.putDrill({ database: 'shop-db', drillId: 'old-drill', backupId: '20250102T000000Z-bbbbbb', state: 'Passed', createdAt: LONG_AGO(2).toISOString() });
  await backups.putDrill({ database: 'shop-db', drillId: 'running-drill', backupId: '20250102T000000Z-bbbbbb', state: 'Running', createdAt: LONG_AGO(3).toISOString() });

  // Health results: `gone` is an app no longer configured; the sweep never prunes it.
  await health.append('gone', new Date(NOW.getTime() - 72 * 3_600_000), 'a', { verdict: 'healthy' });
  await health.append('shop', new Date(NOW.getTime() - 72 * 3_600_000), 'b', { verdict: 'healthy' });
  await health.append('shop', new Date(NOW.getTime() - 3_600_000), 'c', { verdict: 'healthy' });

  await deliveries.add({ id: 'old-push', source: 'acr', receivedAt: LONG_AGO(1).toISOString(), app: 'shop', decision: 'ignored', reason: 'old' });

  const report = await pruneRecords({ apps: ['shop'], retentionDays: 90, deliveries, deployments, ledger, backups, healthHistory: health }, NOW);

  expect(report).toEqual({ deliveries: 1, deliveryIds: 0, deployments: 2, releases: 1, failedBackups: 1, drills: 1, healthResults: 2 });
  expect((await deployments.list({ app: 'shop' })).map((d) => d.id)).toEqual([recent, stuck, current, previous]);
  expect(await deployments.get(superseded)).toBeUndefined();
  expect(await deployments.get(failed)).toBeUndefined();
  expect((await ledger.list('shop')).map((r) => r.revisionName)).toEqual(['shop--cur', 'shop--prev', 'shop--bad']);
  expect((await backups.list('shop-db')).map((b) => `${b.backupId} ${b.state}`)).toEqual(['20250102T000000Z-bbbbbb Complete', '20250103T000000Z-cccccc Running', '20260530T000000Z-dddddd Failed']);
  expect((await backups.listDrills('shop-db')).map((d) => d.drillId)).toEqual(['running-drill']);
  expect((await health.list('shop', { limit: 10, now: new Date(0) })).length + (await health.list('gone', { limit: 10, now: new Date(0) })).length).toBe(1);

  // Nothing left to prune: a second run deletes nothing.
  expect(await pruneRecords({ apps: ['shop'], retentionDays: 90, deliveries, deployments, ledger, backups, healthHistory: health }, NOW)).toEqual({
    deliveries: 0, deliveryIds: 0, deployments: 0, releases: 0, failedBackups: 0, drills: 0, healthResults: 0,
  });
});
