// Start-up behaviour of the compiled entry: an invalid configuration stops the app before any
// function is registered (child processes, as the host would load it); a valid one registers
// healthz, and the exported handler, wired from process.env, answers against a real Azurite.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { RunningAzurite } from '../../devhost/azurite';
import { claimStorage } from '../support/sharedServices';
import { loadApp, type RegisteredFunction } from '../../devhost/functionsCore';
import { healthz, type HealthzBody } from '../../src/functions/healthz';
import { REPO_ROOT, exampleDocument, makeTempDir, writeTempConfig } from './configFiles';

const execFileAsync = promisify(execFile);
const ENTRY = path.join(REPO_ROOT, 'dist', 'src', 'index.js');
const localValues = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'local.settings.example.json'), 'utf8')) as { Values: Record<string, string> }).Values;
const dir = makeTempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Loads the entry in a fresh Node process with exactly these settings; returns how it ended. */
async function startEntry(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await execFileAsync(process.execPath, ['-e', `require(${JSON.stringify(ENTRY)})`], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

describe('start-up with an invalid configuration', () => {
  it('exits non-zero naming the file, the field and what is wrong', async () => {
    const doc = exampleDocument();
    doc.apps[1].health.failureThreshold = 'three';
    const file = writeTempConfig(doc, dir);
    const { code, stderr } = await startEntry({ ...localValues, HARBORMASTER_CONFIG_PATH: file });
    expect(code).not.toBe(0);
    expect(stderr).toContain('ConfigurationError');
    expect(stderr).toContain(file);
    expect(stderr).toContain('apps[1].health.failureThreshold: Invalid input: expected number, received string');
  });

  it('exits non-zero naming a bad app setting, without its value', async () => {
    const { code, stderr } = await startEntry({ ...localValues, WEBHOOK_SECRET_GHCR: 'tooshort-ghcr' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('WEBHOOK_SECRET_GHCR: must be at least 16 characters long');
    expect(stderr).not.toContain('tooshort-ghcr');
  });
});

describe('start-up with a valid configuration', () => {
  let azurite: RunningAzurite;
  const saved = { ...process.env };
  beforeAll(async () => {
    azurite = await claimStorage();
    Object.assign(process.env, localValues, { AzureWebJobsStorage: azurite.connectionString });
  });
  afterAll(async () => {
    process.env = saved;
    await azurite?.stop();
  });

  it('registers healthz as an anonymous GET route', () => {
    const registered: RegisteredFunction[] = [];
    loadApp(ENTRY, { registerFunction: (fn) => registered.push(fn), registerHook: () => undefined });
    const fn = registered.find((f) => f.name === 'healthz');
    expect(fn?.trigger).toMatchObject({ type: 'httpTrigger', route: 'healthz', methods: ['GET'], authLevel: 'anonymous' });
  });

  it('answers 200 from the exported handler, configured from the app settings', async () => {
    const response = await healthz(new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/healthz' }), new InvocationContext({ functionName: 'healthz' }));
    expect(response.status).toBe(200);
    const body = response.jsonBody as HealthzBody;
    expect(body.status).toBe('ok');
    expect(body.checks.configuration).toMatchObject({ status: 'ok', apps: expect.any(Number), databases: expect.any(Number), notifications: expect.any(Number) });
    expect(body.checks.configuration.apps).toBeGreaterThan(0);
  });
});
