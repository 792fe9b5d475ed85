/**
 * The configuration as the app sees it: app settings and the apps configuration file, read once
 * and checked against each other. `getConfig()` throws a ConfigurationError on anything invalid,
 * and src/index.ts calls it before registering any function, so a bad configuration stops the
 * app at start-up instead of half-starting it.
 */
import { loadAppsConfig, type AppsConfig } from './appsConfig';
import { ConfigurationError, type ConfigurationProblem } from './configurationError';
import { readSettings, type Settings } from './settings';

export * from './appsConfig';
export * from './settings';
export { ConfigurationError, type ConfigurationProblem } from './configurationError';
export { SecretValue } from './secretValue';
export { ncrontabProblem, isValidNcrontab } from './ncrontab';
export { appsConfigWarnings } from './configWarnings';

export interface HarbormasterConfig {
  readonly settings: Settings;
  readonly apps: AppsConfig;
}

let loaded: HarbormasterConfig | undefined;

/** Loads settings and the apps file on first call (memoised). Throws ConfigurationError. */
export function getConfig(): HarbormasterConfig {
  loaded ??= loadConfig(process.env);
  return loaded;
}

/** Pure of process-wide state: reads `env`, then the file it names. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): HarbormasterConfig {
  const settings = readSettings(env);
  const apps = loadAppsConfig(settings.configPath);
  checkSettingsAgainstApps(settings, apps);
  return { settings, apps };
}

/** Settings that only some configurations need (a vault once secrets are named, a backup job once databases exist). */
export function checkSettingsAgainstApps(settings: Settings, apps: AppsConfig): void {
  const problems: ConfigurationProblem[] = [];
  if (!settings.keyVaultUrl && (apps.databases.length > 0 || apps.notifications.length > 0)) {
    problems.push({
      path: 'HARBORMASTER_KEY_VAULT_URL',
      message: `is required: ${settings.configPath} declares databases or notification channels, whose secrets live in Key Vault`,
    });
  }
  if (!settings.backup.job && apps.databases.length > 0) {
    problems.push({
      path: 'HARBORMASTER_BACKUP_JOB_NAME',
      message: `is required (with HARBORMASTER_BACKUP_JOB_RESOURCE_GROUP and HARBORMASTER_BACKUP_JOB_SUBSCRIPTION_ID): ${settings.configPath} declares databases to back up`,
    });
  }
  if (problems.length > 0) throw new ConfigurationError('app settings', problems);
}
