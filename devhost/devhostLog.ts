/**
 * devhost's structured log: one JSON object per line. By default pino writes them to stdout;
 * `startDevhost({ log })` sends them elsewhere (tests capture them).
 * Lines never carry request bodies, headers or setting values.
 */
import pino from 'pino';
import { format } from 'node:util';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  level: LogLevel;
  msg: string;
  [field: string]: unknown;
}

export type LogWriter = (line: LogLine) => void;

export function createPinoWriter(): LogWriter {
  const logger = pino({
    base: { component: 'devhost' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // "info" rather than 30: these lines are read by people at a terminal as much as by tools.
    formatters: { level: (label) => ({ level: label }) },
  });
  return ({ level, msg, ...fields }) => logger[level](fields, msg);
}

/** Wraps a caller's `(line: object) => void` so every line has a level and a message. */
export function fromCallback(callback: (line: object) => void): LogWriter {
  return (line) => callback(line);
}

/** Maps the library's log levels (`information`, `warning`, `critical`, ...) to devhost's. */
export function fromLibraryLevel(level: string): LogLevel | undefined {
  switch (level) {
    case 'trace':
    case 'debug':
      return 'debug';
    case 'information':
      return 'info';
    case 'warning':
      return 'warn';
    case 'error':
    case 'critical':
      return 'error';
    default:
      return undefined; // 'none'
  }
}

/** Formats handler log arguments the way `console.log` does. */
export function formatArgs(args: unknown[]): string {
  return format(...args);
}
