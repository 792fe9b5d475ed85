import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { problem } from './problem';

/** Registry payloads are a few KB; anything past this is not a webhook. */
export const MAX_WEBHOOK_BODY_BYTES = 256 * 1024;

/**
 * Reads the raw body as a stream, or answers 413 as soon as it is over the cap: a declared
 * Content-Length over the cap is refused unread, and a chunked body is read only until the cap
 * is passed (then the stream is cancelled), so no sender can make us hold more than `maxBytes`
 * or wait for a body that never ends once it is over.
 */
export async function readBodyCapped(request: HttpRequest, maxBytes = MAX_WEBHOOK_BODY_BYTES): Promise<{ raw: Buffer } | { response: HttpResponseInit }> {
  const tooLarge = { response: problem(413, 'Payload too large', `the body is over ${maxBytes} bytes`, '(body)') };
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) return tooLarge;
  const body = request.body;
  if (!body) return { raw: Buffer.alloc(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge;
    }
    chunks.push(value);
  }
  return { raw: Buffer.concat(chunks) };
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
