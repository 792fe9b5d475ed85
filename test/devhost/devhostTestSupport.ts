/**
 * Helpers for devhost tests: captured log lines and polling for a condition
 * (never fixed sleeps: the machine is shared and slow at times).
 */
import path from 'node:path';

export const FIXTURE_APPS = path.resolve(__dirname, '..', 'fixtures', 'apps');

export interface CapturedLine {
  level: string;
  msg: string;
  function?: string;
  invocationId?: string;
  triggerType?: string;
  durationMs?: number;
  outcome?: string;
  category?: string;
  [field: string]: unknown;
}

export class LogCapture {
  readonly lines: CapturedLine[] = [];
  readonly write = (line: object): void => {
    this.lines.push(line as CapturedLine);
  };

  userLines(functionName: string): CapturedLine[] {
    return this.lines.filter((l) => l.category === 'user' && l.function === functionName);
  }

  invocations(functionName: string): CapturedLine[] {
    return this.lines.filter((l) => l.msg === 'invocation' && l.function === functionName);
  }
}
