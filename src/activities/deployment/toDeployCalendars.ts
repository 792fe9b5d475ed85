import type { AppsConfig, DeployWindows, ManagedApp, ReleaseGroup } from '../../config';
import type { DeployCalendar } from '../../domain/schedule/deployWindow';

/** The configuration an app's deployments are scheduled by: its groups and the global windows. */
export interface ScheduleConfig {
  groups: ReadonlyArray<ReleaseGroup>;
  deployWindows?: DeployWindows;
}

export function scheduleConfigOf(config: Pick<AppsConfig, 'groups' | 'deployWindows'>): ScheduleConfig {
  return { groups: config.groups ?? [], deployWindows: config.deployWindows };
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
