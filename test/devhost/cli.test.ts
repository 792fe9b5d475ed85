/**
 * The `npm start` process: a real child process in a scratch directory (its own local.settings.json,
 * .azurite/ and .devhost/), stopped with SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_APPS } from './devhostTestSupport';
import { eventually } from '../support/eventually';

const CLI = path.resolve(__dirname, '..', '..', 'devhost', 'cli.js');
const MASTER_KEY = 'cli-master-key-5566';

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function runCli(args: string[], cwd: string): Run {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('DEVHOST_') || name === 'AzureWebJobsStorage') delete env[name];
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

let workDir: string;
const running: Run[] = [];

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'devhost-cli-'));
});

afterEach(async () => {
  for (const run of running.splice(0)) {
    if (run.child.exitCode === null) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  }
  await rm(workDir, { recursive: true, force: true });
});

it('exits 1 with the message, not a stack, when the app throws while loading', async () => {
  const run = runCli(['--port', '0', '--entry', path.join(FIXTURE_APPS, 'throwingApp', 'index.js')], workDir);
  running.push(run);
  expect(await run.exited).toBe(1);
  expect(run.stderr()).toContain('devhost: Invalid configuration: apps[0].health.path: expected a path starting with "/"');
  expect(run.stderr()).not.toMatch(/^\s+at /m);
  expect(run.stdout()).not.toContain('devhost ready');
});

it('serves the app with settings from local.settings.json and stops cleanly on SIGTERM', async () => {
  await writeFile(
    path.join(workDir, 'local.settings.json'),
    JSON.stringify({ IsEncrypted: false, Values: { DEVHOST_MASTER_KEY: MASTER_KEY, FIXTURE_SETTING: 'from-file', AzureWebJobsStorage: 'UseDevelopmentStorage=true' } }),
  );
  const run = runCli(['--port', '0', '--entry', path.join(FIXTURE_APPS, 'httpTimerApp', 'index.js')], workDir);
  running.push(run);
  const baseUrl = await eventually('the ready line', () => /devhost ready on (http:\/\/localhost:\d+)/.exec(run.stdout())?.[1], 45_000, 20);
  expect(run.stdout()).toMatch(/hello: \[GET\] http:\/\/127\.0\.0\.1:\d+\/api\/hello\/\{name\?\} \(anonymous\)/);
  expect(run.stdout()).toContain('settings from local.settings.json');

  const local = baseUrl.replace('localhost', '127.0.0.1');
  expect(await (await fetch(`${local}/api/setting`)).json()).toEqual({ value: 'from-file' });
  expect((await fetch(`${local}/api/ops/reindex`, { method: 'POST', headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
  expect((await fetch(`${local}/api/ops/reindex`, { method: 'POST', headers: { 'x-functions-key': MASTER_KEY } })).status).toBe(200);
  // One JSON line per invocation on stdout.
  await eventually('the invocation line', () => run.stdout().split('\n').some((l) => l.includes('"msg":"invocation"') && l.includes('"function":"adminOperation"')), 20_000, 20);

  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  expect(existsSync(path.join(workDir, '.azurite'))).toBe(true);
  expect(existsSync(path.join(workDir, '.devhost', 'timers', 'tick.json'))).toBe(true);
});
