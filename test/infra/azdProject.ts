/**
 * Small readers for what azd reads besides the Bicep: azure.yaml (a YAML subset: nested maps of
 * scalars, which is all azure.yaml uses here) and .funcignore (gitignore syntax as azd applies it
 * when it zips a function app).
 */

export type YamlValue = string | { [key: string]: YamlValue };

/** Parses nested `key: value` maps by indentation; comments and blank lines are skipped. */
export function parseYamlMaps(text: string): { [key: string]: YamlValue } {
  const root: { [key: string]: YamlValue } = {};
  const stack: Array<{ indent: number; map: { [key: string]: YamlValue } }> = [{ indent: -1, map: root }];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').replace(/^\s*#.*$/, '');
    if (line.trim() === '') continue;
    const match = /^(\s*)([A-Za-z0-9_.-]+):\s*(.*)$/.exec(line);
    if (!match) throw new Error(`unsupported YAML line: ${raw}`);
    const indent = match[1].length;
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) stack.pop();
    const parent = stack[stack.length - 1].map;
    const value = match[3].trim();
    if (value === '') {
      const child: { [key: string]: YamlValue } = {};
      parent[match[2]] = child;
      stack.push({ indent, map: child });
    } else {
      parent[match[2]] = value.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
    }
  }
  return root;
}

export function yamlAt(value: YamlValue | undefined, ...keys: string[]): YamlValue | undefined {
  let current = value;
  for (const key of keys) current = typeof current === 'object' ? current[key] : undefined;
  return current;
}

interface IgnoreRule {
  regex: RegExp;
  directoryOnly: boolean;
  negated: boolean;
}

function globToRegex(glob: string): string {
  return glob
    .split('')
    .map((ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
}

function parseIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    let pattern = raw.trim();
    if (pattern === '' || pattern.startsWith('#')) continue;
    const negated = pattern.startsWith('!');
    if (negated) pattern = pattern.slice(1);
    const directoryOnly = pattern.endsWith('/');
    if (directoryOnly) pattern = pattern.slice(0, -1);
    const anchored = pattern.startsWith('/') || pattern.includes('/');
    pattern = pattern.replace(/^\//, '');
    const body = globToRegex(pattern);
    rules.push({ regex: new RegExp(anchored ? `^${body}$` : `(^|/)${body}$`), directoryOnly, negated });
  }
  return rules;
}

/**
 * Whether a file (path relative to the project, forward slashes) is left out: it or one of its
 * parent folders matches the last matching rule that is not negated.
 */
export function isIgnored(ignoreText: string, file: string): boolean {
  const rules = parseIgnore(ignoreText);
  const parts = file.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const candidate = parts.slice(0, depth).join('/');
    const isDirectory = depth < parts.length;
    let ignored = false;
    for (const rule of rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (rule.regex.test(candidate)) ignored = !rule.negated;
    }
    if (ignored) return true;
  }
  return false;
}
