/**
 * Orchestration inputs built from the stack suites' own configurations (test/fixtures/config),
 * the way the launcher builds them (toDeploySpec, inputBase, scheduleFields): a replay test runs
 * the orchestrator on the same input a stack scenario's push would give it.
 */
import path from 'node:path';
import { loadAppsConfig, parseAppsConfig, type AppsConfig, type AppsConfigInput } from '../../../src/config';
import { inputBase, scheduleFields } from '../../../src/activities/deployment/deploymentInput';
import { scheduleConfigOf } from '../../../src/activities/deployment/toDeployCalendars';
import { toDeploySpec } from '../../../src/activities/deployment/toDeploySpec';
import type { DeploymentInput, DeploymentRequest, RollbackInput, WindowOverride } from '../../../src/domain/deployment';
import type { GroupDeploymentInput } from '../../../src/domain/deployment/groupDeployment';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'config');
const loaded = new Map<string, AppsConfig>();

/** A configuration written in the test (validated and defaulted as the app's loader does). */
export function configOf(document: AppsConfigInput): AppsConfig {
  return parseAppsConfig(document, 'replay test configuration');
}

/** A fixture file by name, or a configuration already parsed. */
export function fixtureConfig(file: string | AppsConfig): AppsConfig {
  if (typeof file !== 'string') return file;
  let config = loaded.get(file);
  if (!config) {
    config = loadAppsConfig(path.join(FIXTURES, file));
    loaded.set(file, config);
  }
  return config;
}

export interface PushOptions {
  tag?: string;
  digest?: string;
  deploymentId?: string;
  /** When the request was received (the orchestration's start, as a rule). */
  receivedAt?: string;
  override?: WindowOverride;
}

/** A 64-hex digest derived from a tag, so each test's images differ and read well. */
export function digestFor(tag: string): string {
  const hex = Buffer.from(tag).toString('hex');
  return `sha256:${hex.padEnd(64, '0').slice(0, 64)}`;
}

function requestFor(config: AppsConfig, appName: string, options: PushOptions): DeploymentRequest {
  const app = config.apps.find((a) => a.name === appName);
  if (!app) throw new Error(`no app ${appName} in the fixture configuration`);
  const tag = options.tag ?? 'main-2';
  return {
    app: appName,
    deploymentId: options.deploymentId ?? `${appName}-20260302-100000-abc123`,
    digest: options.digest ?? digestFor(tag),
    tag,
    registry: app.image.registry,
    repository: app.image.repository,
    source: 'acr',
    deliveryId: `delivery-${tag}`,
    receivedAt: options.receivedAt ?? '2026-03-02T10:00:00.000Z',
    ...(options.override ? { override: options.override } : {}),
  };
}

/** The input of a push of `app` in the fixture `file`. */
export function appDeployment(file: string | AppsConfig, appName: string, options: PushOptions = {}): DeploymentInput {
  const config = fixtureConfig(file);
  const request = requestFor(config, appName, options);
  const app = config.apps.find((a) => a.name === appName)!;
  return { ...inputBase(request), spec: toDeploySpec(app), ...scheduleFields(scheduleConfigOf(config), [app], request) };
}

/** The input of a push to release group `group` in the fixture `file`. */
export function groupDeployment(file: string | AppsConfig, groupName: string, options: PushOptions = {}): GroupDeploymentInput {
  const config = fixtureConfig(file);
  const group = (config.groups ?? []).find((g) => g.name === groupName);
  if (!group) throw new Error(`no group ${groupName} in the fixture configuration`);
  const members = group.apps.map((name) => config.apps.find((a) => a.name === name)!);
  const request = requestFor(config, members[0].name, { deploymentId: `${groupName}-20260302-100000-abc123`, ...options });
  return { ...inputBase(request), group: group.name, members: members.map(toDeploySpec), ...scheduleFields(scheduleConfigOf(config), members, request, group) };
}

/** The input of a manual rollback of `app`: the deployment input of its target and the request. */
export function manualRollback(file: string | AppsConfig, appName: string, request: RollbackInput['request'], options: PushOptions = {}): RollbackInput {
  const { window: _window, override: _override, slots: _slots, ...base } = appDeployment(file, appName, { deploymentId: `${appName}-rollback-20260302-abc123`, ...options });
  return { ...base, request };
}
