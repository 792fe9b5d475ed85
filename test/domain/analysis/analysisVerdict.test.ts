import {
  conditionHolds,
  judgeAnalysisRun,
  judgeAnalysisStep,
  judgeMeasurement,
  measurementCount,
  nextMeasurements,
  parseCondition,
  type AnalysisCheckSpec,
  type Measurement,
  type ProviderReading,
} from '../../../src/domain/analysis';

const AT = '2026-12-02T01:00:00.000Z';

function check(fields: Partial<AnalysisCheckSpec> = {}): AnalysisCheckSpec {
  return {
    name: 'error-rate',
    provider: { kind: 'monitor-metric', metric: '5xx-rate', windowSeconds: 60, ingestionDelaySeconds: 0, minRequests: 10 },
    intervalSeconds: 10,
    count: 3,
    failureLimit: 0,
    inconclusiveLimit: 0,
    ...fields,
  };
}

describe('conditions over a measured value', () => {
  it.each([
    ['value <= 0.05', 0.05, undefined, true],
    ['value <= 0.05', 0.0501, undefined, false],
    ['value < 1', 1, undefined, false],
    ['value > 0.1', 0.2, undefined, true],
    ['value >= 3', 3, undefined, true],
    ['value == 0', 0, undefined, true],
    ['value != 0', 0, undefined, false],
    ['value <= stable + 0.01', 0.03, 0.02, true],
    ['value <= stable + 0.01', 0.031, 0.02, false],
    ['value <= stable - 0.01', 0.01, 0.02, true],
    ['value <= stable * 1.2', 120, 100, true],
    ['value <= stable * 1.2', 121, 100, false],
    ['value <= 1.2 * stable', 121, 100, false],
    ['value > stable', 0.2, 0.1, true],
    ['value <= stable + 0.01', 0.03, undefined, undefined],
  ])('%s with value %p and stable %p holds: %p', (text, value, stable, expected) => {
    const parsed = parseCondition(text);
    if ('error' in parsed) throw new Error(parsed.error);
    expect(conditionHolds(parsed, value, stable)).toBe(expected);
  });

  it.each([['result[0] <= 0.05'], ['value <= '], ['value ~ 1'], ['process.exit()'], ['value <= stable + x'], ['']])('refuses %p', (text) => {
    expect(parseCondition(text)).toHaveProperty('error');
  });
});

describe('judging one measurement', () => {
  const value = (v: number, stable?: number): ProviderReading => ({ kind: 'value', value: v, stable });
  it.each([
    ['success condition met', check({ successCondition: 'value <= 0.05' }), value(0.01), 'successful'],
    ['success condition not met, no failure condition', check({ successCondition: 'value <= 0.05' }), value(0.2), 'failed'],
    ['failure condition met', check({ failureCondition: 'value > 0.1' }), value(0.2), 'failed'],
    ['failure condition not met, no success condition', check({ failureCondition: 'value > 0.1' }), value(0.05), 'successful'],
    ['both set, neither met', check({ successCondition: 'value <= 0.05', failureCondition: 'value > 0.1' }), value(0.07), 'inconclusive'],
    ['both set, failure wins', check({ successCondition: 'value <= 0.5', failureCondition: 'value > 0.1' }), value(0.2), 'failed'],
    ['comparative, within the stable revision plus a point', check({ successCondition: 'value <= stable + 0.01' }), value(0.025, 0.02), 'successful'],
    ['comparative, worse than the stable revision', check({ successCondition: 'value <= stable + 0.01' }), value(0.2, 0.02), 'failed'],
    ['comparative without a stable figure', check({ successCondition: 'value <= stable + 0.01' }), value(0.2), 'inconclusive'],
    ['no data yet', check({ successCondition: 'value <= 0.05' }), { kind: 'no-data', reason: '3 requests in the window, fewer than minRequests 10' } as ProviderReading, 'inconclusive'],
    ['the provider timed out', check({ successCondition: 'value <= 0.05' }), { kind: 'error', reason: 'timed out after 10000 ms' } as ProviderReading, 'error'],
  ])('%s', (_rule, spec, reading, outcome) => {
    expect(judgeMeasurement(spec, reading, AT).outcome).toBe(outcome);
  });

  it('says which value, window and condition decided', () => {
    const judged = judgeMeasurement(check({ successCondition: 'value <= 0.05' }), { kind: 'value', value: 0.2, detail: '20 of 100 requests', window: { start: 'a', end: 'b' } }, AT);
    expect(judged).toMatchObject({ value: 0.2, window: { start: 'a', end: 'b' }, at: AT });
    expect(judged.reason).toBe('0.2, 20 of 100 requests does not meet successCondition "value <= 0.05"');
  });
});

