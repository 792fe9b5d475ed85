/**
 * The KQL subset the simulated Log Analytics answers: filters joined by `and`/`or` outside quoted
 * literals, one-row summaries, and a clear refusal of anything beyond it.
 */
import { KqlError, runKql, type Row } from '../../simulators/monitor/kqlSubset';

const columns = [
  { name: 'AppRoleInstance', type: 'string' as const },
  { name: 'Name', type: 'string' as const },
  { name: 'DurationMs', type: 'real' as const },
  { name: 'Success', type: 'bool' as const },
];
const rows: Row[] = [
  ...Array.from({ length: 20 }, (_, i) => ({ AppRoleInstance: 'app--a-1', Name: `GET /orders/${i}`, DurationMs: i + 1, Success: i % 5 !== 0 })),
  { AppRoleInstance: 'app--b-1', Name: "GET /it's and or | here", DurationMs: 500, Success: true },
];
const run = (query: string): unknown[][] => runKql(query, { AppRequests: { columns, rows } }).rows;

describe('the simulated Log Analytics KQL subset', () => {
  it('filters with and/or, and summarizes into one row with named or generated columns', () => {
    expect(run("AppRequests | where AppRoleInstance startswith 'app--a-' and Success == false | summarize n = count()")).toEqual([[4]]);
    expect(run("AppRequests | where DurationMs > 19 or AppRoleInstance == 'app--b-1' | summarize count(), max(DurationMs)")).toEqual([[2, 500]]);
    expect(run("AppRequests | where AppRoleInstance startswith 'app--a-' | summarize percentile(DurationMs, 95), avg(DurationMs), countif(Success == false)")).toEqual([[19, 10.5, 4]]);
  });

  it('keeps quoted literals whole, whatever they contain', () => {
    expect(run("AppRequests | where Name == \"GET /it's and or | here\" | summarize count()")).toEqual([[1]]);
  });

  it('an empty filter gives null aggregates, not zeros (no data is not a value)', () => {
    expect(run("AppRequests | where AppRoleInstance startswith 'nobody' | summarize percentile(DurationMs, 95), count()")).toEqual([[null, 0]]);
  });

  it('refuses what it does not answer, saying what', () => {
    expect(() => run('AppRequests | summarize count() by Name')).toThrow(KqlError);
    expect(() => run('AppRequests | project Name')).toThrow(/'project' is outside the KQL subset/);
    expect(() => run('AppTraces | summarize count()')).toThrow(/'AppTraces' is not a table/);
    expect(() => run("AppRequests | where Nope == 'x'")).toThrow(/'Nope' is not a column/);
  });
});
