import type { ManagedApp } from '../../config';
import type { DeploySpec } from '../../domain/deployment';

/** The snapshot of an app's configuration a deployment carries in its input. */
export function toDeploySpec(app: ManagedApp): DeploySpec {
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
    notify: [...app.notify],
  };
}
