/**
 * What the dashboard's browser tests share: opening the dashboard as a person does, and the
 * accessibility check every page passes.
 */
import type { Page } from 'playwright-core';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { dashboardUrl } from '../../devhost/localStack/localDemo';
import { seriousAccessibilityViolations } from '../support/browser';

/**
 * Opens the dashboard at the address `npm start` prints, as a browser devhost signs in (its
 * stand-in for App Service authentication, on in every local stack): the overview shows at once,
 * and the header names who is signed in, `local-operator · operator` unless `as` says otherwise.
 * The sign-in screen appearing is a failure, not something to type a key into.
 */
export async function openDashboard(page: Page, stack: LocalStack, as = 'local-operator · operator'): Promise<void> {
  await page.goto(dashboardUrl(stack));
  const signIn = page.getByRole('heading', { name: 'Sign in to Harbormaster' });
  const apps = page.getByRole('heading', { name: 'Apps', exact: true });
  await signIn.or(apps).first().waitFor({ timeout: 30_000 });
  if (await signIn.isVisible()) throw new Error("The dashboard asked for sign-in: devhost's stand-in (DEVHOST_SIGN_IN) did not sign the browser in");
  await page.getByRole('banner').getByText(as, { exact: true }).waitFor();
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
}

/** The card of one app on the overview. */
export function appCard(page: Page, app: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: app, exact: true }) });
}
