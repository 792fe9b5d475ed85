/**
 * A host that was down across a timer's occurrence runs it once at start-up, past due, because the
 * schedule status survives in the data folder (Azure's schedule monitor). Each host loads the app
 * in its own module registry (jest.isolateModules), as a restarted process would.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as ClockModule from '../../devhost/clock';
import type * as HostModule from '../../devhost/host';
import { FIXTURE_APPS, LogCapture } from './devhostTestSupport';
import { eventually } from '../support/eventually';

/** Starts a host whose modules (devhost, @azure/functions, the app) are a fresh registry, as in a new process. */
async function startAt(at: Date, dataDir: string, logs: LogCapture): Promise<HostModule.RunningDevhost> {
  let running: HostModule.RunningDevhost | undefined;
  // The app is loaded during start, so the isolation must last until start resolves.
  await jest.isolateModulesAsync(async () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const host = require('../../devhost/host') as typeof HostModule;
    const clock = require('../../devhost/clock') as typeof ClockModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    running = await host.startDevhost({
      entry: path.join(FIXTURE_APPS, 'httpTimerApp', 'index.js'),
      port: 0,
      clock: new clock.ControllableClock(at),
      dataDir,
      storage: { connectionString: 'UseDevelopmentStorage=true' },
      hostJsonPath: path.resolve(__dirname, '..', '..', '..', 'host.json'),
      log: logs.write,
    });
  });
  return running!;
}

function ticks(logs: LogCapture): { isPastDue: boolean; scheduleStatus: { last: string; next: string } }[] {
  return logs.userLines('tick').map((l) => (JSON.parse(l.msg) as { tick: { isPastDue: boolean; scheduleStatus: { last: string; next: string } } }).tick);
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'devhost-restart-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

it('records the next occurrence, and a restart after it runs the timer once, past due', async () => {
  const firstLogs = new LogCapture();
  const first = await startAt(new Date('2030-03-01T10:01:00Z'), dataDir, firstLogs);
  await first.stop();
  const recorded = JSON.parse(await readFile(path.join(dataDir, 'timers', 'tick.json'), 'utf8')) as { next: string };
  expect(recorded.next).toBe('2030-03-01T10:05:00.000Z');
  expect(ticks(firstLogs)).toHaveLength(0);

  // Down for 12 minutes: occurrences at 10:05, 10:10 were missed.
  const secondLogs = new LogCapture();
  const second = await startAt(new Date('2030-03-01T10:13:00Z'), dataDir, secondLogs);
  try {
    const runs = await eventually('the past-due run', () => ticks(secondLogs).length > 0 && ticks(secondLogs), 20_000, 20);
    expect(runs).toHaveLength(1);
    expect(runs[0].isPastDue).toBe(true);
    expect(runs[0].scheduleStatus.next).toBe('2030-03-01T10:05:00.000Z');
  } finally {
    await second.stop();
  }
  const updated = JSON.parse(await readFile(path.join(dataDir, 'timers', 'tick.json'), 'utf8')) as { last: string; next: string };
  expect(updated.last).toBe('2030-03-01T10:05:00.000Z');
  expect(updated.next).toBe('2030-03-01T10:15:00.000Z');
});

it('does not report past due when the host restarts before the next occurrence', async () => {
  const first = await startAt(new Date('2030-03-01T10:01:00Z'), dataDir, new LogCapture());
  await first.stop();
  const logs = new LogCapture();
  const second = await startAt(new Date('2030-03-01T10:03:00Z'), dataDir, logs);
  try {
    await eventually('the startup timer', () => logs.userLines('onStartup').length > 0, 20_000, 20);
    expect(ticks(logs)).toHaveLength(0);
  } finally {
    await second.stop();
  }
});
