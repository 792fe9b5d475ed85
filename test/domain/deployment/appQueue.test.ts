import { decideRequest, finishRunning, isAutomatic, pauseAutomatic, resumeAutomatic, startRollback, type AppQueueState, type DeploymentRequest } from '../../../src/domain/deployment';
import { WEBHOOK_SOURCES } from '../../../src/domain/push/imagePushed';

const digest = (n: number) => 'sha256:' + String(n).repeat(64).slice(0, 64);
const req = (n: number, source: DeploymentRequest['source'] = 'acr'): DeploymentRequest => ({
  app: 'web',
  deploymentId: `d${n}`,
  digest: digest(n),
  tag: `1.${n}.0`,
  registry: 'r.azurecr.io',
  repository: 'web',
  source,
  deliveryId: `delivery-${n}`,
  receivedAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z`,
});
const idle: AppQueueState = { app: 'web', queued: [] };
const pause = { at: '2026-01-01T00:01:00.000Z', reason: 'manual rollback' };

describe('the app queue: running, queued, paused in one place', () => {
  it('every webhook source is automatic, including any added later; only a person is not', () => {
    for (const source of WEBHOOK_SOURCES) expect(isAutomatic(source)).toBe(true);
    expect(isAutomatic('reconcile')).toBe(true);
    expect(isAutomatic('manual')).toBe(false);
    expect(isAutomatic('rollback')).toBe(false);
  });

  it('a paused app ignores automatic pushes and still takes a manual deploy', () => {
    const paused = pauseAutomatic(idle, pause).state;
    expect(decideRequest(paused, req(1)).result.decision).toBe('ignored');
    expect(decideRequest(paused, req(2, 'manual')).result.decision).toBe('started');
    expect(resumeAutomatic(paused).state.paused).toBeUndefined();
  });

  it('a rollback runs as the one running deployment and pauses; pushes queue behind it', () => {
    const started = startRollback(idle, req(1, 'rollback'), pause);
    expect(started.result.started).toBe(true);
    expect(started.state).toMatchObject({ running: { deploymentId: 'd1' }, paused: pause });
    expect(decideRequest(started.state, req(2, 'manual')).result.decision).toBe('queued');
    const busy = startRollback(started.state, req(3, 'rollback'), pause);
    expect(busy.result).toMatchObject({ started: false, running: { deploymentId: 'd1' } });
  });

  it('a finished rollback records the digest it restored as deployed', () => {
    const rolling = startRollback({ ...idle, deployedDigest: digest(5), deployedTag: '1.5.0' }, req(1, 'rollback'), pause).state;
    const done = finishRunning(rolling, { deploymentId: 'd1', succeeded: true, tag: '1.1.0', servingDigest: digest(1) });
    expect(done.state).toMatchObject({ deployedDigest: digest(1), deployedTag: '1.1.0' });
    // The digest rolled away from can be deployed again: it is no longer "already deployed".
    expect(decideRequest(resumeAutomatic(done.state).state, req(5, 'manual')).result.decision).toBe('started');
  });

  it('finishing twice returns the next deployment it already chose (a retried finish still starts it)', () => {
    const running: AppQueueState = { ...idle, running: req(1), queued: [req(2, 'manual')] };
    const first = finishRunning(running, { deploymentId: 'd1', succeeded: true });
    expect(first.result.next?.deploymentId).toBe('d2');
    const again = finishRunning(first.state, { deploymentId: 'd1', succeeded: true });
    expect(again.result.next?.deploymentId).toBe('d2');
    expect(again.state).toBe(first.state);
  });

  it('a failed deployment leaves what was deployed, or what the caller says serves', () => {
    const running: AppQueueState = { ...idle, running: req(2), deployedDigest: digest(1), deployedTag: '1.1.0' };
    expect(finishRunning(running, { deploymentId: 'd2', succeeded: false }).state).toMatchObject({ deployedDigest: digest(1), deployedTag: '1.1.0' });
  });

  it('a push the registry made before the deployed or running release is stale, never deployed (late or replayed deliveries)', () => {
    const at = (minute: number) => `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z`;
    const pushed = (n: number, minute: number, source: DeploymentRequest['source'] = 'eventgrid'): DeploymentRequest => ({ ...req(n, source), pushedAt: at(minute) });
    // main-42 (pushed at :42) runs; Event Grid retries main-41 (pushed at :41).
    const running = decideRequest(idle, pushed(42, 42)).state;
    expect(decideRequest(running, pushed(41, 41)).result).toMatchObject({ decision: 'stale', reason: expect.stringMatching(/before the running deployment's push/) });
    const deployed = finishRunning(running, { deploymentId: 'd42', succeeded: true }).state;
    expect(deployed.deployedPushedAt).toBe(at(42));
    expect(decideRequest(deployed, pushed(41, 41)).result.decision).toBe('stale');
    // A newer push goes; so does a person's deploy of the old build, and a push with no time (Docker Hub).
    expect(decideRequest(deployed, pushed(43, 43)).result.decision).toBe('started');
    expect(decideRequest(deployed, pushed(41, 41, 'manual')).result.decision).toBe('started');
    expect(decideRequest(deployed, req(41, 'dockerhub')).result.decision).toBe('started');
  });
});
