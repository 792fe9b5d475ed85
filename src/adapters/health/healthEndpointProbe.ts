/**
 * Reads an app's health endpoint once: status, a capped body, latency, or what went wrong
 * on the wire. Judging the answer is the domain's job (src/domain/health).
 */
import { request, type Dispatcher } from 'undici';

export interface HealthProbeResult {
  status?: number;
  body?: string;
  /** 'timeout' | 'connection-refused' | 'connection-reset' | 'dns' | 'tls' | 'body-too-large' | other code */
  error?: string;
  latencyMs: number;
}

export interface HealthProbeOptions {
  timeoutMs: number;
  /** Bodies beyond this are cut off; a health answer is small. */
  maxBodyBytes?: number;
  /**
   * Close the connection after the answer (default: keep it for the next probe). A health-wait
   * probes one host every second or two and reuses it; a sweep reaches each app once per sweep,
   * where hundreds of idle TLS connections would only hold memory until they time out.
   */
  closeAfter?: boolean;
}

export type HealthEndpointProbe = (url: string, options: HealthProbeOptions) => Promise<HealthProbeResult>;

export function createHealthEndpointProbe(dispatcher: Dispatcher, now: () => number = () => performance.now()): HealthEndpointProbe {
  return async (url, options) => {
    const started = now();
    const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher,
        signal,
        headers: { accept: 'application/json', 'user-agent': 'Harbormaster-HealthProbe/1' },
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        ...(options.closeAfter ? { reset: true } : {}),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      for await (const chunk of response.body) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        size += buffer.length;
        if (size > maxBodyBytes) {
          truncated = true;
          response.body.destroy();
          break;
        }
        chunks.push(buffer);
      }
      const body = Buffer.concat(chunks).toString('utf8');
      return {
        status: response.statusCode,
        body: truncated ? undefined : body,
        error: truncated ? 'body-too-large' : undefined,
        latencyMs: Math.round(now() - started),
      };
    } catch (error) {
      return { error: classifyNetworkError(error, signal), latencyMs: Math.round(now() - started) };
    }
  };
}

function classifyNetworkError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout';
  const code = (error as { code?: string; cause?: { code?: string } })?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection-refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection-reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      if (typeof code === 'string' && (code.startsWith('ERR_TLS') || code.includes('CERT'))) return 'tls';
      return code ?? 'network-error';
  }
}
