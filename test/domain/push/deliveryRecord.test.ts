import { summarizeDecision, type DeliveryDecision } from '../../../src/domain/push';

describe('summarizeDecision: one decision for a delivery from its per-app decisions', () => {
  it.each<[string, DeliveryDecision[], DeliveryDecision]>([
    ['started wins over everything (web started, worker queued)', ['queued', 'started', 'ignored'], 'started'],
    ['queued over duplicate', ['duplicate', 'queued'], 'queued'],
    ['duplicate over superseded', ['superseded', 'duplicate'], 'duplicate'],
    ['superseded over ignored', ['ignored', 'superseded'], 'superseded'],
    ['ignored over rejected', ['rejected', 'ignored'], 'ignored'],
    ['rejected alone', ['rejected'], 'rejected'],
    ['no app concerned → ignored', [], 'ignored'],
  ])('%s', (_rule, decisions, expected) => {
    expect(summarizeDecision(decisions.map((decision) => ({ decision })))).toBe(expected);
  });
});
