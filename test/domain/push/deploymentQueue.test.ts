import { nextFromQueue, submitDeployment, type AppDeploymentState, type DeploymentEnd, type DeploymentRequest, type QueueDecision } from '../../../src/domain/push';

const digest = (n: number) => 'sha256:' + String(n).repeat(64).slice(0, 64);
/** Request n: digest n, received at second n of the minute. */
const req = (n: number, receivedSecond = n): DeploymentRequest => ({
  app: 'shop-web',
  digest: digest(n),
  tag: `v1.${n}.0`,
  source: 'acr',
  deliveryId: `delivery-${n}`,
  receivedAt: `2025-01-01T00:00:${String(receivedSecond).padStart(2, '0')}.000Z`,
});
const idle: AppDeploymentState = { queued: [] };

type Step =
  | { submit: DeploymentRequest; expect: QueueDecision; supersedes?: string[] }
  | { end: DeploymentEnd; starts?: string; supersedes?: string[] };

/** Ticks the rules through a sequence, asserting each decision; returns the final state. */
function run(steps: Step[], initial: AppDeploymentState = idle): AppDeploymentState {
  let state = initial;
  steps.forEach((step, index) => {
    const where = `step ${index + 1}`;
    if ('submit' in step) {
      const outcome = submitDeployment(state, step.submit);
      expect({ where, decision: outcome.decision }).toEqual({ where, decision: step.expect });
      expect({ where, superseded: outcome.superseded.map((r) => r.deliveryId) }).toEqual({ where, superseded: step.supersedes ?? [] });
      state = outcome.state;
    } else {
      const outcome = nextFromQueue(state, step.end);
      expect({ where, starts: outcome.next?.deliveryId }).toEqual({ where, starts: step.starts });
      expect({ where, superseded: outcome.superseded.map((r) => r.deliveryId) }).toEqual({ where, superseded: step.supersedes ?? [] });
      state = outcome.state;
    }
  });
  return state;
}

