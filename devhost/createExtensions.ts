/**
 * The one place that decides which extensions a local run of devhost gets.
 * Tests build their own lists; `npm start` uses this one.
 */
import { createDurableExtension } from './durable';
import type { DevhostExtension } from './extension';

export function createExtensions(_settings: Readonly<Record<string, string | undefined>>): DevhostExtension[] {
  return [createDurableExtension()];
}
