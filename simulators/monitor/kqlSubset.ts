/**
 * The small part of KQL the simulated Log Analytics answers: enough for a check that reduces one
 * table to one number, and nothing that pretends to be more. A query outside it gets the 400 a
 * syntax error gets, naming what is not supported.
 *
 *   <Table>
 *   | where <cond> [and|or <cond>]...      cond: <column> <op> <literal>
 *                                           op:   == != < <= > >= =~ startswith !startswith contains !contains
 *   | take <n> / | limit <n>
 *   | summarize [<name> =] <agg> [, [<name> =] <agg>]...
 *                                           agg:  count() countif(<cond>) sum(c) avg(c) min(c) max(c)
 *                                                 dcount(c) percentile(c, <p>)
 *
 * `and` binds tighter than `or`; no parentheses. Literals: 'text', "text", numbers, true, false.
 */

export type Row = Record<string, string | number | boolean>;
export type ColumnType = 'string' | 'real' | 'long' | 'bool' | 'datetime';

export interface Table {
  columns: Array<{ name: string; type: ColumnType }>;
  rows: Array<Array<string | number | boolean | null>>;
}

export class KqlError extends Error {}

type Literal = string | number | boolean;
interface Comparison {
  column: string;
  op: string;
  value: Literal;
}
/** OR of ANDs. */
type Predicate = Comparison[][];

const OPERATORS = ['!startswith', 'startswith', '!contains', 'contains', '==', '!=', '<=', '>=', '=~', '<', '>'];

export function runKql(query: string, tables: Record<string, { columns: Array<{ name: string; type: ColumnType }>; rows: Row[] }>): Table {
  const stages = splitOutsideQuotes(stripComments(query), '|').map((s) => s.trim());
  const source = tables[stages[0]];
  if (!source) throw new KqlError(`'${stages[0]}' is not a table this workspace has (simulated tables: ${Object.keys(tables).join(', ')})`);
  let rows = source.rows;
  let columns = source.columns;
  for (const stage of stages.slice(1)) {
    const [keyword, rest] = splitKeyword(stage);
    switch (keyword) {
      case 'where': {
        const predicate = parsePredicate(rest, columns);
        rows = rows.filter((row) => holds(predicate, row));
        break;
      }
      case 'take':
      case 'limit': {
        const n = Number(rest);
        if (!Number.isInteger(n) || n < 0) throw new KqlError(`${keyword} needs a whole number, got '${rest}'`);
        rows = rows.slice(0, n);
        break;
      }
      case 'summarize': {
        const summary = summarize(rest, rows, columns);
        columns = summary.columns;
        rows = [summary.row];
        break;
      }
      default:
        throw new KqlError(`the operator '${keyword}' is outside the KQL subset the simulator answers (where, take, limit, summarize)`);
    }
  }
  return { columns, rows: rows.map((row) => columns.map((c) => row[c.name] ?? null)) };
}

function summarize(text: string, rows: Row[], columns: Array<{ name: string; type: ColumnType }>): { columns: Array<{ name: string; type: ColumnType }>; row: Row } {
  if (/\sby\s/i.test(` ${text} `)) throw new KqlError("summarize ... by is outside the KQL subset the simulator answers");
  const out: Array<{ name: string; type: ColumnType }> = [];
  const row: Row = {};
  for (const part of splitOutsideQuotes(text, ',', true)) {
    const named = /^\s*([A-Za-z_]\w*)\s*=\s*(.+)$/.exec(part);
    const expression = (named ? named[2] : part).trim();
    const call = /^([a-z]+)\((.*)\)$/i.exec(expression);
    if (!call) throw new KqlError(`'${expression}' is not an aggregation the simulator answers`);
    const fn = call[1].toLowerCase();
    const args = splitOutsideQuotes(call[2], ',', true).map((a) => a.trim()).filter(Boolean);
    const name = named?.[1] ?? (fn === 'percentile' ? `percentile_${args[0]}_${args[1]}` : args.length > 0 && fn !== 'countif' ? `${fn}_${args[0]}` : `${fn}_`);
    const numbers = (column: string): number[] => {
      requireColumn(column, columns);
      return rows.map((r) => r[column]).filter((v): v is number => typeof v === 'number');
    };
    let value: number | null;
    let type: ColumnType = 'real';
    switch (fn) {
      case 'count':
        value = rows.length;
        type = 'long';
        break;
      case 'countif': {
        const predicate = parsePredicate(call[2], columns);
        value = rows.filter((r) => holds(predicate, r)).length;
        type = 'long';
        break;
      }
      case 'sum':
        value = numbers(args[0]).reduce((a, b) => a + b, 0);
        break;
      case 'avg': {
        const values = numbers(args[0]);
        value = values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
        break;
      }
      case 'min':
      case 'max': {
        const values = numbers(args[0]);
        value = values.length === 0 ? null : fn === 'min' ? Math.min(...values) : Math.max(...values);
        break;
      }
      case 'dcount':
        requireColumn(args[0], columns);
        value = new Set(rows.map((r) => r[args[0]])).size;
        type = 'long';
        break;
      case 'percentile': {
        const p = Number(args[1]);
        if (!(p >= 0 && p <= 100)) throw new KqlError(`percentile needs a percentage between 0 and 100, got '${args[1]}'`);
        const values = numbers(args[0]).sort((a, b) => a - b);
        // Nearest rank: the smallest value with at least p % of the values at or below it.
        value = values.length === 0 ? null : values[Math.max(0, Math.ceil((p / 100) * values.length) - 1)];
        break;
      }
      default:
        throw new KqlError(`the aggregation '${fn}' is outside the KQL subset the simulator answers`);
    }
    out.push({ name, type });
    row[name] = value as number;
  }
  return { columns: out, row };
}

