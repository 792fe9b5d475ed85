/**
 * Webhook bodies are read as a stream with a byte cap before anything parses (or, for GitHub,
 * verifies) them: a body over the cap is answered 413 as soon as the cap is passed, even when it
 * is chunked (no Content-Length) and its sender never finishes it. The requests are the library's
 * own streaming HttpRequest (a fetch Request over a ReadableStream), as the worker builds them.
 */
import { HttpRequest } from '@azure/functions';
import { MAX_WEBHOOK_BODY_BYTES, parseJson, readBodyCapped } from '../../src/functions/http/readBody';

jest.setTimeout(30_000);

/** A chunked body: `chunks` of `chunkBytes`, then either the end or a stream that never ends. */
function streamingRequest(chunks: number, chunkBytes: number, options: { endless?: boolean; contentLength?: number } = {}): { request: HttpRequest; pulled: () => number; cancelled: () => boolean } {
  let sent = 0;
  let pulledBytes = 0;
  let wasCancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent < chunks) {
        sent++;
        pulledBytes += chunkBytes;
        controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
        return;
      }
      if (options.endless) return new Promise<void>(() => undefined); // the sender never finishes
      controller.close();
    },
    cancel() {
      wasCancelled = true;
    },
  }, { highWaterMark: 0 });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
  const nativeRequest = new Request('https://harbormaster.example/api/webhooks/ghcr', { method: 'POST', body: stream, headers, duplex: 'half' } as RequestInit);
  return { request: new HttpRequest({ nativeRequest } as never), pulled: () => pulledBytes, cancelled: () => wasCancelled };
}

describe('readBodyCapped', () => {
  it('a chunked body over the cap that never ends: 413 once the cap is passed, the stream cancelled', async () => {
    const chunk = 64 * 1024;
    const { request, pulled, cancelled } = streamingRequest(10, chunk, { endless: true });
    const read = await readBodyCapped(request);
    expect('response' in read && read.response.status).toBe(413);
    expect(cancelled()).toBe(true);
    // Reading stopped at the first chunk past the cap (the stream may buffer one more ahead).
    expect(pulled()).toBeLessThanOrEqual(MAX_WEBHOOK_BODY_BYTES + 2 * chunk);
  });

  it('a declared Content-Length over the cap: 413 without reading the body', async () => {
    const { request, pulled } = streamingRequest(1, 10, { contentLength: MAX_WEBHOOK_BODY_BYTES + 1 });
    const read = await readBodyCapped(request);
    expect('response' in read && read.response).toMatchObject({ status: 413, headers: { 'content-type': 'application/problem+json' } });
    expect(pulled()).toBe(0);
  });

  it('a body within the cap, in many chunks, is read whole', async () => {
    const { request } = streamingRequest(4, 1024);
    const read = await readBodyCapped(request);
    expect('raw' in read && read.raw.length).toBe(4096);
  });

  it('exactly the cap is accepted; one byte more is not', async () => {
    const atCap = await readBodyCapped(streamingRequest(4, 256, {}).request, 1024);
    expect('raw' in atCap).toBe(true);
    const over = await readBodyCapped(streamingRequest(5, 256, {}).request, 1024 + 255);
    expect('response' in over && over.response.status).toBe(413);
  });

  it('no body: empty, and the JSON parser names the body as the problem', async () => {
    const read = await readBodyCapped(new HttpRequest({ method: 'POST', url: 'https://harbormaster.example/api/webhooks/acr' }));
    expect('raw' in read && read.raw.length).toBe(0);
    const parsed = parseJson(Buffer.alloc(0));
    expect('response' in parsed && parsed.response.status).toBe(400);
  });
});
