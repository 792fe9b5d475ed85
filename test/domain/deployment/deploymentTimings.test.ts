import { deploymentTimings, type DeploymentRecord, type StepRecord } from '../../../src/domain/deployment';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
const step = (name: StepRecord['step'], outcome: StepRecord['outcome'], from: number, to?: number, detail?: string): StepRecord => ({ step: name, outcome, startedAt: at(from), ...(to === undefined ? {} : { endedAt: at(to) }), ...(detail ? { detail } : {}) });

function record(overrides: Partial<DeploymentRecord>): DeploymentRecord {
  return {
    id: 'sound-forge-1', app: 'sound-forge', kind: 'deploy', phase: 'succeeded',
    image: { registry: 'sfa.azurecr.io', repository: 'sfa', tag: '4.2.0', digest: `sha256:${'a'.repeat(64)}` },
    source: 'acr', createdAt: at(0), updatedAt: at(60), steps: [], ...overrides,
  };
}

describe('deploymentTimings: what the record says about time', () => {
  it('spans the deployment from request to its last update, and each step from its start to its end', () => {
    const timings = deploymentTimings(record({ steps: [step('verify', 'succeeded', 1, 2), step('deploy', 'succeeded', 2, 12), step('health-wait', 'succeeded', 12, 42), step('promote', 'succeeded', 42, 43)] }));
    expect(timings.seconds).toBe(60);
    expect(timings.steps.map((s) => [s.step, s.seconds])).toEqual([['verify', 1], ['deploy', 10], ['health-wait', 30], ['promote', 1]]);
    expect(timings.timeToRollback).toBeUndefined();
  });

  it('ends a step still open with the record', () => {
    expect(deploymentTimings(record({ phase: 'failed', steps: [step('migration', 'running', 5)] })).steps[0]).toMatchObject({ endedAt: at(60), seconds: 55 });
  });

  it('time to rollback: from the failed check to traffic restored', () => {
    const timings = deploymentTimings(record({
      phase: 'rolled-back',
      steps: [step('deploy', 'succeeded', 0, 5), step('health-wait', 'failed', 5, 35, 'HTTP 503'), step('rollback', 'succeeded', 38, 38)],
    }));
    expect(timings.timeToRollback).toEqual({ seconds: 3, trigger: 'automatic' });
  });

  it('time to rollback of a rejection: from the rejected approval', () => {
    const timings = deploymentTimings(record({ phase: 'rejected', steps: [step('approval', 'failed', 10, 100), step('rollback', 'succeeded', 101, 104)] }));
    expect(timings.timeToRollback).toEqual({ seconds: 4, trigger: 'automatic' });
  });

  it('a manual rollback is all rollback: from the request to its end', () => {
    expect(deploymentTimings(record({ kind: 'rollback', updatedAt: at(25) })).timeToRollback).toEqual({ seconds: 25, trigger: 'manual' });
  });

  it('no time to rollback when the rollback itself failed', () => {
    expect(deploymentTimings(record({ phase: 'failed', steps: [step('health-wait', 'failed', 5, 35), step('rollback', 'failed', 36, 36)] })).timeToRollback).toBeUndefined();
  });
});
