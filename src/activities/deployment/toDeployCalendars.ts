import type { AppsConfig, DeployWindows, ManagedApp, ReleaseGroup } from '../../config';
import type { DeployCalendar } from '../../domain/schedule/deployWindow';
import type { DeploySlotNeed } from '../../domain/deployment';

/** The configuration an app's deployments are scheduled by: its groups and the global windows. */
export interface ScheduleConfig {
  groups: ReadonlyArray<ReleaseGroup>;
  deployWindows?: DeployWindows;
  environments?: AppsConfig['environments'];
}

export function scheduleConfigOf(config: Pick<AppsConfig, 'groups' | 'deployWindows' | 'environments'>): ScheduleConfig {
  return { groups: config.groups ?? [], deployWindows: config.deployWindows, environments: config.environments };
}

/** The deployment slots these apps need: one per limited Container Apps environment they run in. */
export function toSlotNeeds(schedule: ScheduleConfig, apps: ReadonlyArray<ManagedApp>): DeploySlotNeed[] {
  const names = [...new Set(apps.map((a) => a.containerApp.environment).filter((e): e is string => e !== undefined))];
  return names.flatMap((name) => {
    const environment = schedule.environments?.find((e) => e.name === name);
    return environment ? [{ environment: name, limit: environment.maxConcurrentDeployments }] : [];
  });
}

/** The release group an app belongs to, if any. */
export function groupOf(schedule: ScheduleConfig, app: string): ReleaseGroup | undefined {
  return schedule.groups.find((g) => g.apps.includes(app));
}

/**
 * The calendars a deployment of these apps (one app, or a group's members) is scheduled by,
 * as the deployment carries them in its input: every scope with windows or freezes. Empty:
 * the deployment has no window step at all.
 */
export function toDeployCalendars(schedule: ScheduleConfig, apps: ReadonlyArray<ManagedApp>, group?: ReleaseGroup): DeployCalendar[] {
  const scoped: Array<[string, DeployWindows | undefined]> = [
    ...apps.map((a) => [`app ${a.name}`, a.deployWindows] as [string, DeployWindows | undefined]),
    [`group ${group?.name ?? ''}`, group?.deployWindows],
    ['global', schedule.deployWindows],
  ];
  return scoped
    .filter((entry): entry is [string, DeployWindows] => entry[1] !== undefined && (entry[1].allow.length > 0 || entry[1].freezes.length > 0))
    .map(([scope, windows]) => ({
      scope,
      timeZone: windows.timeZone,
      windows: windows.allow.map((w) => ({ days: [...w.days], start: w.start, end: w.end })),
      freezes: windows.freezes.map((f) => ({ ...f })),
    }));
}
