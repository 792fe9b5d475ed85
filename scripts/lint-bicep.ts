/**
 * A structural lint of infra/*.bicep for machines without the Bicep compiler (none is reachable
 * from ours). It is not a type checker: `az bicep build --file infra/main.bicep` is the real
 * check for those who have it. What it does catch:
 * - unbalanced braces, brackets and parentheses; unterminated strings;
 * - `module` paths that do not exist; params passed to a module that it does not declare, and
 *   required module params that are not passed;
 * - identifiers used but never declared (a param, var, resource, module or loop variable), which
 *   includes resource symbolic names that do not exist;
 * - params declared but never used (warning);
 * - secret-looking params (…Secret, …Password, …Key, …Token, …ConnectionString) without @secure();
 * - parameter files (*.parameters.json): parameters the template does not declare, and values that
 *   look like secrets (account keys, passwords, connection strings, private keys, tokens);
 * - conditional resources and modules whose `scope` or `name` indexes into a string that may be
 *   empty (ARM evaluates both even when the condition is false), vars followed;
 * - keys read during deployment (`listKeys(...)` and every other `list*` call) and `code=` in
 *   any string: no function or host key may end up in an endpoint URL;
 * - `newGuid()` as the default of a secret-like or @secure() param (a new secret on every deployment);
 * - role assignments without an explicit `scope` (they would land on the whole resource group).
 *
 * Usage: `node dist/scripts/lint-bicep.js [infraDir]` (exit code 1 on errors).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export type Severity = 'error' | 'warning';

export interface BicepFinding {
  /** Path relative to the infra folder, with forward slashes. */
  file: string;
  line: number;
  rule: string;
  severity: Severity;
  message: string;
}

export interface BicepParam {
  name: string;
  type: string;
  line: number;
  decorators: string[];
  hasDefault: boolean;
  /** Tokens of the default value joined by spaces (empty without a default). */
  defaultText: string;
}

export interface BicepLoop {
  item: string;
  index?: string;
  collection: string;
}

export interface BicepDeclaration {
  kind: 'resource' | 'module';
  symbol: string;
  /** Resource type without API version, or the module path. */
  target: string;
  existing: boolean;
  line: number;
  loop?: BicepLoop;
  condition?: string;
  /** Text of the body object, braces included. */
  body: string;
}

export interface ParsedBicep {
  targetScope?: string;
  params: BicepParam[];
  vars: Array<{ name: string; line: number; value: string }>;
  declarations: BicepDeclaration[];
  outputs: Array<{ name: string; line: number }>;
  /** Identifiers the file refers to, with the line of each use. */
  references: Array<{ name: string; line: number }>;
  /** Loop and lambda variables (declared inside expressions). */
  localNames: Set<string>;
  structureProblems: Array<{ line: number; message: string }>;
}

interface Token {
  kind: 'ident' | 'string' | 'punct' | 'number';
  text: string;
  line: number;
  /** For strings: the identifiers-bearing tokens of its `${...}` interpolations. */
  inner?: Token[];
}

const KEYWORDS = new Set([
  'true', 'false', 'null', 'if', 'for', 'in', 'existing', 'resource', 'module', 'param', 'var', 'output',
  'targetScope', 'import', 'type', 'func', 'metadata', 'using', 'with', 'as', 'extension', 'provider',
]);

const STATEMENT_KEYWORDS = new Set(['param', 'var', 'resource', 'module', 'output', 'type', 'func', 'targetScope', 'import', 'metadata']);

/** Namespaces and function names the Bicep language provides (those not called with `(` directly). */
const BUILT_IN_NAMES = new Set(['az', 'sys']);

