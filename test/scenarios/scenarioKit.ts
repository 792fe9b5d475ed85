/**
 * What every scenario test needs: the local stack on free ports with a fresh task hub, and
 * waits that poll the status API (never fixed sleeps).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../devhost/localStack/localStack';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ENTRY = path.join(REPO_ROOT, 'dist', 'src', 'index.js');

export async function startScenarioStack(configFile: string, options: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  return startLocalStack({
    entry: ENTRY,
    configPath: path.join(REPO_ROOT, 'test', 'fixtures', 'config', configFile),
    stateDir: mkdtempSync(path.join(tmpdir(), 'hm-scenario-')),
    hubName: `scenario${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
    log: () => undefined,
    ...options,
  });
}

/** Polls `check` until it returns a value, or fails with the last thing seen. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until the app's newest deployment reaches a terminal phase and returns it. */
export async function waitForDeploymentOf(stack: LocalStack, app: string, digest: string, timeoutMs = 90_000): Promise<any> {
  return eventually(`a finished deployment of ${app}@${digest.slice(0, 19)}`, async () => {
    const { body } = await stack.api('GET', `/deployments?app=${app}`);
    const deployment = (body?.deployments ?? []).find((d: any) => d.image?.digest === digest);
    if (deployment && ['succeeded', 'rolled-back', 'failed', 'superseded', 'rejected'].includes(deployment.phase)) return deployment;
    return undefined;
  }, timeoutMs);
}
