/**
 * The one error kind for bad configuration (app settings or the apps configuration file).
 * It is terminal: the app refuses to start rather than half-start. Its message names where the
 * problem is (setting name, or file and field path) and what is wrong, never the offending value:
 * a value may be a secret pasted in the wrong place.
 */
export interface ConfigurationProblem {
  /** Where: a setting name (`HARBORMASTER_SWEEP_SCHEDULE`) or a field path (`apps[1].health.failureThreshold`). */
  readonly path: string;
  /** What is wrong, without the offending value. */
  readonly message: string;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';

  /**
   * @param source what was being read: `app settings` or the configuration file's path.
   * @param problems every problem found (not just the first), in the order found.
   */
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigurationProblem[],
  ) {
    super(formatProblems(source, problems));
  }
}

function formatProblems(source: string, problems: readonly ConfigurationProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((problem) => (problem.path ? `  - ${problem.path}: ${problem.message}` : `  - ${problem.message}`));
  return [`Invalid configuration in ${source} (${count}):`, ...lines].join('\n');
}

/** Renders a zod issue path as a field path: `apps[1].health.failureThreshold`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
