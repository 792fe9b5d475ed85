/**
 * Start-up refuses an app devhost cannot run faithfully, naming the function, and leaves nothing behind.
 */
import net from 'node:net';
import path from 'node:path';
import { startDevhost } from '../../devhost/host';
import { FIXTURE_APPS } from './devhostTestSupport';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it('refuses a five-field schedule, naming the function, and restores process.env', async () => {
  const port = await freePort();
  delete process.env.BAD_APP_MARKER;
  await expect(
    startDevhost({
      entry: path.join(FIXTURE_APPS, 'badScheduleApp', 'index.js'),
      port,
      settings: { BAD_APP_MARKER: 'set' },
      storage: { connectionString: 'UseDevelopmentStorage=true' },
      log: () => undefined,
    }),
  ).rejects.toThrow('Function "nightly": schedule "0 2 * * *" must have six NCRONTAB fields');
  expect(process.env.BAD_APP_MARKER).toBeUndefined();
  // Nothing listens: the port is free again.
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});
