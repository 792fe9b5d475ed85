/**
 * Crash safety: devhost (a child process) is SIGKILLed in the middle of a multi-step
 * orchestration and started again; the orchestration completes, and no activity whose
 * completion was recorded before the kill runs again. A durable timer that came due while
 * devhost was down fires after the restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningAzurite } from '../../../devhost/azurite';
import { claimStorage } from '../../support/sharedServices';
import { TaskHubStore } from '../../../devhost/durable/taskHubStore';
import { EventType } from '../../../devhost/durable/history';
import { eventually } from '../../support/eventually';
import { freshHubName } from './durableTestKit';

const ENTRY = path.resolve(__dirname, '../../fixtures/apps/durableCrash/index.js');
const CHILD = path.resolve(__dirname, 'crashChild.js');

let azurite: RunningAzurite;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  azurite = await claimStorage();
  dir = mkdtempSync(path.join(os.tmpdir(), 'durable-crash-'));
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startChild(hubName: string, logFile: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(process.execPath, [CHILD, ENTRY, azurite.connectionString, hubName, logFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devhost child did not start: ${stderr}`)), 30_000);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`devhost child exited with ${code}: ${stderr}`)));
  });
  return { child, baseUrl };
}

const kill = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

const lines = (file: string, instanceId: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith(`${instanceId} `)) : [];

async function status(baseUrl: string, instanceId: string): Promise<{ runtimeStatus: string; output: unknown } | undefined> {
  const res = await fetch(`${baseUrl}/runtime/webhooks/durabletask/instances/${instanceId}`, { signal: AbortSignal.timeout(10_000) });
  return res.status === 404 ? undefined : ((await res.json()) as { runtimeStatus: string; output: unknown });
}

test('SIGKILL mid-orchestration: restart completes it; recorded completions never run again; a timer due while down fires', async () => {
  const hubName = freshHubName();
  const logFile = path.join(dir, 'executions.log');
  const first = await startChild(hubName, logFile);
  const start = async (name: string, id: string, input?: unknown): Promise<void> => {
    const res = await fetch(`${first.baseUrl}/runtime/webhooks/durabletask/orchestrators/${name}/${id}`, {
      method: 'POST',
      body: input === undefined ? '' : JSON.stringify(input),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(202);
  };
  await start('steps', 'crash-steps');
  await start('sleeper', 'crash-timer', 3000);
  await eventually('three steps logged', () => lines(logFile, 'crash-steps').length >= 3, 20_000, 50);
  await kill(first.child);

  // What the task hub recorded as completed before the kill.
  const store = new TaskHubStore(azurite.connectionString, hubName);
  const record = await store.getInstance('crash-steps');
  const history = await store.readHistory('crash-steps', record?.executionId ?? '');
  const scheduled = new Map(history.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => [e.EventId, (JSON.parse(e.Input ?? '{}') as { n: number }).n]));
  const recorded = history.filter((e) => e.EventType === EventType.TaskCompleted).map((e) => scheduled.get(e.TaskScheduledId ?? -1));
  expect(recorded.length).toBeGreaterThanOrEqual(1);
  expect(recorded.length).toBeLessThan(8);
  const timer = (await store.readHistory('crash-timer', (await store.getInstance('crash-timer'))?.executionId ?? '')).find((e) => e.EventType === EventType.TimerCreated);
  expect(timer?.FireAt).toBeDefined();

  // Stay down until the timer is due.
  const dueInMs = (timer?.FireAt as Date).getTime() - Date.now();
  if (dueInMs > 0) await new Promise((r) => setTimeout(r, dueInMs + 200));
  expect(lines(logFile, 'crash-timer')).toHaveLength(0);

  const second = await startChild(hubName, logFile);
  const steps = await eventually('crash-steps completed', async () => {
    const s = await status(second.baseUrl, 'crash-steps');
    return s?.runtimeStatus === 'Completed' ? s : undefined;
  }, 60_000, 50);
  expect(steps.output).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  const timerDone = await eventually('crash-timer completed', async () => {
    const s = await status(second.baseUrl, 'crash-timer');
    return s?.runtimeStatus === 'Completed' ? s : undefined;
  }, 60_000, 50);
  expect(timerDone.output).toBe(99);
  await kill(second.child);

  const executions = lines(logFile, 'crash-steps').map((l) => Number(l.split(' ')[1]));
  for (let n = 1; n <= 8; n++) expect(executions.filter((x) => x === n).length).toBeGreaterThanOrEqual(1);
  for (const n of recorded) expect(executions.filter((x) => x === n)).toHaveLength(1);
  expect(lines(logFile, 'crash-timer')).toHaveLength(1);
}, 150_000);
