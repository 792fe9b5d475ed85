/**
 * A receiver of HTTP hooks for tests: records every delivery (path, time, headers, exact body)
 * and answers each path as the test scripts it, 200 otherwise.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  path: string;
  at: number;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as it came (what the signature covers). */
  raw: string;
  /** The body parsed as JSON (`{}` when empty). */
  body: any;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface HookReceiver {
  /** `host:port` on loopback. */
  host: string;
  /** `http://host:port`. */
  base: string;
  deliveries: Delivery[];
  /** Answers per path (query left out): a list consumed in order, the last one repeated. */
  answers: Map<string, ScriptedAnswer[]>;
  /** The deliveries to `path`, in order. */
  to(path: string): Delivery[];
  /** Whether the delivery carries the HMAC-SHA256 signature of its exact body under `key`. */
  signedWith(delivery: Delivery, key: string): boolean;
  close(): Promise<void>;
}

/** `answerBody`: what every answer carries (a test that checks reasons never quote it sends something). */
export async function startHookReceiver(options: { answerBody?: string } = {}): Promise<HookReceiver> {
  const deliveries: Delivery[] = [];
  const answers = new Map<string, ScriptedAnswer[]>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      deliveries.push({ path, at: Date.now(), headers: req.headers, raw, body: JSON.parse(raw || '{}') });
      const queue = answers.get(path) ?? [{ status: 200 }];
      const answer = queue.length > 1 ? queue.shift()! : queue[0];
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(options.answerBody ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    base: `http://${host}`,
    deliveries,
    answers,
    to: (path) => deliveries.filter((d) => d.path === path),
    signedWith: (delivery, key) => delivery.headers['x-harbormaster-signature-256'] === `sha256=${createHmac('sha256', key).update(delivery.raw).digest('hex')}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