describe('judging a run', () => {
  const m = (outcome: Measurement['outcome']): Measurement => ({ check: 'error-rate', at: AT, outcome, reason: outcome });
  it.each([
    ['nothing yet', check(), [], 'running'],
    ['all passed', check(), [m('successful'), m('successful'), m('successful')], 'successful'],
    ['still counting', check(), [m('successful'), m('successful')], 'running'],
    ['one failure, failureLimit 0', check(), [m('successful'), m('failed')], 'failed'],
    ['one failure tolerated by failureLimit 1', check({ failureLimit: 1 }), [m('failed'), m('successful'), m('successful')], 'successful'],
    ['two failures, failureLimit 1', check({ failureLimit: 1 }), [m('failed'), m('failed')], 'failed'],
    ['inconclusive, inconclusiveLimit 0', check(), [m('inconclusive')], 'inconclusive'],
    ['an error counts as inconclusive: a provider that never answers never blocks', check(), [m('error')], 'inconclusive'],
    ['inconclusive tolerated by inconclusiveLimit 1', check({ inconclusiveLimit: 1 }), [m('inconclusive'), m('successful'), m('successful')], 'successful'],
    ['failure is judged before inconclusive', check(), [m('inconclusive'), m('failed')], 'failed'],
  ])('%s', (_rule, spec, measurements, verdict) => {
    expect(judgeAnalysisRun(spec, measurements, spec.count).verdict).toBe(verdict);
  });

  it.each([
    [['successful', 'successful'], 'successful'],
    [['successful', 'running'], 'running'],
    [['inconclusive', 'successful'], 'inconclusive'],
    [['inconclusive', 'failed'], 'failed'],
  ] as const)('a step with runs %p is %s', (runs, verdict) => {
    expect(judgeAnalysisStep(runs.map((v) => ({ verdict: v, reason: v }))).verdict).toBe(verdict);
  });
});

describe('the measurement schedule', () => {
  it('a canary step takes count measurements; a bake one per interval of its length', () => {
    expect(measurementCount(check({ count: 4 }))).toBe(4);
    expect(measurementCount(check({ intervalSeconds: 20 }), 60)).toBe(3);
    expect(measurementCount(check({ intervalSeconds: 120 }), 60)).toBe(1);
  });

  it('measures each check every interval from the start, earliest first, checks due together at once', () => {
    const checks = [check({ intervalSeconds: 10 }), check({ name: 'latency', intervalSeconds: 20 })];
    expect(nextMeasurements(checks, [0, 0], [3, 3], [false, false], 1_000)).toEqual({ atMs: 11_000, checks: [0] });
    expect(nextMeasurements(checks, [1, 0], [3, 3], [false, false], 1_000)).toEqual({ atMs: 21_000, checks: [0, 1] });
    expect(nextMeasurements(checks, [3, 1], [3, 3], [false, false], 1_000)).toEqual({ atMs: 41_000, checks: [1] });
    expect(nextMeasurements(checks, [3, 1], [3, 3], [false, true], 1_000)).toBeUndefined();
  });
});
