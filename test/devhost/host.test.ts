/**
 * devhost end to end: the fixture app loaded through the @azure/functions-core seam, served over
 * real HTTP, timers driven by a ControllableClock, Azurite started by the host.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { ControllableClock } from '../../devhost/clock';
import type { DevhostExtension, HostContext } from '../../devhost/extension';
import type { CoreBinding, RegisteredFunction } from '../../devhost/functionsCore';
import { startDevhost, type RunningDevhost } from '../../devhost/host';
import { FIXTURE_APPS, LogCapture } from './devhostTestSupport';
import { eventually } from '../support/eventually';
import { claimStorage } from '../support/sharedServices';

const FUNCTION_KEY = 'fn-key-1234567890';
const MASTER_KEY = 'master-key-0987654321';

interface TimerSeen {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}

/** An extension of the kind the Durable engine is: owns a trigger type, an input binding and some routes. */
class RecordingExtension implements DevhostExtension {
  readonly name = 'recording';
  readonly fired: { name: string; input: unknown }[] = [];
  host?: HostContext;
  stopped = false;

  async start(host: HostContext): Promise<void> {
    this.host = host;
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  async handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (!req.url?.startsWith('/runtime/webhooks/recording')) return false;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ servedBy: this.name }));
    return true;
  }

  resolveInput(binding: CoreBinding): unknown {
    return binding.type === 'durableClient' ? { taskHub: 'fixture-hub' } : undefined;
  }

  async fireFunction(fn: RegisteredFunction, input: unknown): Promise<boolean> {
    if (fn.trigger.type !== 'orchestrationTrigger') return false;
    this.fired.push({ name: fn.name, input });
    return true;
  }
}

const START = new Date('2030-01-01T00:00:30.000Z');
let clock: ControllableClock;
let host: RunningDevhost;
let dataDir: string;
const logs = new LogCapture();
const extension = new RecordingExtension();

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'devhost-test-'));
  clock = new ControllableClock(START);
  host = await startDevhost({
    entry: path.join(FIXTURE_APPS, 'httpTimerApp', 'index.js'),
    port: 0,
    settings: { DEVHOST_FUNCTION_KEY: FUNCTION_KEY, DEVHOST_MASTER_KEY: MASTER_KEY, FIXTURE_SETTING: 'from-settings', FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: String(64 * 1024) },
    storage: { connectionString: (await claimStorage()).connectionString },
    clock,
    extensions: [extension],
    hostJsonPath: path.resolve(__dirname, '..', '..', '..', 'host.json'),
    dataDir,
    log: logs.write,
  });
});

afterAll(async () => {
  await host?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function url(pathAndQuery: string): string {
  return `${host.baseUrl}${pathAndQuery}`;
}

function timerRuns(functionName: string, key: 'tick' | 'startup'): TimerSeen[] {
  return logs.userLines(functionName).map((l) => (JSON.parse(l.msg) as Record<string, TimerSeen>)[key]);
}

/** Milliseconds from the clock's now to the next 5-minute boundary (the `tick` schedule). */
function untilNextFiveMinutes(): number {
  const now = clock.now().getTime();
  const fiveMinutes = 5 * 60_000;
  return Math.ceil((now + 1) / fiveMinutes) * fiveMinutes - now;
}

describe('registered metadata', () => {
  it('captures every registration with the binding metadata the worker would receive', () => {
    expect([...host.functions.keys()].sort()).toEqual(
      ['adminOperation', 'boom', 'echo', 'fakeOrchestrator', 'getOrder', 'hello', 'onStartup', 'readFile', 'setting', 'slowTick', 'streamed', 'tick', 'withClient'].sort(),
    );
    const order = host.functions.get('getOrder')!;
    expect(order.trigger).toMatchObject({ type: 'httpTrigger', route: 'orders/{id:int}', methods: ['GET', 'PUT'], authLevel: 'function' });
    expect(host.functions.get('adminOperation')!.trigger).toMatchObject({ authLevel: 'admin', methods: ['POST'] });
    expect(host.functions.get('tick')!.trigger).toMatchObject({ type: 'timerTrigger', schedule: '0 */5 * * * *' });
    expect(host.functions.get('onStartup')!.trigger).toMatchObject({ runOnStartup: true });
    expect(host.functions.get('withClient')!.metadata.bindings.starter).toMatchObject({ type: 'durableClient', direction: 'in' });
    expect(host.functions.get('fakeOrchestrator')!.trigger.type).toBe('orchestrationTrigger');
  });

  it('describes routes and schedules for the ready message', () => {
    const lines = host.describe();
    expect(lines).toContain(`getOrder: [GET,PUT] ${host.baseUrl}/api/orders/{id:int} (function)`);
    expect(lines).toContain('tick: timer "0 */5 * * * *"');
    expect(lines).toContain('fakeOrchestrator: orchestrationTrigger');
  });

  it('gives the host context to extensions and the app its settings and storage through process.env', async () => {
    expect(extension.host?.baseUrl).toBe(host.baseUrl);
    expect(extension.host?.storageConnectionString).toBe(host.storageConnectionString);
    expect(extension.host?.hostJson).toHaveProperty('extensions.http.routePrefix', 'api');
    expect(process.env.AzureWebJobsStorage).toBe(host.storageConnectionString);
    const res = await fetch(url('/api/setting'));
    expect(await res.json()).toEqual({ value: 'from-settings' });
  });

  it('starts Azurite and hands its connection string to the app', async () => {
    const table = TableClient.fromConnectionString(host.storageConnectionString, 'devhostprobe', { allowInsecureConnection: true });
    await table.createTable();
    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 7 });
    expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(7);
  });
});

