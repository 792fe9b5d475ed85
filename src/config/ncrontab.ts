/**
 * NCRONTAB expressions as Azure Functions timers use them: six fields, seconds first
 * (`{second} {minute} {hour} {day} {month} {day-of-week}`). croner parses the same grammar;
 * we check the field count ourselves because croner also accepts five-field (minute-first)
 * expressions, which Azure would read differently.
 */
import { Cron } from 'croner';

/** What is wrong with `expression` as an NCRONTAB schedule, or undefined when it is valid. */
export function ncrontabProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 6) {
    return `must be an NCRONTAB expression with six fields, seconds first (e.g. "0 */5 * * * *"); got ${fields.length} field${fields.length === 1 ? '' : 's'}`;
  }
  try {
    // paused: parse only, never schedule anything.
    new Cron(expression, { paused: true });
    return undefined;
  } catch (error) {
    return `is not a valid NCRONTAB expression: ${(error as Error).message}`;
  }
}

export function isValidNcrontab(expression: string): boolean {
  return ncrontabProblem(expression) === undefined;
}
