/** The list endpoints' query check: unknown names and values outside the allowed ones are 400s naming the parameter. */
import { parseQuery, type QueryRules } from '../../src/functions/http/queryParameters';

const RULES = {
  app: { kind: 'oneOf', values: ['web', 'worker'] },
  status: { kind: 'oneOf', values: ['queued', 'succeeded'] },
  limit: { kind: 'integer', min: 1, max: 500 },
  id: { kind: 'text', maxLength: 8 },
} as const satisfies QueryRules;

const parse = (search: string) => parseQuery({ query: new URLSearchParams(search) }, RULES);

function problemOf(search: string): { status?: number; field?: string; detail?: string; contentType?: string } {
  const result = parse(search);
  if (!('response' in result)) throw new Error(`"${search}" was accepted`);
  const body = result.response.jsonBody as { status: number; field: string; detail: string };
  return { status: body.status, field: body.field, detail: body.detail, contentType: (result.response.headers as Record<string, string>)['content-type'] };
}

describe('parseQuery', () => {
  it('returns the parameters given, typed, and nothing for those left out', () => {
    expect(parse('app=web&limit=20')).toEqual({ query: { app: 'web', limit: 20 } });
    expect(parse('')).toEqual({ query: {} });
  });

  it('lets the function key through (?code=)', () => {
    expect(parse('code=abc&status=queued')).toEqual({ query: { status: 'queued' } });
  });

  it.each([
    ['a value outside the list names the allowed values', 'status=bogus', 'status', /status must be one of: queued, succeeded/],
    ['an unknown parameter names the accepted ones', 'stauts=queued', 'stauts', /unknown query parameter "stauts"; accepted: app, status, limit, id/],
    ['an integer below the range', 'limit=0', 'limit', /limit must be an integer from 1 to 500/],
    ['an integer above the range', 'limit=501', 'limit', /from 1 to 500/],
    ['a number that is not an integer', 'limit=2.5', 'limit', /integer/],
    ['text that is not a number', 'limit=ten', 'limit', /integer/],
    ['a parameter given twice', 'app=web&app=worker', 'app', /app may be given once/],
    ['empty text', 'id=', 'id', /id must be 1 to 8 characters/],
    ['text too long', 'id=123456789', 'id', /1 to 8 characters/],
  ])('%s: 400 problem+json naming it', (_rule, search, field, detail) => {
    const problem = problemOf(search);
    expect(problem).toMatchObject({ status: 400, field, contentType: 'application/problem+json' });
    expect(problem.detail).toMatch(detail);
  });

  it('an endpoint that takes no parameters says so', () => {
    const result = parseQuery({ query: new URLSearchParams('verbose=1') }, {});
    expect('response' in result && result.response.jsonBody).toMatchObject({ status: 400, field: 'verbose', detail: expect.stringContaining('this endpoint takes none') });
  });

  it('a long list of allowed values is shown in part, with the count of the rest', () => {
    const values = Array.from({ length: 45 }, (_, i) => `app-${i}`);
    const result = parseQuery({ query: new URLSearchParams('app=nope') }, { app: { kind: 'oneOf', values } });
    const detail = 'response' in result ? String((result.response.jsonBody as { detail: string }).detail) : '';
    expect(detail).toContain('app-0, app-1');
    expect(detail).toContain('app-29 and 15 more');
    expect(detail).not.toContain('app-30');
  });
});
