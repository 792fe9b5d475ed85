import type { ManagedApp } from '../../config';
import { JOB_DEFAULT_SUCCESS_CONDITION, type AnalysisSpec } from '../../domain/analysis';
import type { HookSpec } from '../../domain/hooks';
import type { DeploySpec } from '../../domain/deployment';

/** The snapshot of an app's configuration a deployment carries in its input. */
export function toDeploySpec(app: ManagedApp): DeploySpec {
  const analysis = analysisSpecOf(app);
  return {
    app: app.name,
    containerApp: { ...app.containerApp },
    platform: app.image.platform,
    maxSizeBytes: app.image.maxSizeBytes,
    migration: app.migration
      ? {
          jobName: app.migration.jobName,
          command: [...app.migration.command],
          timeoutSeconds: app.migration.timeoutSeconds,
          rollback: app.migration.rollback,
          downCommand: app.migration.downCommand ? [...app.migration.downCommand] : undefined,
        }
      : undefined,
    health: { ...app.health },
    strategy: app.strategy.kind === 'canary' ? { ...app.strategy, steps: [...app.strategy.steps] } : { ...app.strategy },
    database: app.database,
    approval: { ...app.approval },
    ...(analysis ? { analysis } : {}),
    ...(app.hooks.length > 0 ? { hooks: app.hooks.map((hook) => hookSpecOf(hook)) } : {}),
    notify: [...app.notify],
  };
}

/** The app's analysis as a deployment carries it; undefined without checks (such an app's rollout has no analysis steps). */
function analysisSpecOf(app: ManagedApp): AnalysisSpec | undefined {
  const analysis = app.analysis;
  if (!analysis || analysis.checks.length === 0) return undefined;
  return {
    canarySteps: analysis.canarySteps,
    bakeSeconds: analysis.bakeSeconds,
    inconclusive: analysis.inconclusive,
    checks: analysis.checks.map((check) => ({
      name: check.name,
      provider: { ...check.provider },
      intervalSeconds: check.intervalSeconds,
      count: check.durationSeconds !== undefined ? Math.max(1, Math.ceil(check.durationSeconds / check.intervalSeconds)) : (check.count ?? 3),
      successCondition: check.successCondition ?? (check.provider.kind === 'job' && check.failureCondition === undefined ? JOB_DEFAULT_SUCCESS_CONDITION : undefined),
      failureCondition: check.failureCondition,
      failureLimit: check.failureLimit,
      inconclusiveLimit: check.inconclusiveLimit,
      ...(check.background ? { background: true } : {}),
    })),
  };
}

function hookSpecOf(hook: ManagedApp['hooks'][number]): HookSpec {
  if (hook.kind === 'job') return { ...hook, command: hook.command ? [...hook.command] : undefined, args: hook.args ? [...hook.args] : undefined };
  return { ...hook };
}
