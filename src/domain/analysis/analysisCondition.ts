/**
 * Conditions over a measured value, as written in the apps configuration:
 *
 *   value <= 0.05                 an absolute threshold
 *   value <= stable + 0.01        against the stable revision in the same window
 *   value <= stable * 1.2
 *
 * Operators: < <= > >= == !=. No expressions beyond these (nothing is evaluated as code).
 */

export type ConditionOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type ConditionOperand = { kind: 'number'; value: number } | { kind: 'stable'; plus: number; times: number };

export interface Condition {
  operator: ConditionOperator;
  operand: ConditionOperand;
  text: string;
}

const NUMBER = '(-?\\d+(?:\\.\\d+)?(?:e-?\\d+)?)';
const PATTERN = new RegExp(`^\\s*value\\s*(<=|>=|==|!=|<|>)\\s*(?:${NUMBER}|stable(?:\\s*([+*-])\\s*${NUMBER})?|${NUMBER}\\s*\\*\\s*stable)\\s*$`, 'i');

/** The condition, or why it cannot be read. */
export function parseCondition(text: string): Condition | { error: string } {
  const m = PATTERN.exec(text);
  if (!m) return { error: 'must read "value <op> <number>", "value <op> stable", "value <op> stable + <number>" or "value <op> stable * <number>" (op: < <= > >= == !=)' };
  const operator = m[1] as ConditionOperator;
  if (m[2] !== undefined) return { operator, operand: { kind: 'number', value: Number(m[2]) }, text: text.trim() };
  if (m[5] !== undefined) return { operator, operand: { kind: 'stable', plus: 0, times: Number(m[5]) }, text: text.trim() };
  const sign = m[3];
  const amount = m[4] === undefined ? 0 : Number(m[4]);
  const operand: ConditionOperand =
    sign === '*' ? { kind: 'stable', plus: 0, times: amount } : { kind: 'stable', plus: sign === '-' ? -amount : amount, times: 1 };
  return { operator, operand, text: text.trim() };
}

export function refersToStable(condition: Condition): boolean {
  return condition.operand.kind === 'stable';
}

/** Whether the condition holds; undefined when it needs the stable revision's value and there is none. */
export function conditionHolds(condition: Condition, value: number, stable?: number): boolean | undefined {
  const { operand } = condition;
  let bound: number;
  if (operand.kind === 'number') bound = operand.value;
  else if (stable === undefined) return undefined;
  else bound = stable * operand.times + operand.plus;
  switch (condition.operator) {
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
    case '==':
      return value === bound;
    case '!=':
      return value !== bound;
  }
}
