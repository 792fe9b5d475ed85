/**
 * A secret read from app settings (a webhook secret, a storage connection string with its key).
 * It never renders itself: `String(secret)`, `JSON.stringify`, template literals, `console.log`
 * and pino all see `[redacted]`. Code that truly needs the value calls `reveal()`, which is easy
 * to find in review.
 */
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself. Never log it, never put it in an error, a command line or a response. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
