/**
 * Loading the apps configuration file: read, parse JSON, validate with the zod schema, and turn
 * every problem into one ConfigurationError that names the file, the field path and what is
 * wrong. The inferred types are what the rest of Harbormaster imports.
 */
import fs from 'node:fs';
import { z } from 'zod';
import {
  appsConfigSchema,
  databaseSchema,
  deployStrategySchema,
  healthPolicySchema,
  managedAppSchema,
  notificationChannelSchema,
  tagPolicySchema,
  alertThresholdsSchema,
  approvalSchema,
  migrationSchema,
  retentionSchema,
  selfHealSchema,
  maintenanceWindowSchema,
  imageSchema,
  releaseGroupSchema,
  deployWindowsSchema,
} from './appsConfigSchema';
import { ConfigurationError, formatFieldPath, type ConfigurationProblem } from './configurationError';

export { appsConfigSchema } from './appsConfigSchema';

/** The whole file, defaults applied. */
export type AppsConfig = z.output<typeof appsConfigSchema>;
/** One managed container app. */
export type ManagedApp = z.output<typeof managedAppSchema>;
export type ImagePolicy = z.output<typeof imageSchema>;
export type TagPolicy = z.output<typeof tagPolicySchema>;
export type MigrationConfig = z.output<typeof migrationSchema>;
export type HealthPolicy = z.output<typeof healthPolicySchema>;
export type DeployStrategy = z.output<typeof deployStrategySchema>;
export type ApprovalPolicy = z.output<typeof approvalSchema>;
export type SelfHealPolicy = z.output<typeof selfHealSchema>;
export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;
export type AlertThresholds = z.output<typeof alertThresholdsSchema>;
export type ReleaseGroup = z.output<typeof releaseGroupSchema>;
export type DeployWindows = z.output<typeof deployWindowsSchema>;
export type DatabaseConfig = z.output<typeof databaseSchema>;
export type RetentionPolicy = z.output<typeof retentionSchema>;
export type NotificationChannel = z.output<typeof notificationChannelSchema>;
export type NotificationKind = NotificationChannel['kind'];
export type Severity = NotificationChannel['minSeverity'];
/** What the file may contain before defaults (for tests and tools that write configurations). */
export type AppsConfigInput = z.input<typeof appsConfigSchema>;

/** Reads and validates the file at `filePath`. Throws ConfigurationError (source = the path). */
export function loadAppsConfig(filePath: string): AppsConfig {
  let text: string;
  try {
    text = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist (set HARBORMASTER_CONFIG_PATH, or create it)' : `the file cannot be read (${code ?? 'unknown error'})`;
    throw new ConfigurationError(filePath, [{ path: '', message: why }]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(filePath, [{ path: '', message: `the file is not valid JSON: ${describeJsonError(error as Error, text)}` }]);
  }
  return parseAppsConfig(document, filePath);
}

/** Validates an already-parsed document; `source` names it in errors. */
export function parseAppsConfig(document: unknown, source = 'apps configuration'): AppsConfig {
  const result = appsConfigSchema.safeParse(document);
  if (result.success) return result.data;
  throw new ConfigurationError(source, result.error.issues.map(problemFromIssue));
}

function problemFromIssue(issue: z.core.$ZodIssue): ConfigurationProblem {
  const path = formatFieldPath(issue.path);
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return { path, message: `is required (expected ${issue.expected})` };
  }
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined) {
    const options = (issue as { options?: unknown[] }).options;
    const choices = Array.isArray(options) ? options.map((o) => JSON.stringify(o)).join(', ') : 'the documented kinds';
    return { path, message: `must be one of ${choices}` };
  }
  return { path, message: issue.message };
}

/**
 * V8's JSON messages can quote a stretch of the input; the file must hold no secrets, but we
 * still report only the kind of error and where it is.
 */
function describeJsonError(error: Error, text: string): string {
  const kind = error.message.replace(/,\s*(\.\.\.)?".*is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const position = /at position (\d+)/.exec(error.message);
  if (!position) return kind;
  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${kind} at line ${line}, column ${column}`;
}
