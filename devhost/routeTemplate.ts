/**
 * HTTP trigger route templates, as the Functions host (ASP.NET routing) reads them:
 * `orders/{id}`, `files/{*path}` (catch-all), `items/{name?}` (optional),
 * `users/{id:int}` (constraint), `report/{format=json}` (default value).
 * Literals match case-insensitively, as in Azure.
 */

interface ParameterSpec {
  name: string;
  optional: boolean;
  catchAll: boolean;
  constraints: string[];
  defaultValue?: string;
}

type Segment = { kind: 'literal'; text: string } | { kind: 'parameter'; parameter: ParameterSpec };

export interface CompiledRoute {
  /** The template without leading/trailing slashes, e.g. `orders/{id:int}`. */
  readonly template: string;
  /** Sort key: more specific templates are tried first (literals before parameters, catch-alls last). */
  readonly specificity: number[];
  /** Route parameters when `path` (relative to the route prefix, no leading slash) matches, else undefined. */
  match(path: string): Record<string, string> | undefined;
}

const PARAMETER = /^\{(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)((?::[^=?}]+(?:\([^)]*\))?)*)(\?)?(?:=([^}]*))?\}$/;

function parseSegment(raw: string, template: string): Segment {
  if (!raw.includes('{')) return { kind: 'literal', text: raw };
  const match = PARAMETER.exec(raw);
  if (!match) {
    throw new Error(`Route "${template}": segment "${raw}" is not supported by devhost (use whole-segment parameters like {id})`);
  }
  const [, star, name, constraintText, question, defaultValue] = match;
  const constraints = (constraintText ?? '')
    .split(':')
    .filter((c) => c.length > 0);
  return {
    kind: 'parameter',
    parameter: {
      name,
      catchAll: Boolean(star),
      optional: Boolean(question) || Boolean(star) || defaultValue !== undefined,
      constraints,
      defaultValue,
    },
  };
}

const GUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** ASP.NET's inline constraints that devhost honours; unknown ones are ignored (match anything). */
function satisfies(constraint: string, value: string): boolean {
  const call = /^([a-z]+)(?:\((.*)\))?$/i.exec(constraint);
  if (!call) return true;
  const [, kind, argument] = call;
  const number = Number(value);
  switch (kind.toLowerCase()) {
    case 'int':
    case 'long':
      return /^-?\d+$/.test(value);
    case 'decimal':
    case 'double':
    case 'float':
      return value.trim() !== '' && Number.isFinite(number);
    case 'bool':
      return /^(true|false)$/i.test(value);
    case 'guid':
      return GUID.test(value);
    case 'alpha':
      return /^[a-z]+$/i.test(value);
    case 'min':
      return Number.isFinite(number) && number >= Number(argument);
    case 'max':
      return Number.isFinite(number) && number <= Number(argument);
    case 'minlength':
      return value.length >= Number(argument);
    case 'maxlength':
      return value.length <= Number(argument);
    case 'length':
      return value.length === Number(argument);
    case 'regex':
      return argument === undefined || new RegExp(argument).test(value);
    default:
      return true;
  }
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function compileRoute(template: string): CompiledRoute {
  const trimmed = template.replace(/^\/+|\/+$/g, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map((raw) => parseSegment(raw, template));
  segments.forEach((segment, index) => {
    if (segment.kind === 'parameter' && segment.parameter.catchAll && index !== segments.length - 1) {
      throw new Error(`Route "${template}": a catch-all parameter must be the last segment`);
    }
  });
  const specificity = segments.map((s) => {
    if (s.kind === 'literal') return 4;
    if (s.parameter.catchAll) return 0;
    if (s.parameter.constraints.length > 0) return 3;
    return s.parameter.optional ? 1 : 2;
  });

  return {
    template: trimmed,
    specificity,
    match(path: string): Record<string, string> | undefined {
      const parts = path === '' ? [] : path.replace(/\/+$/, '').split('/');
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (segment.kind === 'literal') {
          if (i >= parts.length || parts[i].toLowerCase() !== segment.text.toLowerCase()) return undefined;
          continue;
        }
        const { parameter } = segment;
        if (parameter.catchAll) {
          const rest = parts.slice(i).map(decodeSegment).join('/');
          if (rest !== '') params[parameter.name] = rest;
          else if (parameter.defaultValue !== undefined) params[parameter.name] = parameter.defaultValue;
          return params;
        }
        if (i >= parts.length) {
          if (!parameter.optional) return undefined;
          if (parameter.defaultValue !== undefined) params[parameter.name] = parameter.defaultValue;
          continue;
        }
        const value = decodeSegment(parts[i]);
        if (value === '' || !parameter.constraints.every((c) => satisfies(c, value))) return undefined;
        params[parameter.name] = value;
      }
      return parts.length <= segments.length ? params : undefined;
    },
  };
}

/** Orders routes so the most specific template is tried first (lexicographic on segment kinds). */
export function compareSpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.specificity.length, b.specificity.length);
  for (let i = 0; i < length; i++) {
    const left = a.specificity[i] ?? -1;
    const right = b.specificity[i] ?? -1;
    if (left !== right) return right - left;
  }
  return 0;
}
