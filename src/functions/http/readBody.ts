import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { problem } from './problem';

/** Registry payloads are a few KB; anything past this is not a webhook. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/** Reads the raw body, or answers 413 when it is over the cap. */
export async function readBodyCapped(request: HttpRequest, maxBytes = MAX_WEBHOOK_BODY_BYTES): Promise<{ raw: Buffer } | { response: HttpResponseInit }> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return { response: problem(413, 'Payload too large', `the body is over ${maxBytes} bytes`) };
  const raw = Buffer.from(await request.arrayBuffer());
  if (raw.length > maxBytes) return { response: problem(413, 'Payload too large', `the body is over ${maxBytes} bytes`) };
  return { raw };
}

/** Parses JSON, or answers 400 naming the problem (never echoing the body). */
export function parseJson(raw: Buffer): { body: unknown } | { response: HttpResponseInit } {
  if (raw.length === 0) return { response: problem(400, 'Malformed body', 'the body is empty', '(body)') };
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { response: problem(400, 'Malformed body', 'the body is not valid JSON', '(body)') };
  }
}
