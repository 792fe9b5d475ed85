import { judgePlatform, type PlatformOutcome, type RevisionStateReading } from '../../../src/domain/health';

const fixed = { scaleToZero: false };
const scalesToZero = { scaleToZero: true };

describe('judgePlatform: Container Apps 2026-07-01 revision states', () => {
  it.each<[string, RevisionStateReading, typeof fixed, PlatformOutcome, boolean, RegExp]>([
    ['provisioning Failed is terminal unhealthy, quoting provisioningError',
      { provisioningState: 'Failed', provisioningError: 'image pull failed: manifest unknown' }, fixed, 'unhealthy', true, /provisioning failed: image pull failed: manifest unknown/],
    ['Provisioning is starting', { provisioningState: 'Provisioning', runningState: 'Processing' }, fixed, 'starting', false, /starting/],
    ['Processing is starting', { provisioningState: 'Provisioned', runningState: 'Processing' }, fixed, 'starting', false, /starting/],
    ['Activating (reported by the portal, not in the spec enum) is starting', { provisioningState: 'Provisioned', runningState: 'Activating' }, fixed, 'starting', false, /running Activating/],
    ['Activation failed is terminal unhealthy', { provisioningState: 'Provisioned', runningState: 'Activation failed' }, fixed, 'unhealthy', true, /failed to run/],
    ['running Failed is terminal unhealthy', { provisioningState: 'Provisioned', runningState: 'Failed' }, fixed, 'unhealthy', true, /failed to run/],
    ['running Degraded is unhealthy but may recover', { provisioningState: 'Provisioned', runningState: 'Degraded', replicas: 1 }, fixed, 'unhealthy', false, /degraded/],
    ['Stopped is terminal unhealthy', { provisioningState: 'Provisioned', runningState: 'Stopped' }, fixed, 'unhealthy', true, /stopped/],
    ['an inactive revision is terminal unhealthy', { provisioningState: 'Provisioned', runningState: 'Running', active: false }, fixed, 'unhealthy', true, /inactive/],
    ['Deprovisioning is terminal unhealthy', { provisioningState: 'Deprovisioning' }, fixed, 'unhealthy', true, /being removed/],
    ['Running and Healthy is healthy', { provisioningState: 'Provisioned', runningState: 'Running', healthState: 'Healthy', replicas: 2 }, fixed, 'healthy', false, /running \(provisioning Provisioned, running Running, health Healthy, 2 replicas\)/],
    ['Running with health None (no probes) is healthy', { runningState: 'Running', healthState: 'None', replicas: 1 }, fixed, 'healthy', false, /running/],
    ['the ARM fixture (Running, 1 replica, no other states) is healthy', { active: true, replicas: 1, runningState: 'Running' }, fixed, 'healthy', false, /1 replica\)/],
    ['Running but health Unhealthy is unhealthy, not terminal', { runningState: 'Running', healthState: 'Unhealthy', replicas: 1 }, fixed, 'unhealthy', false, /reported unhealthy/],
    ['Running with 0 replicas is still starting when the app does not scale to zero', { runningState: 'Running', replicas: 0 }, fixed, 'starting', false, /no replica ready/],
    ['Running with 0 replicas is healthy and idle when the app scales to zero', { runningState: 'Running', replicas: 0 }, scalesToZero, 'healthy', false, /scaled to zero/],
    ['Provisioned with no running state yet is starting', { provisioningState: 'Provisioned' }, fixed, 'starting', false, /not yet reported running/],
    ['running Unknown (a spec value) is unknown but retriable', { provisioningState: 'Provisioned', runningState: 'Unknown' }, fixed, 'unknown', false, /Unknown/],
    ['no state at all is unknown but retriable', {}, fixed, 'unknown', false, /no state/],
    ['a running state outside the known values ends as unknown with its value', { provisioningState: 'Provisioned', runningState: 'Hibernating' }, fixed, 'unknown', true, /runningState "Hibernating" is not a state we know/],
    ['a provisioning state outside the known values ends as unknown', { provisioningState: 'Upgrading' }, fixed, 'unknown', true, /provisioningState "Upgrading"/],
    ['a health state outside the known values ends as unknown', { runningState: 'Running', healthState: 'Sickly' }, fixed, 'unknown', true, /healthState "Sickly"/],
  ])('%s', (_rule, revision, opts, outcome, terminal, reason) => {
    const judgement = judgePlatform(revision, opts);
    expect(judgement).toMatchObject({ outcome, terminal });
    expect(judgement.reason).toMatch(reason);
  });

  it('marks only the scaled-to-zero case as idle', () => {
    expect(judgePlatform({ runningState: 'Running', replicas: 0 }, scalesToZero).idle).toBe(true);
    expect(judgePlatform({ runningState: 'Running', replicas: 1 }, scalesToZero).idle).toBeUndefined();
  });

  it('compares states ignoring case, spaces and underscores', () => {
    expect(judgePlatform({ provisioningState: 'provisioned', runningState: 'RUNNING', healthState: 'healthy', replicas: 1 }, fixed).outcome).toBe('healthy');
  });

  it('never quotes a secret from provisioningError', () => {
    const judgement = judgePlatform({ provisioningState: 'Failed', provisioningError: 'pull from https://user:ghp_abcdefghijklmnopqrstuvwxyz0123@reg.io failed' }, fixed);
    expect(judgement.reason).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123');
  });
});
