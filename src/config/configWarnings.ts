/**
 * What a valid configuration still deserves a word about: settings that work, but not as their
 * names promise. Logged at start-up and shown by `GET /api/healthz`; never a reason to refuse.
 */
import type { AppsConfig } from './appsConfig';
import type { ConfigurationProblem } from './configurationError';

export function appsConfigWarnings(config: AppsConfig): ConfigurationProblem[] {
  const warnings: ConfigurationProblem[] = [];
  config.apps.forEach((app, i) => {
    if (app.containerApp.activeRevisionsMode === 'Single' && (app.strategy.kind === 'blue-green' || app.strategy.kind === 'canary')) {
      warnings.push({
        path: `apps[${i}].strategy.kind`,
        message: `is "${app.strategy.kind}" but ${app.name} runs in single-revision mode: there is no 0 % revision, so every deployment is a swap (health judged on live traffic, rollback re-applies the previous release)`,
      });
    }
  });
  return warnings;
}
