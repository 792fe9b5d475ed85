/**
 * An HTTP server that reads every request and never answers it: what a hung hook receiver, web
 * check endpoint or metrics source looks like from the caller's side. `close()` drops the
 * connections it holds open, so a suite's teardown does not wait for them.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SilentServer {
  /** `http://127.0.0.1:<port>`. */
  readonly base: string;
  /** The path of every request received, in order. */
  readonly paths: string[];
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const paths: string[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req) => paths.push(req.url ?? '/'));
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
