/**
 * What the dashboard's browser tests share: opening the dashboard as a person does, and the
 * accessibility check every page passes.
 */
import type { Page } from 'playwright-core';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { dashboardUrl } from '../../devhost/localStack/localDemo';
import { seriousAccessibilityViolations } from '../support/browser';

/**
 * Opens the dashboard at the address `npm start` prints. Where devhost signs the browser in as a
 * local operator the overview shows at once; otherwise the page asks for a key, and gets the
 * stack's function key.
 */
export async function openDashboard(page: Page, stack: LocalStack): Promise<void> {
  await page.goto(dashboardUrl(stack));
  const signIn = page.getByRole('heading', { name: 'Sign in to Harbormaster' });
  const apps = page.getByRole('heading', { name: 'Apps', exact: true });
  await signIn.or(apps).first().waitFor({ timeout: 30_000 });
  if (await signIn.isVisible()) {
    await page.getByLabel('Or a function key').fill(stack.functionKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    await apps.waitFor({ timeout: 30_000 });
  }
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
}

/** The card of one app on the overview. */
export function appCard(page: Page, app: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: app, exact: true }) });
}
