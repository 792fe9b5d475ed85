/**
 * devhost's queue pump: when it polls storage. Every poll is a storage request on both sides, so
 * the pump polls at once only when there is reason to think a message waits (a full poll, a nudge
 * from this process's own send) and otherwise backs off, 200 ms up to a second.
 */
import { QueuePump } from '../../devhost/durable/queuePump';

/** A queue in memory that records when each poll came (in fake-timer milliseconds). */
function fakeQueue(): { waiting: string[]; polls: number[]; handled: string[]; pump: QueuePump<string> } {
  const waiting: string[] = [];
  const polls: number[] = [];
  const handled: string[] = [];
  const pump = new QueuePump<string>({
    name: 'test',
    receive: (max) => {
      polls.push(Date.now());
      return Promise.resolve(waiting.splice(0, Math.min(max, 32)));
    },
    handle: (message) => handled.push(message),
    capacity: () => 100,
    onError: (err) => {
      throw err;
    },
  });
  return { waiting, polls, handled, pump };
}

describe('QueuePump', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('backs off on an empty queue: 200 ms, then doubling up to a second', async () => {
    const { polls, pump } = fakeQueue();
    pump.start();
    await jest.advanceTimersByTimeAsync(4_000);
    await pump.stop();
    expect(polls).toEqual([0, 200, 600, 1400, 2400, 3400]);
  });

  it('a nudge polls at once, and the poll that drained the queue does not poll again straight after', async () => {
    const { waiting, polls, handled, pump } = fakeQueue();
    pump.start();
    await jest.advanceTimersByTimeAsync(3_000); // backed off to a second
    const before = polls.length;
    waiting.push('a');
    pump.nudge();
    await jest.advanceTimersByTimeAsync(0);
    expect(handled).toEqual(['a']);
    expect(polls.slice(before)).toEqual([3_000]);
    // The queue gave less than was asked: drained, so the next poll waits the shortest back-off.
    await jest.advanceTimersByTimeAsync(199);
    expect(polls.slice(before)).toEqual([3_000]);
    await jest.advanceTimersByTimeAsync(1);
    expect(polls.slice(before)).toEqual([3_000, 3_200]);
    await pump.stop();
  });

  it('a full poll (as many as one poll can bring) polls again at once: more may be waiting', async () => {
    const { waiting, polls, handled, pump } = fakeQueue();
    waiting.push(...Array.from({ length: 40 }, (_, i) => `m${i}`));
    pump.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(handled).toHaveLength(40);
    expect(polls).toEqual([0, 0]);
    await pump.stop();
  });

  it('finds what another process sent within the back-off, without a nudge', async () => {
    const { waiting, handled, pump } = fakeQueue();
    pump.start();
    await jest.advanceTimersByTimeAsync(10_000);
    waiting.push('from elsewhere');
    await jest.advanceTimersByTimeAsync(1_000);
    expect(handled).toEqual(['from elsewhere']);
    await pump.stop();
  });
});
