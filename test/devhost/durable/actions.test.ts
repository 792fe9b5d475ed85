/**
 * Each orchestrator action through the real durable-functions library on devhost's engine,
 * with the task hub on Azurite and time skipped with a controllable clock.
 */
import { eventually } from '../../support/eventually';
import { startDurableKit, type DurableKit } from './durableTestKit';

let kit: DurableKit;

beforeAll(async () => {
  kit = await startDurableKit({ extensions: { durableTask: { maxConcurrentActivityFunctions: 4, maxConcurrentOrchestratorFunctions: 4 } } });
}, 60_000);

afterAll(async () => {
  await kit?.stop();
});

const run = async (name: string, input?: unknown, instanceId?: string): Promise<{ id: string; status: string; output: unknown }> => {
  const id = await kit.client().startNew(name, { input, instanceId });
  const done = await kit.durable.waitForInstance(id, { timeoutMs: 30_000 });
  const status = await kit.client().getStatus(id);
  return { id, status: done.runtimeStatus, output: status.output };
};

test('callActivity in sequence: five activities, their results in order', async () => {
  const result = await run('sequence');
  expect(result).toMatchObject({ status: 'Completed', output: ['step 1', 'step 2', 'step 3', 'step 4', 'step 5'] });
  const status = await kit.client().getStatus(result.id, { showHistory: true, showHistoryOutput: true });
  const history = status.history as Array<{ EventType: string }>;
  expect(history.filter((e) => e.EventType === 'TaskScheduled')).toHaveLength(5);
  expect(history.filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(5);
  expect(history[history.length - 2]).toMatchObject({ EventType: 'ExecutionCompleted', OrchestrationStatus: 'Completed' });
});

test('Task.all fans out and in', async () => {
  expect(await run('fanOut')).toMatchObject({ status: 'Completed', output: 12 });
});

test('callActivityWithRetry retries with backoff until the activity succeeds', async () => {
  const id = await kit.client().startNew('retrying', { input: { key: 'retry-ok', failures: 2, attempts: 5 } });
  // First retry after 1 s, the second after 2 s (coefficient 2): skip time as each timer appears.
  for (let i = 0; i < 2; i++) {
    await eventually(`retry timer ${i + 1}`, async () => {
      const s = await kit.client().getStatus(id, { showHistory: true });
      const timers = (s.history as Array<{ EventType: string }>).filter((e) => e.EventType === 'TimerCreated').length;
      return timers > i ? true : undefined;
    }, 20_000, 50);
    kit.clock.advanceBy(5_000);
  }
  const done = await kit.durable.waitForInstance(id, { timeoutMs: 30_000 });
  const status = await kit.client().getStatus(id, { showHistory: true });
  expect(done.runtimeStatus).toBe('Completed');
  expect(status.output).toBe('succeeded on attempt 3');
  const timers = (status.history as Array<{ EventType: string; FireAt: string; Timestamp: string }>).filter((e) => e.EventType === 'TimerCreated');
  const delays = timers.map((t) => Date.parse(t.FireAt) - Date.parse(t.Timestamp));
  expect(delays).toEqual([1000, 2000]);
});

test('callActivityWithRetry gives up after maxNumberOfAttempts and the orchestrator catches the error', async () => {
  const id = await kit.client().startNew('retrying', { input: { key: 'retry-never', failures: 99, attempts: 2 } });
  const advance = setInterval(() => kit.clock.advanceBy(10_000), 100);
  try {
    await kit.durable.waitForInstance(id, { timeoutMs: 30_000 });
  } finally {
    clearInterval(advance);
  }
  const status = await kit.client().getStatus(id);
  expect(status.output).toMatch(/^gave up: Activity function 'flaky' failed: attempt 2 failed/);
});

test('an activity that throws becomes TaskFailed; caught, or failing the instance when not', async () => {
  expect(await run('catchesFailure')).toMatchObject({ status: 'Completed', output: "caught: Activity function 'boom' failed: kaput " });
  const failed = await run('failsUncaught');
  expect(failed.status).toBe('Failed');
  expect(String(failed.output)).toContain('unhandled kaput');
});

test('createTimer waits on the clock: nothing happens until time is skipped', async () => {
  const id = await kit.client().startNew('timer');
  await eventually('the instance running', async () => (await kit.client().getStatus(id)).runtimeStatus === 'Running', 20_000, 50);
  await new Promise((r) => setTimeout(r, 500));
  expect((await kit.client().getStatus(id)).runtimeStatus).toBe('Running');
  kit.clock.advanceBy(60 * 60 * 1000);
  await kit.durable.waitForInstance(id, { timeoutMs: 20_000 });
  expect((await kit.client().getStatus(id)).output).toBe('fired at true');
});

test('waitForExternalEvent + Task.any + setCustomStatus: the event wins the race', async () => {
  const client = kit.client();
  const id = await client.startNew('approval');
  await eventually('waiting for approve', async () => {
    const s = await client.getStatus(id);
    return (s.customStatus as { waitingFor?: string } | null)?.waitingFor === 'approve' ? true : undefined;
  }, 20_000, 50);
  await client.raiseEvent(id, 'approve', 'alice');
  await kit.durable.waitForInstance(id, { timeoutMs: 20_000 });
  const status = await client.getStatus(id);
  expect(status.output).toEqual({ approved: true, by: 'alice' });
  expect(status.customStatus).toEqual({ approvedBy: 'alice' });
});

test('Task.any: the timer wins when no event comes', async () => {
  const client = kit.client();
  const id = await client.startNew('approval');
  await eventually('a custom status', async () => Boolean((await client.getStatus(id)).customStatus), 20_000, 50);
  kit.clock.advanceBy(25 * 60 * 60 * 1000);
  await kit.durable.waitForInstance(id, { timeoutMs: 20_000 });
  expect((await client.getStatus(id)).output).toEqual({ approved: false });
});

test('callSubOrchestrator, with a generated and an explicit instance id', async () => {
  const result = await run('parent');
  expect(result).toMatchObject({ status: 'Completed', output: 24 });
  const child = await kit.client().getStatus(`${result.id}-explicit-child`);
  expect(child).toMatchObject({ runtimeStatus: 'Completed', output: 14, input: 7 });
});

test('continueAsNew starts a fresh history with the new input', async () => {
  const result = await run('counter', 0);
  expect(result).toMatchObject({ status: 'Completed', output: 'counted to 3' });
  const status = await kit.client().getStatus(result.id, { showHistory: true });
  const history = status.history as Array<{ EventType: string }>;
  expect(history.filter((e) => e.EventType === 'ExecutionStarted')).toHaveLength(1);
  expect(history.filter((e) => e.EventType === 'TaskScheduled')).toHaveLength(0);
  expect(status.input).toBe(3);
});

test('terminate, suspend and resume through the client', async () => {
  const client = kit.client();
  const a = await client.startNew('waitsForEvent');
  await eventually('a running', async () => (await client.getStatus(a)).runtimeStatus === 'Running', 20_000, 50);
  await client.suspend(a, 'hold on');
  await eventually('a suspended', async () => (await client.getStatus(a)).runtimeStatus === 'Suspended', 20_000, 50);
  await client.raiseEvent(a, 'go', 'later');
  await new Promise((r) => setTimeout(r, 1500));
  expect((await client.getStatus(a)).runtimeStatus).toBe('Suspended');
  await client.resume(a, 'go on');
  await kit.durable.waitForInstance(a, { timeoutMs: 20_000 });
  expect((await client.getStatus(a)).output).toBe('later');

  const b = await client.startNew('waitsForEvent');
  await eventually('b running', async () => (await client.getStatus(b)).runtimeStatus === 'Running', 20_000, 50);
  await client.terminate(b, 'no longer needed');
  const terminated = await kit.durable.waitForInstance(b, { timeoutMs: 20_000 });
  expect(terminated.runtimeStatus).toBe('Terminated');
  expect((await client.getStatus(b)).output).toBe('no longer needed');
});

test('query by status and time, purge one and by filter', async () => {
  const client = kit.client();
  const since = new Date(Date.now() - 1000);
  const id = await client.startNew('fanOut');
  await kit.durable.waitForInstance(id, { timeoutMs: 20_000 });
  const completed = await client.getStatusBy({ runtimeStatus: [client.constructor && ('Completed' as never)], createdTimeFrom: since });
  expect(completed.map((s) => s.instanceId)).toContain(id);
  expect((await client.purgeInstanceHistory(id)).instancesDeleted).toBe(1);
  await expect(client.getStatus(id)).rejects.toThrow(/404/);
  const purged = await client.purgeInstanceHistoryBy({ createdTimeFrom: new Date(0), runtimeStatus: ['Completed' as never] });
  expect(purged.instancesDeleted).toBeGreaterThan(0);
});
