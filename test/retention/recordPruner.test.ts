/**
 * The daily prune on Azurite, over every kind of record at once: what is past the retention age
 * and no longer in use goes; what is in use stays whatever its age (a deployment not finished, the
 * current and previous releases and their deployments, failed and rolled-back releases, backups
 * retention still keeps, backups and drills in progress), and so does everything recent. Apps and
 * databases removed from the configuration keep their records until they have been gone for the
 * whole retention; one put back meanwhile keeps everything.
 */
import { Readable } from 'node:stream';
import { BackupBlobStore } from '../../src/adapters/backupStore/backupBlobStore';
import { BackupRecordStore } from '../../src/adapters/backupStore/backupRecordStore';
import { AbsenceStore } from '../../src/adapters/storage/absenceStore';
import { AppStateStore } from '../../src/adapters/storage/appStateStore';
import { DeliveryStore } from '../../src/adapters/storage/deliveryStore';
import { DeploymentStore } from '../../src/adapters/storage/deploymentStore';
import { HealthHistoryStore } from '../../src/adapters/storage/healthHistoryStore';
import { ReleaseLedgerStore } from '../../src/adapters/storage/releaseLedgerStore';
import { TableProvider } from '../../src/adapters/storage/tables';
import { pruneRecords, type PruneReport, type RecordPrunerDeps } from '../../src/activities/retention/recordPruner';
import { backupBlobName } from '../../src/domain/backup';
import { newDeploymentId, type DeploymentPhase } from '../../src/domain/deployment';
import { groupQueueKey } from '../../src/domain/deployment/groupDeployment';
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
let appState: AppStateStore;
let blobs: BackupBlobStore;

beforeAll(async () => {
  storage = await claimStorage();
  tables = new TableProvider({ connectionString: storage.connectionString });
  deployments = new DeploymentStore(tables);
  ledger = new ReleaseLedgerStore(tables);
  backups = new BackupRecordStore(tables);
  health = new HealthHistoryStore(tables, { retentionHours: 48 });
  deliveries = new DeliveryStore(tables);
  appState = new AppStateStore(tables);
  blobs = new BackupBlobStore({ connectionString: storage.connectionString }, 'backups');
});

/** The prune's dependencies: every store on this storage account, and what the configuration names. */
function deps(configured: { apps: string[]; groups?: string[]; databases: string[] }): RecordPrunerDeps {
  return { groups: [], ...configured, retentionDays: 90, deliveries, deployments, ledger, appState, backups, backupBlobs: blobs, healthHistory: health, absences: new AbsenceStore(tables) };
}

const NOTHING_REMOVED = { removedApps: [], removedDatabases: [], removedDatabaseBackups: 0 } satisfies Partial<PruneReport>;

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

  const report = await pruneRecords(deps({ apps: ['shop'], databases: ['shop-db'] }), NOW);

  expect(report).toEqual({ deliveries: 1, deliveryIds: 0, deployments: 2, releases: 1, failedBackups: 1, drills: 1, healthResults: 2, ...NOTHING_REMOVED });
  expect((await deployments.list({ app: 'shop' })).map((d) => d.id)).toEqual([recent, stuck, current, previous]);
  expect(await deployments.get(superseded)).toBeUndefined();
  expect(await deployments.get(failed)).toBeUndefined();
  expect((await ledger.list('shop')).map((r) => r.revisionName)).toEqual(['shop--cur', 'shop--prev', 'shop--bad']);
  expect((await backups.list('shop-db')).map((b) => `${b.backupId} ${b.state}`)).toEqual(['20250102T000000Z-bbbbbb Complete', '20250103T000000Z-cccccc Running', '20260530T000000Z-dddddd Failed']);
  expect((await backups.listDrills('shop-db')).map((d) => d.drillId)).toEqual(['running-drill']);
  expect((await health.list('shop', { limit: 10, now: new Date(0) })).length + (await health.list('gone', { limit: 10, now: new Date(0) })).length).toBe(1);

  // Nothing left to prune: a second run deletes nothing.
  expect(await pruneRecords(deps({ apps: ['shop'], databases: ['shop-db'] }), NOW)).toEqual({
    deliveries: 0, deliveryIds: 0, deployments: 0, releases: 0, failedBackups: 0, drills: 0, healthResults: 0, ...NOTHING_REMOVED,
  });
});

