/**
 * App settings for a local run, as Core Tools reads them: the `Values` of `local.settings.json`,
 * or of `local.settings.example.json` when a developer has not made their own copy yet.
 * Real environment variables win over both (so CI and a shell can override one setting).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface LocalSettings {
  /** The file the values came from, or undefined when neither file exists. */
  source?: string;
  values: Record<string, string | undefined>;
}

function readValues(file: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`);
  }
  const values = (parsed as { Values?: unknown } | null)?.Values;
  if (values === undefined) return {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new Error(`${path.basename(file)}: Values must be an object of setting names to strings`);
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string') result[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') result[name] = String(value);
    else throw new Error(`${path.basename(file)}: Values.${name} must be a string`);
  }
  return result;
}

export function readLocalSettings(directory: string, env: NodeJS.ProcessEnv = process.env): LocalSettings {
  const candidates = ['local.settings.json', 'local.settings.example.json'].map((name) => path.join(directory, name));
  const source = candidates.find((file) => existsSync(file));
  const values: Record<string, string | undefined> = source ? readValues(source) : {};
  for (const name of Object.keys(values)) {
    if (env[name] !== undefined) values[name] = env[name];
  }
  return { source, values };
}
