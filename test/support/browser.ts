/**
 * A real browser for the dashboard tests: Debian's Chromium (`apt-get install chromium`; .ci/run
 * installs it when missing; nothing is downloaded at npm install time) driven by playwright-core.
 * Each launch gets a fresh profile folder, and the flags keep Chromium from reaching for the
 * network on its own (updates, sync, field trials), which a closed network would stall on.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots of each page, kept after the run (gitignored). */
export const ARTIFACT_DIR = path.resolve(__dirname, '..', '..', '..', 'test-artifacts', 'dashboard');

export interface RunningBrowser {
  context: BrowserContext;
  /** Errors the pages threw and Content-Security-Policy refusals, as they happened. */
  pageErrors: string[];
  newPage(): Promise<Page>;
  stop(): Promise<void>;
}

export async function launchBrowser(): Promise<RunningBrowser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'hm-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  const pageErrors: string[] = [];
  const watch = (page: Page): void => {
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text())) pageErrors.push(`${page.url()}: ${message.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return {
    context,
    pageErrors,
    newPage: () => context.newPage(),
    stop: async () => {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACT_DIR, `${name}.png`), fullPage: true });
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. axe is evaluated
 * through the DevTools protocol, so the page's Content-Security-Policy stays on.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    // The test project has no DOM types: the page's document, as axe takes it.
    const results = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
