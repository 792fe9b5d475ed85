import { request, type Dispatcher } from 'undici';

export class NotificationError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'NotificationError';
  }
}

/**
 * POSTs JSON with a timeout. The URL is a secret (webhook URLs embed their key), so
 * errors name only the channel kind and status, never the URL or the response body.
 */
export async function postJson(dispatcher: Dispatcher, url: string, body: unknown, what: string, options: { abortSignal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, timeout]) : timeout;
  let response: Dispatcher.ResponseData;
  try {
    response = await request(url, { method: 'POST', dispatcher, signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    throw new NotificationError(`${what}: ${signal.aborted ? 'timed out' : (error as { code?: string }).code ?? 'network error'}`);
  }
  await response.body.dump();
  if (response.statusCode >= 300) throw new NotificationError(`${what}: answered ${response.statusCode}`, response.statusCode);
}