function tokenize(text: string, lineOffset = 1): { tokens: Token[]; problems: Array<{ line: number; message: string }> } {
  const tokens: Token[] = [];
  const problems: Array<{ line: number; message: string }> = [];
  let line = lineOffset;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      if (end === -1) problems.push({ line, message: 'unterminated block comment' });
      line += countNewlines(text.slice(i, stop));
      i = stop;
      continue;
    }
    if (text.startsWith("'''", i)) {
      const end = text.indexOf("'''", i + 3);
      const stop = end === -1 ? text.length : end + 3;
      if (end === -1) problems.push({ line, message: 'unterminated multi-line string' });
      tokens.push({ kind: 'string', text: text.slice(i, stop), line });
      line += countNewlines(text.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "'") {
      const start = i;
      const startLine = line;
      const inner: Token[] = [];
      i++;
      let closed = false;
      while (i < text.length) {
        if (text[i] === '\\') {
          i += 2;
          continue;
        }
        if (text[i] === '\n') {
          problems.push({ line: startLine, message: 'unterminated string' });
          break;
        }
        if (text[i] === "'") {
          closed = true;
          i++;
          break;
        }
        if (text[i] === '$' && text[i + 1] === '{') {
          const exprStart = i + 2;
          let depth = 1;
          let j = exprStart;
          while (j < text.length && depth > 0) {
            if (text[j] === '{') depth++;
            else if (text[j] === '}') depth--;
            else if (text[j] === "'") {
              // nested string inside an interpolation
              j++;
              while (j < text.length && text[j] !== "'" && text[j] !== '\n') j++;
            }
            if (depth > 0) j++;
          }
          const nested = tokenize(text.slice(exprStart, j), line);
          inner.push(...nested.tokens);
          problems.push(...nested.problems);
          i = j + 1;
          continue;
        }
        i++;
      }
      if (!closed && !problems.some((p) => p.line === startLine)) problems.push({ line: startLine, message: 'unterminated string' });
      tokens.push({ kind: 'string', text: text.slice(start, i), line: startLine, inner });
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j])) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), line });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[0-9.]/.test(text[j])) j++;
      tokens.push({ kind: 'number', text: text.slice(i, j), line });
      i = j;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (['=>', '==', '!=', '>=', '<=', '&&', '||', '??', '.?', '!.'].includes(two)) {
      tokens.push({ kind: 'punct', text: two, line });
      i += 2;
      continue;
    }
    tokens.push({ kind: 'punct', text: c, line });
    i++;
  }
  return { tokens, problems };
}

function countNewlines(text: string): number {
  let n = 0;
  for (const ch of text) if (ch === '\n') n++;
  return n;
}

function checkBalance(tokens: Token[]): Array<{ line: number; message: string }> {
  const pairs: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
  const stack: Token[] = [];
  const problems: Array<{ line: number; message: string }> = [];
  for (const token of tokens) {
    if (token.kind !== 'punct') continue;
    if (token.text === '{' || token.text === '[' || token.text === '(') stack.push(token);
    else if (token.text in pairs) {
      const open = stack.pop();
      if (!open || open.text !== pairs[token.text]) {
        problems.push({ line: token.line, message: `unbalanced '${token.text}'${open ? ` (closes '${open.text}' from line ${open.line})` : ''}` });
        if (open) stack.push(open);
      }
    }
  }
  for (const open of stack) problems.push({ line: open.line, message: `'${open.text}' is never closed` });
  return problems;
}

/** Index of the token closing the bracket at `openIndex`, or -1. */
function matchingClose(tokens: Token[], openIndex: number): number {
  const open = tokens[openIndex].text;
  const close = open === '{' ? '}' : open === '[' ? ']' : ')';
  let depth = 0;
  for (let k = openIndex; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'punct') continue;
    if (t.text === open) depth++;
    else if (t.text === close) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return -1;
}

function unquote(text: string): string {
  return text.startsWith("'''") ? text.slice(3, -3) : text.slice(1, -1);
}

