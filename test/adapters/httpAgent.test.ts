/**
 * The dispatcher's connections per origin: a pool by default (requests to one origin in parallel,
 * for the registry and webhooks), one connection with `singleConnectionPerOrigin` (the health
 * probes', which reach an origin once per sweep and need no pool).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { request } from 'undici';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';

let server: http.Server;
let origin: string;
const sockets = new Set<Socket>();
let release: () => void = () => undefined;
let held: Promise<void>;

beforeAll(async () => {
  // Answers every request only when the test releases them, so that two requests overlap.
  server = http.createServer((req, res) => {
    void held.then(() => res.end('ok'));
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  sockets.clear();
  held = new Promise((resolve) => (release = resolve));
});

async function twoAtOnce(agent: ReturnType<typeof createHttpAgent>): Promise<string[]> {
  const answers = [1, 2].map(async (i) => (await request(`${origin}/${i}`, { dispatcher: agent })).body.text());
  // Let the first connection be made and the second request queue or connect.
  await new Promise((resolve) => setTimeout(resolve, 100));
  release();
  return Promise.all(answers);
}

test('by default, two requests to one origin go over two connections at once', async () => {
  const agent = createHttpAgent();
  try {
    expect(await twoAtOnce(agent)).toEqual(['ok', 'ok']);
    expect(sockets.size).toBe(2);
  } finally {
    await agent.close();
  }
});

test('with singleConnectionPerOrigin, they go one after another over one connection', async () => {
  const agent = createHttpAgent({ singleConnectionPerOrigin: true });
  try {
    expect(await twoAtOnce(agent)).toEqual(['ok', 'ok']);
    expect(sockets.size).toBe(1);
  } finally {
    await agent.close();
  }
});