describe('one deployment at a time per app, newest wins', () => {
  it.each<[string, Step[], AppDeploymentState]>([
    ['an idle app starts the request at once', [{ submit: req(1), expect: 'started' }], { running: req(1), queued: [] }],
    [
      'a request while one runs is queued',
      [{ submit: req(1), expect: 'started' }, { submit: req(2), expect: 'queued' }],
      { running: req(1), queued: [req(2)] },
    ],
    [
      'a newer request replaces the queued one, which is superseded',
      [{ submit: req(1), expect: 'started' }, { submit: req(2), expect: 'queued' }, { submit: req(3), expect: 'queued', supersedes: ['delivery-2'] }],
      { running: req(1), queued: [req(3)] },
    ],
    [
      'when the running one is promoted the queued one starts and the digest counts as deployed',
      [{ submit: req(1), expect: 'started' }, { submit: req(2), expect: 'queued' }, { end: 'promoted', starts: 'delivery-2' }],
      { running: req(2), queued: [], deployedDigest: digest(1) },
    ],
    [
      'when the running one fails the queued one starts and the deployed digest stays',
      [{ submit: req(1), expect: 'started' }, { submit: req(2), expect: 'queued' }, { end: 'failed', starts: 'delivery-2' }],
      { running: req(2), queued: [] },
    ],
    [
      'an ended deployment with nothing queued leaves the app idle',
      [{ submit: req(1), expect: 'started' }, { end: 'promoted' }],
      { queued: [], deployedDigest: digest(1) },
    ],
    [
      'the same digest as the running one is a duplicate',
      [{ submit: req(1), expect: 'started' }, { submit: { ...req(1), deliveryId: 'retry', receivedAt: req(5).receivedAt }, expect: 'duplicate' }],
      { running: req(1), queued: [] },
    ],
    [
      'the same digest as the queued one is a duplicate',
      [{ submit: req(1), expect: 'started' }, { submit: req(2), expect: 'queued' }, { submit: { ...req(2), deliveryId: 'again', receivedAt: req(5).receivedAt }, expect: 'duplicate' }],
      { running: req(1), queued: [req(2)] },
    ],
    [
      'the deployed digest is a duplicate once promoted',
      [{ submit: req(1), expect: 'started' }, { end: 'promoted' }, { submit: { ...req(1), deliveryId: 'late-retry', receivedAt: req(9).receivedAt }, expect: 'duplicate' }],
      { queued: [], deployedDigest: digest(1) },
    ],
    [
      'a failed digest can be tried again (it was never deployed)',
      [{ submit: req(1), expect: 'started' }, { end: 'failed' }, { submit: { ...req(1), receivedAt: req(9).receivedAt }, expect: 'started' }],
      { running: { ...req(1), receivedAt: req(9).receivedAt }, queued: [] },
    ],
    [
      'a request received before the running one, processed late, is superseded',
      [{ submit: req(5), expect: 'started' }, { submit: req(2), expect: 'superseded' }],
      { running: req(5), queued: [] },
    ],
    [
      'a request received before the queued one, processed late, is superseded and the queue kept',
      [{ submit: req(1), expect: 'started' }, { submit: req(5), expect: 'queued' }, { submit: req(3), expect: 'superseded' }],
      { running: req(1), queued: [req(5)] },
    ],
    [
      'two requests received at the same instant: the later arrival wins',
      [{ submit: req(1), expect: 'started' }, { submit: req(2, 7), expect: 'queued' }, { submit: req(3, 7), expect: 'queued', supersedes: ['delivery-2'] }],
      { running: req(1), queued: [req(3, 7)] },
    ],
  ])('%s', (_rule, steps, finalState) => {
    expect(run(steps)).toEqual(finalState);
  });

  it('ticks a burst of ten pushes during one deployment: only the newest deploys next, nine are started or superseded', () => {
    const steps: Step[] = [{ submit: req(1), expect: 'started' }];
    for (let n = 2; n <= 9; n += 1) steps.push({ submit: req(n), expect: 'queued', supersedes: n > 2 ? [`delivery-${n - 1}`] : [] });
    steps.push({ end: 'promoted', starts: 'delivery-9' }, { end: 'promoted' });
    expect(run(steps)).toEqual({ queued: [], deployedDigest: digest(9) });
  });

  describe('nextFromQueue on a queue holding several (state written by other rules)', () => {
    it.each<[string, AppDeploymentState, DeploymentEnd, string | undefined, string[]]>([
      ['starts the newest by receivedAt, supersedes the rest', { running: req(1), queued: [req(4), req(6), req(5)] }, 'failed', 'delivery-6', ['delivery-4', 'delivery-5']],
      ['a tie in receivedAt goes to the later in the queue', { running: req(1), queued: [req(4, 8), req(6, 8)] }, 'failed', 'delivery-6', ['delivery-4']],
      ['a queued request for the digest just promoted is superseded, not started', { running: req(1), queued: [{ ...req(1), deliveryId: 'same', receivedAt: req(3).receivedAt }] }, 'promoted', undefined, ['same']],
      ['with nothing running and nothing queued, nothing starts', { queued: [], deployedDigest: digest(1) }, 'promoted', undefined, []],
    ])('%s', (_rule, state, ended, starts, superseded) => {
      const outcome = nextFromQueue(state, ended);
      expect(outcome.next?.deliveryId).toBe(starts);
      expect(outcome.superseded.map((r) => r.deliveryId)).toEqual(superseded);
      expect(outcome.state.queued).toEqual([]);
    });
  });

  it('submitting to an idle app with a stale queue starts the newcomer and supersedes the stale entries', () => {
    const outcome = submitDeployment({ queued: [req(2)] }, req(3));
    expect([outcome.decision, outcome.superseded.map((r) => r.deliveryId), outcome.state]).toEqual(['started', ['delivery-2'], { running: req(3), queued: [] }]);
  });

  it('never mutates the state it is given', () => {
    const state: AppDeploymentState = Object.freeze({ running: req(1), queued: Object.freeze([req(2)]) });
    expect(() => submitDeployment(state, req(3))).not.toThrow();
    expect(() => nextFromQueue(state, 'promoted')).not.toThrow();
    expect(state).toEqual({ running: req(1), queued: [req(2)] });
  });
});
