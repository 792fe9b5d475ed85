/** Shared helpers for the configuration tests: the repository root and temp files to load. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultAppRoot } from '../../src/config/settings';

export const REPO_ROOT = defaultAppRoot();
export const EXAMPLE_CONFIG = path.join(REPO_ROOT, 'config', 'apps.example.json');

/** Parsed JSON that tests break on purpose, field by field; typing it would defeat the point. */
 
export type JsonDocument = Record<string, any>;

/** The example configuration as a fresh, mutable object. */
export function exampleDocument(): JsonDocument {
  return JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8')) as JsonDocument;
}

/** Writes `content` (an object, serialised as JSON, or raw text) to a temp file; returns its path. */
export function writeTempConfig(content: unknown, dir: string): string {
  const file = path.join(dir, `apps-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hm-config-'));
}