/** Parses the declarations of one Bicep file (structure only; no type checking). */
export function parseBicep(text: string): ParsedBicep {
  const { tokens, problems } = tokenize(text);
  const lines = text.split('\n');
  const sliceLines = (from: number, to: number) => lines.slice(from - 1, to).join('\n');
  const parsed: ParsedBicep = {
    params: [],
    vars: [],
    declarations: [],
    outputs: [],
    references: [],
    localNames: new Set(),
    structureProblems: [...problems, ...checkBalance(tokens)],
  };
  const skip = new Set<number>(); // token indexes that declare rather than reference
  let pendingDecorators: string[] = [];
  let depth = 0;

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'punct' && (t.text === '{' || t.text === '[' || t.text === '(')) depth++;
    if (t.kind === 'punct' && (t.text === '}' || t.text === ']' || t.text === ')')) depth--;
    if (depth !== 0) continue;
    if (t.kind === 'punct' && t.text === '@' && tokens[k + 1]?.kind === 'ident') {
      pendingDecorators.push(tokens[k + 1].text);
      skip.add(k + 1);
      k++;
      continue;
    }
    if (t.kind !== 'ident') continue;
    const next = tokens[k + 1];
    if (t.text === 'targetScope' && tokens[k + 2]?.kind === 'string') {
      parsed.targetScope = unquote(tokens[k + 2].text);
      skip.add(k);
    } else if (t.text === 'param' && next?.kind === 'ident') {
      skip.add(k + 1);
      const typeToken = tokens[k + 2];
      if (typeToken?.kind === 'ident') skip.add(k + 2);
      const hasDefault = tokens[k + 3]?.text === '=' && tokens[k + 3]?.line === t.line;
      const defaultText = hasDefault ? tokens.slice(k + 4, statementEnd(tokens, k + 4) + 1).map((x) => x.text).join(' ') : '';
      parsed.params.push({ name: next.text, type: typeToken?.text ?? '', line: t.line, decorators: pendingDecorators, hasDefault, defaultText });
    } else if (t.text === 'var' && next?.kind === 'ident') {
      skip.add(k + 1);
      const valueStart = k + 3;
      const end = statementEnd(tokens, valueStart);
      parsed.vars.push({ name: next.text, line: t.line, value: sliceLines(t.line, tokens[end]?.line ?? t.line) });
    } else if (t.text === 'output' && next?.kind === 'ident') {
      skip.add(k + 1);
      if (tokens[k + 2]?.kind === 'ident') skip.add(k + 2);
      parsed.outputs.push({ name: next.text, line: t.line });
    } else if ((t.text === 'resource' || t.text === 'module') && next?.kind === 'ident' && tokens[k + 2]?.kind === 'string') {
      skip.add(k + 1);
      const target = unquote(tokens[k + 2].text);
      let m = k + 3;
      const existing = tokens[m]?.text === 'existing';
      if (existing) m++;
      if (tokens[m]?.text === '=') m++;
      let loop: BicepLoop | undefined;
      let condition: string | undefined;
      let bodyOpen = m;
      if (tokens[m]?.text === '[' && tokens[m + 1]?.text === 'for') {
        const loopHead = parseLoopHead(tokens, m + 2);
        if (loopHead) {
          loop = loopHead.loop;
          for (const name of [loop.item, loop.index]) if (name) parsed.localNames.add(name);
          bodyOpen = loopHead.next;
        }
      }
      if (tokens[bodyOpen]?.text === 'if' && tokens[bodyOpen + 1]?.text === '(') {
        const close = matchingClose(tokens, bodyOpen + 1);
        condition = tokens.slice(bodyOpen + 2, close).map((x) => x.text).join(' ');
        bodyOpen = close + 1;
      }
      if (tokens[bodyOpen]?.text === '{') {
        const close = matchingClose(tokens, bodyOpen);
        parsed.declarations.push({
          kind: t.text,
          symbol: next.text,
          target: t.text === 'resource' ? target.split('@')[0] : target,
          existing,
          line: t.line,
          ...(loop ? { loop } : {}),
          ...(condition !== undefined ? { condition } : {}),
          body: objectText(sliceLines(tokens[bodyOpen].line, tokens[close]?.line ?? tokens[bodyOpen].line)),
        });
      }
    }
    if (STATEMENT_KEYWORDS.has(t.text)) pendingDecorators = [];
  }

  collectReferences(tokens, skip, parsed);
  return parsed;
}

