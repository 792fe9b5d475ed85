import { chooseRollbackTarget, migrationsCrossed, type Release, type RollbackFacts } from '../../../src/domain/rollout';

const digest = (n: number) => 'sha256:' + String(n).repeat(64).slice(0, 64);
const release = (n: number, verdict: Release['verdict'], extra: Partial<Release> = {}): Release => ({
  app: 'sound-forge',
  revisionName: `sfa-app--r${n}`,
  image: `sfa.azurecr.io/sfa@${digest(n)}`,
  digest: digest(n),
  tag: `4.${n}.0`,
  verdict,
  createdAt: `2026-01-0${n}T00:00:00.000Z`,
  updatedAt: `2026-01-0${n}T00:00:00.000Z`,
  ...extra,
});

function facts(releases: Release[], serving: string, extra: Partial<RollbackFacts> = {}): RollbackFacts {
  return {
    containerAppName: 'sfa-app',
    mode: 'Multiple',
    serving,
    releases,
    revisions: releases.map((r) => ({ name: r.revisionName, image: r.image, active: true, provisioningState: 'Provisioned' })),
    policy: 'keep-schema',
    ...extra,
  };
}

describe('choosing where a rollback goes', () => {
  // The README demo: 4.1 baseline, 4.2 promoted, 4.3 failed its health checks and was rolled back.
  const demo = [release(1, 'superseded'), release(2, 'verified', { migration: { executionName: 'sfa-migrate-2', backupId: 'b2', database: 'sfa-db' } }), release(3, 'failed', { reason: '3 failed health checks' })];

  it('never picks the release that just failed: the newest safe one other than the serving one', () => {
    const plan = chooseRollbackTarget(facts(demo, 'sfa-app--r2'), {});
    expect(plan).toMatchObject({ ok: true, target: { revisionName: 'sfa-app--r1' }, from: { revisionName: 'sfa-app--r2' }, forced: false });
  });

  it('refuses a failed or rolled-back target unless forced', () => {
    expect(chooseRollbackTarget(facts(demo, 'sfa-app--r2'), { release: '4.3.0' })).toMatchObject({ ok: false, status: 409, reason: expect.stringMatching(/failed.*force/) });
    expect(chooseRollbackTarget(facts(demo, 'sfa-app--r2'), { revision: 'r3', force: true })).toMatchObject({ ok: true, forced: true, target: { revisionName: 'sfa-app--r3' } });
  });

  it('409 when nothing safe is left, 404 for an unknown revision or release', () => {
    expect(chooseRollbackTarget(facts([release(1, 'baseline')], 'sfa-app--r1'), {})).toMatchObject({ ok: false, status: 409 });
    expect(chooseRollbackTarget(facts(demo, 'sfa-app--r2'), { revision: 'nope' })).toMatchObject({ ok: false, status: 404, field: 'revision' });
    expect(chooseRollbackTarget(facts(demo, 'sfa-app--r2'), { release: '9.9.9' })).toMatchObject({ ok: false, status: 404, field: 'release' });
    expect(chooseRollbackTarget(facts(demo, 'sfa-app--r2'), { revision: 'r2' })).toMatchObject({ ok: false, status: 409, reason: expect.stringMatching(/already serving/) });
  });

  it('Multiple mode needs the revision to exist; Single mode re-applies the recorded image', () => {
    const gone = facts(demo, 'sfa-app--r2', { revisions: [{ name: 'sfa-app--r2', active: true }] });
    expect(chooseRollbackTarget(gone, {})).toMatchObject({ ok: false, status: 409 });
    expect(chooseRollbackTarget({ ...gone, mode: 'Single' }, {})).toMatchObject({ ok: true, target: { revisionName: 'sfa-app--r1' }, reactivate: false });
  });

  it('an inactive target in Multiple mode is reactivated first', () => {
    const inactive = facts(demo, 'sfa-app--r2', { revisions: demo.map((r) => ({ name: r.revisionName, image: r.image, active: r.revisionName === 'sfa-app--r2' })) });
    expect(chooseRollbackTarget(inactive, {})).toMatchObject({ ok: true, reactivate: true });
  });

  it('knows which migrations a rollback crosses, and block refuses them unless forced', () => {
    const target = demo[0];
    expect(migrationsCrossed(demo, target).map((r) => r.revisionName)).toEqual(['sfa-app--r2']);
    const blocked = chooseRollbackTarget(facts(demo, 'sfa-app--r2', { policy: 'block' }), {});
    expect(blocked).toMatchObject({ ok: false, status: 409, reason: expect.stringMatching(/crosses the migration of 4\.2\.0 \(sfa-migrate-2\).*block/) });
    expect(chooseRollbackTarget(facts(demo, 'sfa-app--r2', { policy: 'block' }), { force: true })).toMatchObject({ ok: true, crossedMigrations: [{ revisionName: 'sfa-app--r2' }] });
    const downDone = demo.map((r) => (r.revisionName === 'sfa-app--r2' ? { ...r, migration: { ...r.migration, down: { outcome: 'Succeeded' } } } : r));
    expect(migrationsCrossed(downDone, target)).toEqual([]);
  });
});