describe('apps and databases removed from the configuration', () => {
  const day = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
  const configured = { apps: ['shop'], databases: ['shop-db'] };
  const withOldOnesBack = { apps: ['shop', 'old-app'], groups: ['old-group'], databases: ['shop-db', 'old-db'] };
  const complete = '20250101T000000Z-aaaaaa';
  const running = '20250103T000000Z-cccccc';

  /** Everything kept of the removed app, release group and database, as the API and the sweep would read it. */
  async function whatIsKept() {
    return {
      releases: (await ledger.list('old-app')).map((r) => r.revisionName),
      paused: (await appState.get('old-app')).paused !== undefined,
      groupPaused: (await appState.get(groupQueueKey('old-group'))).paused !== undefined,
      healthState: await health.getState('old-app'),
      silences: (await health.getSilences('old-app')).length,
      backups: (await backups.list('old-db')).map((b) => `${b.backupId} ${b.state}`),
      blob: await blobs.exists(backupBlobName('old-db', complete)),
      claim: (await backups.getClaim('old-db'))?.backupId,
      alert: await backups.getAlertState('old-db', 'freshness'),
    };
  }

  beforeAll(async () => {
    // An app (a member of a release group) and a database with records from long ago.
    await ledger.update('old-app', 'old-app--v1', LONG_AGO(1).toISOString(), () => ({ verdict: 'failed' }));
    await ledger.update('old-app', 'old-app--v2', LONG_AGO(2).toISOString(), () => ({ verdict: 'verified' }));
    const paused = { at: LONG_AGO(2).toISOString(), reason: 'rolled back' };
    await appState.transact('old-app', (state) => ({ state: { ...state, paused }, result: undefined }));
    await appState.transact(groupQueueKey('old-group'), (state) => ({ state: { ...state, paused }, result: undefined }));
    await health.saveState('old-app', { verdict: 'healthy' });
    await health.changeSilences('old-app', () => ({ silences: [{ id: 's1', start: LONG_AGO(1).toISOString(), end: LONG_AGO(2).toISOString(), createdAt: LONG_AGO(1).toISOString() }], result: undefined }));
    const base = { trigger: 'schedule' as const, database: 'old-db' };
    await blobs.upload(backupBlobName('old-db', complete), Readable.from([Buffer.from('PGDMP archive')]), {});
    await backups.transition('old-db', complete, 'Complete', { ...base, backupId: complete, createdAt: LONG_AGO(1).toISOString() });
    await backups.transition('old-db', running, 'Running', { ...base, backupId: running, createdAt: LONG_AGO(3).toISOString() });
    await backups.claim('old-db', running, LONG_AGO(3).toISOString(), () => Promise.resolve(true));
    await backups.setAlertState('old-db', 'freshness', 'stale');
  });

  const everything = {
    releases: ['old-app--v2', 'old-app--v1'], paused: true, groupPaused: true, healthState: { verdict: 'healthy' }, silences: 1,
    backups: [`${complete} Complete`, `${running} Running`], blob: true, claim: running, alert: 'stale',
  };

  it('keeps every record of one removed by mistake and put back the next day, however old', async () => {
    await pruneRecords(deps(configured), day(0));
    await pruneRecords(deps(withOldOnesBack), day(1));
    expect(await whatIsKept()).toEqual(everything);
  });

  it('keeps them while it has been gone for less than the retention, counted from when it went', async () => {
    // Gone again from day 2 (being back on day 1 forgot the first absence).
    for (const at of [2, 50, 91]) expect(await pruneRecords(deps(configured), day(at))).toMatchObject(NOTHING_REMOVED);
    expect(await whatIsKept()).toEqual(everything);
  });

  it('prunes them once gone for the retention: releases, states and silences, Complete backups with their blobs; a backup in progress stays', async () => {
    const report = await pruneRecords(deps(configured), day(92));
    expect(report).toMatchObject({ removedApps: [groupQueueKey('old-group'), 'old-app'], removedDatabases: ['old-db'], removedDatabaseBackups: 1, releases: 2 });
    expect(await whatIsKept()).toEqual({ releases: [], paused: false, groupPaused: false, healthState: undefined, silences: 0, backups: [`${running} Running`], blob: false, claim: undefined, alert: undefined });
    // The configured ones are untouched.
    expect((await ledger.list('shop')).map((r) => r.revisionName)).toEqual(['shop--cur', 'shop--prev', 'shop--bad']);
  });
});
