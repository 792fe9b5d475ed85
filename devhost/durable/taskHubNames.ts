/**
 * Task hub naming, as the Azure Storage provider names its resources: tables `<hub>Instances`
 * and `<hub>History`, queues `<hub>-control-00` and `<hub>-workitems` (lower case), and a blob
 * container `<hub>-largemessages` for payloads too big for a table column.
 */
export interface TaskHubResourceNames {
  hubName: string;
  instancesTable: string;
  historyTable: string;
  controlQueue: string;
  workItemQueue: string;
  largeMessageContainer: string;
}

/** Task hub names: letters and digits, starting with a letter, 3 to 45 characters. */
const HUB_NAME = /^[A-Za-z][A-Za-z0-9]{2,44}$/;

export function taskHubResourceNames(hubName: string): TaskHubResourceNames {
  if (!HUB_NAME.test(hubName)) {
    throw new Error(`Task hub name "${hubName}" is invalid: use 3 to 45 letters and digits, starting with a letter`);
  }
  const lower = hubName.toLowerCase();
  return {
    hubName,
    instancesTable: `${hubName}Instances`,
    historyTable: `${hubName}History`,
    controlQueue: `${lower}-control-00`,
    workItemQueue: `${lower}-workitems`,
    largeMessageContainer: `${lower}-largemessages`,
  };
}

export const DEFAULT_HUB_NAME = 'DevhostHub';

/**
 * The hub name from host.json `extensions.durableTask.hubName`, with `%SETTING%` references
 * resolved from the app settings; the default when absent.
 */
export function resolveHubName(hostJson: Record<string, unknown>, settings: Readonly<Record<string, string | undefined>>): string {
  const extensions = hostJson.extensions as Record<string, unknown> | undefined;
  const durableTask = extensions?.durableTask as Record<string, unknown> | undefined;
  const raw = durableTask?.hubName;
  if (typeof raw !== 'string' || raw === '') return DEFAULT_HUB_NAME;
  return raw.replace(/%([^%]+)%/g, (_match, name: string) => {
    const value = settings[name];
    if (value === undefined || value === '') {
      throw new Error(`host.json extensions.durableTask.hubName refers to app setting "${name}", which is not set`);
    }
    return value;
  });
}

/** host.json `extensions.durableTask.<name>` as a positive integer, or the fallback. */
export function durableTaskLimit(hostJson: Record<string, unknown>, name: string, fallback: number): number {
  const extensions = hostJson.extensions as Record<string, unknown> | undefined;
  const value = (extensions?.durableTask as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