/** From the first `{` to the last `}` of whole-line text. */
function objectText(text: string): string {
  return text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
}

function statementEnd(tokens: Token[], start: number): number {
  let depth = 0;
  for (let k = start; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind === 'punct' && '{[('.includes(t.text)) depth++;
    if (t.kind === 'punct' && '}])'.includes(t.text)) depth--;
    if (depth === 0 && tokens[k + 1] && tokens[k + 1].line !== t.line) return k;
  }
  return tokens.length - 1;
}

/** `for x in coll:` or `for (x, i) in coll:`; `start` is the token after `for`. */
function parseLoopHead(tokens: Token[], start: number): { loop: BicepLoop; next: number } | undefined {
  let k = start;
  let item: string;
  let index: string | undefined;
  if (tokens[k]?.text === '(') {
    item = tokens[k + 1]?.text;
    index = tokens[k + 2]?.text === ',' ? tokens[k + 3]?.text : undefined;
    while (k < tokens.length && tokens[k].text !== ')') k++;
    k++;
  } else {
    item = tokens[k]?.text;
    k++;
  }
  if (tokens[k]?.text !== 'in') return undefined;
  k++;
  const collectionStart = k;
  while (k < tokens.length && tokens[k].text !== ':') k++;
  const collection = tokens.slice(collectionStart, k).map((x) => x.text).join('');
  return { loop: { item, ...(index ? { index } : {}), collection }, next: k + 1 };
}

function collectReferences(tokens: Token[], skip: Set<number>, parsed: ParsedBicep): void {
  const visit = (list: Token[], skipSet: Set<number>) => {
    for (let k = 0; k < list.length; k++) {
      const t = list[k];
      if (t.kind === 'string' && t.inner) {
        visit(t.inner, new Set());
        continue;
      }
      if (t.kind !== 'ident' || skipSet.has(k)) continue;
      const prev = list[k - 1];
      const next = list[k + 1];
      if (KEYWORDS.has(t.text) || BUILT_IN_NAMES.has(t.text)) continue;
      if (prev && (prev.text === '.' || prev.text === '.?' || prev.text === '!.' || prev.text === '@')) continue; // property or decorator
      if (next && next.text === '(') continue; // function call
      // Object keys: `key:` at the start of a line, or after `{` / `,`.
      if (next && next.text === ':' && (!prev || prev.line !== t.line || prev.text === '{' || prev.text === ',')) continue;
      // `for x in`, `(x, i) in`, and lambda parameters `x =>`, `(a, b) =>`
      if (prev && prev.text === 'for') {
        parsed.localNames.add(t.text);
        continue;
      }
      if (next && next.text === '=>') {
        parsed.localNames.add(t.text);
        continue;
      }
      if (prev && (prev.text === '(' || prev.text === ',') && isLambdaParamList(list, k)) {
        parsed.localNames.add(t.text);
        continue;
      }
      parsed.references.push({ name: t.text, line: t.line });
    }
  };
  visit(tokens, skip);
}

/** True when the identifier at k sits in `(a, b) =>` or `for (a, b) in`. */
function isLambdaParamList(list: Token[], k: number): boolean {
  let j = k;
  while (j < list.length && list[j].text !== ')') {
    if (list[j].kind !== 'ident' && list[j].text !== ',') return false;
    j++;
  }
  const after = list[j + 1]?.text;
  if (after === '=>') return true;
  let b = k;
  while (b > 0 && list[b].text !== '(') b--;
  return list[b - 1]?.text === 'for' && after === 'in';
}