function parsePredicate(text: string, columns: Array<{ name: string }>): Predicate {
  return splitWords(text, 'or').map((conjunct) =>
    splitWords(conjunct, 'and').map((comparison) => {
      const m = /^\s*([A-Za-z_]\w*)\s*(\S+)\s*(.+?)\s*$/.exec(comparison);
      const op = m?.[2]?.toLowerCase();
      if (!m || !op || !OPERATORS.includes(op)) throw new KqlError(`'${comparison.trim()}' is not a comparison the simulator answers (column, one of ${OPERATORS.join(' ')}, literal)`);
      requireColumn(m[1], columns);
      return { column: m[1], op, value: parseLiteral(m[3]) };
    }),
  );
}

function holds(predicate: Predicate, row: Row): boolean {
  return predicate.some((conjunct) => conjunct.every((c) => compare(row[c.column], c.op, c.value)));
}

function compare(actual: Literal | undefined, op: string, expected: Literal): boolean {
  if (actual === undefined) return false;
  const a = typeof actual === 'string' ? actual : actual;
  switch (op) {
    case '==':
      return a === expected;
    case '!=':
      return a !== expected;
    case '=~':
      return String(a).toLowerCase() === String(expected).toLowerCase();
    case 'startswith':
      return String(a).toLowerCase().startsWith(String(expected).toLowerCase());
    case '!startswith':
      return !String(a).toLowerCase().startsWith(String(expected).toLowerCase());
    case 'contains':
      return String(a).toLowerCase().includes(String(expected).toLowerCase());
    case '!contains':
      return !String(a).toLowerCase().includes(String(expected).toLowerCase());
    case '<':
      return a < expected;
    case '<=':
      return a <= expected;
    case '>':
      return a > expected;
    default:
      return a >= expected;
  }
}

function parseLiteral(text: string): Literal {
  const t = text.trim();
  const quoted = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/.exec(t);
  if (quoted) return (quoted[1] ?? quoted[2]).replace(/\\(.)/g, '$1');
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new KqlError(`'${t}' is not a literal the simulator understands (a quoted string, a number, true or false)`);
}

function requireColumn(name: string | undefined, columns: Array<{ name: string }>): void {
  if (!name || !columns.some((c) => c.name === name)) throw new KqlError(`'${name ?? ''}' is not a column (columns: ${columns.map((c) => c.name).join(', ')})`);
}

function splitKeyword(stage: string): [string, string] {
  const m = /^(\w+)\s*(.*)$/s.exec(stage);
  if (!m) throw new KqlError(`cannot read '${stage}'`);
  return [m[1].toLowerCase(), m[2]];
}

/** Splits on a word (`and`, `or`) standing alone outside quotes. */
function splitWords(text: string, word: string): string[] {
  return splitOutside(text, (at) => (/\s/.test(text[at]) && text.slice(at, at + word.length + 2).toLowerCase() === ` ${word} ` ? word.length + 1 : 0));
}

/** Splits on `separator` outside quotes (and, when asked, outside parentheses). */
function splitOutsideQuotes(text: string, separator: string, respectParens = false): string[] {
  return splitOutside(text, (at, depth) => (text[at] === separator && (!respectParens || depth === 0) ? 1 : 0));
}

/** Splits where `separatorAt` finds a separator (its length) outside quoted literals; `depth` counts open parentheses. */
function splitOutside(text: string, separatorAt: (at: number, depth: number) => number): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      current += ch;
      if (ch === '\\') current += text[++i] ?? '';
      else if (ch === quote) quote = undefined;
      continue;
    }
    const length = separatorAt(i, depth);
    if (length > 0) {
      parts.push(current);
      current = '';
      i += length - 1;
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    current += ch;
  }
  if (quote) throw new KqlError('a string literal is not closed');
  parts.push(current);
  return parts;
}

/** Whole-line `//` comments (a `//` inside a line may be part of a literal, such as a URL). */
function stripComments(query: string): string {
  return query
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n');
}
