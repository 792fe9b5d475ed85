/**
 * The one place that decides which extensions a local run of devhost gets (the Durable engine,
 * simulators, ...). Tests build their own lists; `npm start` uses this one.
 */
import type { DevhostExtension } from './extension';

export function createExtensions(_settings: Readonly<Record<string, string | undefined>>): DevhostExtension[] {
  return [];
}
