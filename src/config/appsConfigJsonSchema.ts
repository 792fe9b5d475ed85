/**
 * The published JSON Schema of the apps configuration file, generated from the zod schema so the
 * two cannot disagree. It describes the file as written (defaults optional), which is what
 * editors complete; cross-reference rules (unique names, known databases) are enforced at load.
 */
import { z } from 'zod';
import { appsConfigSchema } from './appsConfigSchema';

export function buildAppsConfigJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(appsConfigSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, title: 'Harbormaster apps configuration', ...rest };
}

/** The file's exact text (two-space indent, trailing newline), as committed in config/. */
export function renderAppsConfigJsonSchema(): string {
  return `${JSON.stringify(buildAppsConfigJsonSchema(), null, 2)}\n`;
}