/** The top-level `key: value` pairs of an object literal's text (value text trimmed). */
export function objectProperties(objectText: string): Map<string, string> {
  const props = new Map<string, string>();
  const body = objectText.trim().replace(/^\{/, '').replace(/\}$/, '');
  let depth = 0;
  let current = '';
  const flush = () => {
    const match = /^\s*'?([A-Za-z_][A-Za-z0-9_]*)'?\s*:\s*([\s\S]*)$/.exec(current);
    if (match) props.set(match[1], match[2].trim());
    current = '';
  };
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "'" && body[i - 1] !== '\\') inString = !inString;
    if (!inString) {
      if ('{[('.includes(ch)) depth++;
      if ('}])'.includes(ch)) depth--;
      if (depth === 0 && (ch === '\n' || ch === ',')) {
        flush();
        continue;
      }
    }
    current += ch;
  }
  flush();
  return props;
}

/** Text of the object value of `key:` inside a declaration body (e.g. `params`). */
export function propertyObject(body: string, key: string): string | undefined {
  const value = objectProperties(body).get(key);
  return value?.startsWith('{') ? value : undefined;
}

const SECRET_NAME = /(secret|password|passwd|pwd|key|token|connectionstring)$/i;

function isSecretLikeParam(name: string): boolean {
  return SECRET_NAME.test(name);
}

const SECRET_VALUE_PATTERNS: Array<[RegExp, string]> = [
  [/AccountKey=/i, 'a storage account key'],
  [/SharedAccessKey=|SharedAccessSignature=|[?&]sig=/i, 'a shared access key or SAS'],
  [/(^|;)\s*(password|pwd)\s*=/i, 'a password'],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, 'a URL with credentials'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/^eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, 'a JWT'],
  [/^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9+/]{40,}={0,2}$/, 'a long base64 key'],
  [/^(ghp|gho|github_pat|xox[abp])_?[A-Za-z0-9_]{20,}/, 'an access token'],
  [/[?&]code=[A-Za-z0-9_-]{20,}/, 'a function key'],
];

function secretValueProblem(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        const problem = secretValueProblem(`${name}.${key}`, inner);
        if (problem) return problem;
      }
    }
    return undefined;
  }
  for (const [pattern, what] of SECRET_VALUE_PATTERNS) if (pattern.test(value)) return `looks like ${what}`;
  const isPlaceholder = /^\$\{[A-Za-z_][A-Za-z0-9_]*(=[^}]*)?\}$/.test(value) || value === '';
  if (isSecretLikeParam(name) && !isPlaceholder) return 'is a secret-looking parameter with a literal value (use @secure() and an environment variable or Key Vault reference)';
  return undefined;
}

/**
 * Params that may hold an empty string where a declaration is conditional: string params whose
 * default is '' and params the condition tests with empty().
 */
function possiblyEmptyParams(parsed: ParsedBicep, condition: string): Set<string> {
  const names = new Set(parsed.params.filter((p) => p.type === 'string' && p.defaultText.trim() === "''").map((p) => p.name));
  for (const match of condition.matchAll(/empty\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/g)) names.add(match[1]);
  return names;
}

/** An expression with var references replaced by their values (a few levels deep). */
function inlineVars(expression: string, parsed: ParsedBicep): string {
  const values = new Map(parsed.vars.map((v) => [v.name, v.value.replace(/^\s*var\s+[A-Za-z_][A-Za-z0-9_]*\s*=\s*/, '')]));
  let result = expression;
  for (let depth = 0; depth < 4; depth++) {
    const next = result.replace(/\b[A-Za-z_][A-Za-z0-9_]*\b/g, (name) => (values.has(name) ? `(${values.get(name)})` : name));
    if (next === result) break;
    result = next;
  }
  return result;
}

