// Reads the public webhook samples in test/fixtures/samples/webhooks (their origins: SOURCES.md
// there). Compiled to dist/test/domain/push, four levels below the repository root.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const WEBHOOK_FIXTURES_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'samples', 'webhooks');

export function listWebhookFixtures(): string[] {
  if (!existsSync(WEBHOOK_FIXTURES_DIR)) {
    throw new Error(`webhook fixtures not found at ${WEBHOOK_FIXTURES_DIR}`);
  }
  return readdirSync(WEBHOOK_FIXTURES_DIR).sort();
}

export function readFixtureText(name: string): string {
  return readFileSync(path.join(WEBHOOK_FIXTURES_DIR, name), 'utf8');
}

export function readFixture(name: string): unknown {
  return JSON.parse(readFixtureText(name)) as unknown;
}

/** A deep copy to mutate into a malformed variant. */
export function fixtureCopy(name: string): Record<string, unknown> {
  return readFixture(name) as Record<string, unknown>;
}

/** Sets a dotted path (`target.digest`) in a copy, creating nothing: the parent must exist. `undefined` deletes. */
export function withField<T>(value: T, dotted: string, replacement: unknown): T {
  const copy = JSON.parse(JSON.stringify(value)) as T;
  const keys = dotted.split('.');
  let holder = copy as unknown as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) holder = holder[key] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (replacement === undefined) delete holder[last];
  else holder[last] = replacement;
  return copy;
}

export const REAL_DIGEST = 'sha256:213bbc182920ab41e18edc2001e06abcca6735d87782d9cef68abd83941cf0e5';

/** Stands in for something that must never appear in an error: a secret pasted in the wrong field. */
export const PLANTED_SECRET = 'PLANTED-s3cr3t-VALUE';