describe('HTTP routing', () => {
  it('fills route parameters, optional parameters and repeated query values', async () => {
    const named = await fetch(url('/api/hello/ann?tag=a&tag=b'));
    expect(named.status).toBe(200);
    expect(await named.json()).toEqual({ name: 'ann', tags: ['a', 'b'] });
    const unnamed = await fetch(url('/api/hello'));
    expect(await unnamed.json()).toEqual({ name: null, tags: [] });
  });

  it('matches a catch-all parameter over several segments, decoded', async () => {
    const res = await fetch(url('/api/files/reports/2030/q1%20final.csv'));
    expect(await res.text()).toBe('path=reports/2030/q1 final.csv');
  });

  it('honours an int constraint', async () => {
    const ok = await fetch(url('/api/orders/42'), { headers: { 'x-functions-key': FUNCTION_KEY } });
    expect(await ok.json()).toEqual({ id: 42, method: 'GET' });
    const notInt = await fetch(url('/api/orders/abc'), { headers: { 'x-functions-key': FUNCTION_KEY } });
    expect(notInt.status).toBe(404);
  });

  it('answers 404 for an unknown route and outside the route prefix', async () => {
    const unknown = await fetch(url('/api/nothing-here'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect((await fetch(url('/hello/ann'))).status).toBe(404);
  });

  it('answers 405 with Allow for a known route and another method', async () => {
    const res = await fetch(url('/api/orders/42'), { method: 'DELETE', headers: { 'x-functions-key': FUNCTION_KEY } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT');
  });

  it('sends an HttpResponse with its status, headers and cookies', async () => {
    const res = await fetch(url('/api/echo'), { method: 'POST', body: 'ping' });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('ping');
    expect(res.headers.get('x-echo-length')).toBe('4');
    expect(res.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly');
  });

  it('streams a Readable body', async () => {
    expect(await (await fetch(url('/api/streamed'))).text()).toBe('one,two,three');
  });

  it('refuses a body over FUNCTIONS_REQUEST_BODY_SIZE_LIMIT with 413 before the function runs, as the Functions host does', async () => {
    const before = logs.invocations('echo').length;
    const res = await fetch(url('/api/echo'), { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(res.status).toBe(413);
    expect(logs.invocations('echo')).toHaveLength(before);
    expect((await fetch(url('/api/echo'), { method: 'POST', body: 'x'.repeat(63 * 1024) })).status).toBe(201);
  });

  it('answers 500 without the error detail when a handler throws, and logs the failure', async () => {
    const res = await fetch(url('/api/boom'));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(text).not.toContain('hunter2');
    const failure = await eventually('the failure line', () => logs.invocations('boom').find((l) => l.outcome === 'failure'), 20_000, 20);
    expect(failure).toMatchObject({ level: 'error', triggerType: 'httpTrigger' });
    expect(logs.userLines('boom')).toEqual([expect.objectContaining({ level: 'warn', msg: 'about to fail' })]);
  });

  it('fills extra inputs from extensions and offers them unknown routes', async () => {
    const res = await fetch(url('/api/start'), { method: 'POST' });
    expect(await res.json()).toEqual({ client: { taskHub: 'fixture-hub' } });
    const served = await fetch(url('/runtime/webhooks/recording/instances'));
    expect(await served.json()).toEqual({ servedBy: 'recording' });
  });
});

describe('keys', () => {
  it.each([
    ['no key', 401, {}, ''],
    ['a wrong key', 401, { 'x-functions-key': 'nope' }, ''],
    ['the function key in the header', 200, { 'x-functions-key': FUNCTION_KEY }, ''],
    ['the function key as code', 200, {}, `?code=${FUNCTION_KEY}`],
    ['a wrong code', 401, {}, '?code=nope'],
    ['the master key', 200, { 'x-functions-key': MASTER_KEY }, ''],
  ])('a function-level route with %s answers %i', async (_label, status, headers: Record<string, string>, query) => {
    const res = await fetch(url(`/api/orders/7${query}`), { headers });
    expect(res.status).toBe(status);
    if (status === 401) expect(await res.text()).not.toContain(FUNCTION_KEY);
  });

  it.each([
    ['the function key', FUNCTION_KEY, 401],
    ['the master key', MASTER_KEY, 200],
  ])('an admin-level route with %s answers %i', async (_label, key, status) => {
    const res = await fetch(url('/api/ops/reindex'), { method: 'POST', headers: { 'x-functions-key': key } });
    expect(res.status).toBe(status);
  });

  it('never logs keys, bodies or headers', () => {
    const all = JSON.stringify(logs.lines);
    expect(all).not.toContain(FUNCTION_KEY);
    expect(all).not.toContain(MASTER_KEY);
    expect(all).not.toContain('ping');
  });
});

describe('timers', () => {
  it('ran the runOnStartup timer once at start, not past due', async () => {
    const runs = await eventually('the startup run', () => timerRuns('onStartup', 'startup').length > 0 && timerRuns('onStartup', 'startup'), 20_000, 20);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ isPastDue: false, schedule: { adjustForDST: true } });
    expect(runs[0].scheduleStatus.last).toBe('0001-01-01T00:00:00.000Z');
  });

  it('fires on its NCRONTAB schedule when the clock reaches it', async () => {
    const before = timerRuns('tick', 'tick').length;
    // The boundary itself, not now + the time until it: the clock runs at wall speed, so two
    // readings of it may be a millisecond apart.
    const dueAt = new Date(Math.ceil((clock.now().getTime() + 1) / 300_000) * 300_000);
    clock.advanceBy(dueAt.getTime() - clock.now().getTime() - 1_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(timerRuns('tick', 'tick')).toHaveLength(before);
    clock.advanceBy(1_000);
    const runs = await eventually('the scheduled tick', () => timerRuns('tick', 'tick').length > before && timerRuns('tick', 'tick'), 20_000, 20);
    const run = runs[runs.length - 1];
    expect(run.isPastDue).toBe(false);
    expect(run.scheduleStatus.next).toBe(dueAt.toISOString());
    const line = await eventually('the invocation line', () => logs.invocations('tick').at(-1), 20_000, 20);
    expect(line).toMatchObject({ level: 'info', triggerType: 'timerTrigger', outcome: 'success' });
    expect(typeof line.invocationId).toBe('string');
    expect(typeof line.durationMs).toBe('number');
  });

  it('runs once, past due, after the clock jumps over several occurrences', async () => {
    const before = timerRuns('tick', 'tick').length;
    clock.advanceBy(untilNextFiveMinutes() + 17 * 60_000);
    const runs = await eventually('the late tick', () => timerRuns('tick', 'tick').length > before && timerRuns('tick', 'tick'), 20_000, 20);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(timerRuns('tick', 'tick')).toHaveLength(before + 1);
    expect(runs[runs.length - 1].isPastDue).toBe(true);
  });

  it('never runs two runs of one timer at once', async () => {
    await Promise.all([host.fire('slowTick'), host.fire('slowTick')]);
    expect(logs.userLines('slowTick').map((l) => l.msg)).toEqual(['slowTick start', 'slowTick end', 'slowTick start', 'slowTick end']);
  });

  it('resolves fire() with the handler result', async () => {
    const timer = (await host.fire('tick')) as TimerSeen;
    expect(timer.isPastDue).toBe(false);
  });
});

describe('admin endpoint', () => {
  it('fires a timer now with the master key and answers 202', async () => {
    const before = logs.invocations('tick').length;
    const res = await fetch(url('/admin/functions/tick'), {
      method: 'POST',
      headers: { 'x-functions-key': MASTER_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    expect(res.status).toBe(202);
    await eventually('the admin-fired tick', () => logs.invocations('tick').length > before, 20_000, 20);
  });

  it('refuses without the master key', async () => {
    const noKey = await fetch(url('/admin/functions/tick'), { method: 'POST', body: '{}' });
    expect(noKey.status).toBe(401);
    const functionKey = await fetch(url('/admin/functions/tick'), { method: 'POST', body: '{}', headers: { 'x-functions-key': FUNCTION_KEY } });
    expect(functionKey.status).toBe(401);
  });

  it('hands trigger types it does not own to extensions', async () => {
    const res = await fetch(url('/admin/functions/fakeOrchestrator'), {
      method: 'POST',
      headers: { 'x-functions-key': MASTER_KEY },
      body: JSON.stringify({ input: 'payload-1' }),
    });
    expect(res.status).toBe(202);
    expect(extension.fired).toEqual([{ name: 'fakeOrchestrator', input: 'payload-1' }]);
  });

  it('answers 404 for an unknown function and 400 for an HTTP one or a bad body', async () => {
    const headers = { 'x-functions-key': MASTER_KEY };
    expect((await fetch(url('/admin/functions/missing'), { method: 'POST', headers, body: '{}' })).status).toBe(404);
    expect((await fetch(url('/admin/functions/hello'), { method: 'POST', headers, body: '{}' })).status).toBe(400);
    expect((await fetch(url('/admin/functions/tick'), { method: 'POST', headers, body: '{not json' })).status).toBe(400);
  });
});
