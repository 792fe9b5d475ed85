/**
 * An HTTP function with a durableClient binding starts an orchestration and reads its status
 * through the library's DurableClient; the determinism guard fails an instance whose code
 * changed under it.
 */
import { eventually } from '../../support/eventually';
import { startDurableKit, type DurableKit } from './durableTestKit';

let kit: DurableKit;

beforeAll(async () => {
  kit = await startDurableKit();
}, 60_000);

afterAll(async () => {
  await kit?.stop();
});

test('an HTTP function starts an orchestration and reads its status through DurableClient', async () => {
  const response = await fetch(`${kit.host.baseUrl}/api/orchestrators/sequence`, { method: 'POST', signal: AbortSignal.timeout(20_000) });
  expect(response.status).toBe(202);
  const body = (await response.json()) as { instanceId: string; firstStatus: string; links: Record<string, string> };
  expect(['Pending', 'Running', 'Completed']).toContain(body.firstStatus);
  expect(body.links.statusQueryGetUri).toBe(`${kit.host.baseUrl}/runtime/webhooks/durabletask/instances/${body.instanceId}?taskHub=${kit.hubName}&connection=Storage&code=devhost`);

  await kit.durable.waitForInstance(body.instanceId, { timeoutMs: 20_000 });
  const status = (await (await fetch(`${kit.host.baseUrl}/api/status/${body.instanceId}`, { signal: AbortSignal.timeout(20_000) })).json()) as Record<string, unknown>;
  expect(status).toMatchObject({ name: 'sequence', instanceId: body.instanceId, runtimeStatus: 'Completed', output: ['step 1', 'step 2', 'step 3', 'step 4', 'step 5'] });
  expect(typeof status.createdTime).toBe('string');
  expect((status.history as unknown[]).length).toBeGreaterThan(10);

  // The management URL handed out works as is.
  const viaLink = await fetch(body.links.statusQueryGetUri, { signal: AbortSignal.timeout(20_000) });
  expect(viaLink.status).toBe(200);
  expect(((await viaLink.json()) as { runtimeStatus: string }).runtimeStatus).toBe('Completed');
});

test('the Durable HTTP API answers bad requests with a 4xx problem naming the field', async () => {
  const base = `${kit.host.baseUrl}/runtime/webhooks/durabletask`;
  const unknown = await fetch(`${base}/orchestrators/noSuchOrchestrator`, { method: 'POST', signal: AbortSignal.timeout(20_000) });
  expect(unknown.status).toBe(400);
  const badStatus = await fetch(`${base}/instances/?runtimeStatus=Sleeping`, { signal: AbortSignal.timeout(20_000) });
  expect(badStatus.status).toBe(400);
  expect(((await badStatus.json()) as { field: string }).field).toBe('request');
  const missing = await fetch(`${base}/instances/nope`, { signal: AbortSignal.timeout(20_000) });
  expect(missing.status).toBe(404);
  const badJson = await fetch(`${base}/orchestrators/sequence`, { method: 'POST', body: '{not json', signal: AbortSignal.timeout(20_000) });
  expect(badJson.status).toBe(400);
});

test('starting an instance id that is still running is a conflict', async () => {
  const client = kit.client();
  const id = await client.startNew('waitsForEvent');
  await expect(client.startNew('waitsForEvent', { instanceId: id })).rejects.toThrow(/409/);
  await client.terminate(id, 'cleanup');
  await kit.durable.waitForInstance(id);
});

test('the determinism guard fails an instance whose replay asks for a different step', async () => {
  const client = kit.client();
  const id = await client.startNew('changesItsMind');
  await eventually('the first activity completed', async () => {
    const s = await client.getStatus(id, { showHistory: true });
    return (s.history as Array<{ EventType: string }>).some((e) => e.EventType === 'TaskCompleted');
  }, 20_000, 50);
  (globalThis as unknown as { __durableDeterminismSwitch: { changed: boolean } }).__durableDeterminismSwitch.changed = true;
  await client.raiseEvent(id, 'continue', null);
  const done = await kit.durable.waitForInstance(id, { timeoutMs: 20_000 });
  expect(done.runtimeStatus).toBe('Failed');
  const output = String((await client.getStatus(id)).output);
  expect(output).toContain('Non-deterministic orchestrator');
  expect(output).toContain('at step 1 (event 0)');
  expect(output).toContain('TaskScheduled "echo"');
  expect(output).toContain('CallActivity "double"');
});
