/**
 * Azurite as a child process on random ports, in memory, for the durable tests (until the
 * host's own startAzurite lands).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteProcess {
  connectionString: string;
  stop(): Promise<void>;
}

export async function startAzuriteProcess(): Promise<AzuriteProcess> {
  const bin = path.join(path.dirname(require.resolve('azurite/package.json')), 'dist/src/azurite.js');
  const child: ChildProcess = spawn(process.execPath, [
    bin, '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--loose',
    '--blobHost', '127.0.0.1', '--blobPort', '0', '--queueHost', '127.0.0.1', '--queuePort', '0', '--tableHost', '127.0.0.1', '--tablePort', '0',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ports: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Azurite did not start within 30 s')), 30_000);
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (const m of text.matchAll(/Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/127\.0\.0\.1:(\d+)/g)) ports[m[1]] = m[2];
      if (ports.Blob && ports.Queue && ports.Table) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`Azurite exited with ${code}`)));
  });
  const endpoint = (port: string): string => `http://127.0.0.1:${port}/devstoreaccount1`;
  return {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};BlobEndpoint=${endpoint(ports.Blob)};QueueEndpoint=${endpoint(ports.Queue)};TableEndpoint=${endpoint(ports.Table)};`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
