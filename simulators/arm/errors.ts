/** ARM-shaped error answers: `{ "error": { "code", "message" } }`, as every Azure RP returns. */
import type { SimResponse } from '../module';

export interface ArmErrorBody {
  error: { code: string; message: string; target?: string; details?: Array<{ code: string; message: string; target?: string }> };
}

export function armError(status: number, code: string, message: string, target?: string): SimResponse {
  const body: ArmErrorBody = { error: { code, message, ...(target ? { target } : {}) } };
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', 'x-ms-error-code': code }, body };
}

/** Thrown inside handlers to answer with an ARM error; the server and the LRO tracker turn it into a response. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = 'ArmError';
  }

  toResponse(): SimResponse {
    return armError(this.status, this.code, this.message, this.target);
  }
}

export const notFound = (what: string, name: string): ArmError =>
  new ArmError(404, 'ResourceNotFound', `The ${what} '${name}' was not found.`);