function conditionalIndexProblems(parsed: ParsedBicep): Array<{ line: number; message: string }> {
  const problems: Array<{ line: number; message: string }> = [];
  for (const decl of parsed.declarations) {
    if (decl.condition === undefined) continue;
    const props = objectProperties(decl.body);
    for (const key of ['scope', 'name'] as const) {
      const expression = props.get(key);
      if (expression === undefined) continue;
      const inlined = inlineVars(expression, parsed);
      for (const param of possiblyEmptyParams(parsed, decl.condition)) {
        const indexed = new RegExp(`split\\(\\s*${param}\\s*,[^()]*(\\([^()]*\\))?[^()]*\\)[\\s)]*\\[|\\b${param}\\s*\\[`);
        if (indexed.test(inlined)) {
          problems.push({
            line: decl.line,
            message: `'${decl.symbol}' is conditional but its ${key} indexes into '${param}', which may be empty: ARM evaluates ${key} even when the condition is false (guard it: empty(${param}) ? <placeholder> : ${param})`,
          });
        }
      }
    }
  }
  return problems;
}

/** A line split into its code (comment removed) and the text inside its string literals. */
function splitLine(line: string): { code: string; strings: string } {
  let inString = false;
  let code = '';
  let strings = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (!inString && ch === '/' && line[i + 1] === '/') break;
    if (ch === "'" && line[i - 1] !== '\\') inString = !inString;
    else if (inString) strings += ch;
    code += ch;
  }
  return { code, strings };
}

/** `list*(...)` calls (listKeys, listSecrets, ...) and `code=` inside strings, with their lines. */
function keyReadProblems(text: string): Array<{ line: number; rule: string; message: string }> {
  const problems: Array<{ line: number; rule: string; message: string }> = [];
  text.split('\n').forEach((raw, index) => {
    const { code, strings } = splitLine(raw);
    const call = /\b(list[A-Za-z]*)\s*\(/.exec(code);
    if (call) problems.push({ line: index + 1, rule: 'list-keys', message: `${call[1]}() reads a key or secret during deployment; Harbormaster's deployment needs none` });
    if (/[?&]code=/i.test(strings)) problems.push({ line: index + 1, rule: 'key-in-url', message: 'a URL carries code=: a function or host key in an endpoint is readable by anyone who can read that resource' });
  });
  return problems;
}

const normalize = (p: string) => path.posix.normalize(p.split(path.sep).join('/'));

/** Lints in-memory sources: keys are paths relative to the infra folder. */
export function lintBicepSources(files: ReadonlyMap<string, string>): BicepFinding[] {
  const findings: BicepFinding[] = [];
  const parsedByFile = new Map<string, ParsedBicep>();
  for (const [file, text] of files) if (file.endsWith('.bicep')) parsedByFile.set(file, parseBicep(text));

  for (const [file, parsed] of parsedByFile) {
    const add = (line: number, rule: string, severity: Severity, message: string) => findings.push({ file, line, rule, severity, message });
    for (const problem of parsed.structureProblems) add(problem.line, 'structure', 'error', problem.message);

    const declared = new Set<string>([
      ...parsed.params.map((p) => p.name),
      ...parsed.vars.map((v) => v.name),
      ...parsed.declarations.map((d) => d.symbol),
      ...parsed.localNames,
    ]);
    for (const ref of parsed.references) {
      if (!declared.has(ref.name)) add(ref.line, 'undeclared-identifier', 'error', `'${ref.name}' is not a declared param, var, resource, module or loop variable`);
    }
    const used = new Set(parsed.references.map((r) => r.name));
    for (const param of parsed.params) {
      if (!used.has(param.name)) add(param.line, 'unused-param', 'warning', `param '${param.name}' is declared but never used`);
      if (isSecretLikeParam(param.name) && !param.decorators.includes('secure')) {
        add(param.line, 'secure-param', 'error', `param '${param.name}' looks like a secret: mark it @secure()`);
      }
    }

    for (const decl of parsed.declarations.filter((d) => d.kind === 'module')) {
      if (/^(br|ts)[:/]/.test(decl.target)) {
        add(decl.line, 'registry-module', 'warning', `module '${decl.symbol}' comes from a registry (${decl.target}); not checked here`);
        continue;
      }
      const modulePath = normalize(path.posix.join(path.posix.dirname(file), decl.target));
      const moduleParsed = parsedByFile.get(modulePath);
      if (!moduleParsed) {
        add(decl.line, 'module-path', 'error', `module '${decl.symbol}' points to '${decl.target}', which does not exist`);
        continue;
      }
      const paramsText = propertyObject(decl.body, 'params');
      const passed = paramsText ? objectProperties(paramsText) : new Map<string, string>();
      const declaredParams = new Map(moduleParsed.params.map((p) => [p.name, p]));
      for (const name of passed.keys()) {
        if (!declaredParams.has(name)) add(decl.line, 'module-param', 'error', `module '${decl.symbol}' passes '${name}', which ${decl.target} does not declare`);
      }
      for (const param of moduleParsed.params) {
        if (!param.hasDefault && !passed.has(param.name)) {
          add(decl.line, 'module-param', 'error', `module '${decl.symbol}' does not pass required param '${param.name}' of ${decl.target}`);
        }
      }
    }
  }

  for (const [file, parsed] of parsedByFile) {
    const add = (line: number, rule: string, message: string) => findings.push({ file, line, rule, severity: 'error', message });
    const text = files.get(file) ?? '';
    for (const problem of conditionalIndexProblems(parsed)) add(problem.line, 'conditional-scope-index', problem.message);
    for (const problem of keyReadProblems(text)) add(problem.line, problem.rule, problem.message);
    for (const param of parsed.params) {
      if (/\bnewGuid\s*\(/.test(param.defaultText) && (isSecretLikeParam(param.name) || param.decorators.includes('secure'))) {
        add(param.line, 'generated-secret', `param '${param.name}' defaults to newGuid(): a new secret on every deployment; generate it once and keep it`);
      }
    }
    for (const decl of parsed.declarations) {
      if (decl.kind === 'resource' && !decl.existing && decl.target === 'Microsoft.Authorization/roleAssignments' && !objectProperties(decl.body).has('scope')) {
        add(decl.line, 'role-scope', `role assignment '${decl.symbol}' has no scope: it would apply to the whole resource group`);
      }
    }
  }

  for (const [file, text] of files) {
    if (!file.endsWith('.parameters.json')) continue;
    const add = (rule: string, message: string) => findings.push({ file, line: 1, rule, severity: 'error', message });
    let json: { parameters?: Record<string, { value?: unknown; reference?: unknown }> };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      add('parameters-json', 'is not valid JSON');
      continue;
    }
    const template = parsedByFile.get(file.replace(/\.parameters\.json$/, '.bicep'));
    for (const [name, entry] of Object.entries(json.parameters ?? {})) {
      if (template && !template.params.some((p) => p.name === name)) add('parameters-undeclared', `parameter '${name}' is not declared in the template`);
      if (entry && 'value' in entry) {
        const problem = secretValueProblem(name, entry.value);
        if (problem) add('parameters-secret', `parameter '${name}' ${problem}; parameter files are committed, secrets are not`);
      }
    }
  }
  return findings;
}

/** Every .bicep and .parameters.json file under a folder, keyed by relative path. */
export function loadBicepSources(infraDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith('.bicep') || entry.endsWith('.parameters.json')) files.set(normalize(path.relative(infraDir, full)), readFileSync(full, 'utf8'));
    }
  };
  walk(infraDir);
  return files;
}

export function lintBicep(infraDir: string): BicepFinding[] {
  return lintBicepSources(loadBicepSources(infraDir));
}

export function formatFinding(finding: BicepFinding): string {
  return `${finding.file}:${finding.line}: ${finding.severity} [${finding.rule}] ${finding.message}`;
}

if (require.main === module) {
  const infraDir = path.resolve(process.argv[2] ?? 'infra');
  const findings = lintBicep(infraDir);
  for (const finding of findings) console.log(formatFinding(finding));
  const errors = findings.filter((f) => f.severity === 'error').length;
  console.log(`lint-bicep: ${errors} error(s), ${findings.length - errors} warning(s) in ${infraDir}`);
  process.exit(errors > 0 ? 1 : 0);
}
