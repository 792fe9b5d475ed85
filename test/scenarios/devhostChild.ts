/**
 * devhost with the Durable extension in a child process, for the crash scenario:
 * `node devhostChild.js <entry> <settings file> <hub name> <port> <data dir>`; prints `READY <baseUrl>`.
 * The settings (which hold the local keys) come from a file, never the command line.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createDurableExtension } from '../../devhost/durable';
import { startDevhost } from '../../devhost/host';

async function main(): Promise<void> {
  const [entry, settingsFile, hubName, port, dataDir] = process.argv.slice(2);
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, string>;
  const devhost = await startDevhost({
    entry,
    port: Number(port),
    settings,
    storage: { connectionString: settings.AzureWebJobsStorage },
    extensions: [createDurableExtension({ hubName, log: () => undefined })],
    hostJsonPath: path.resolve(path.dirname(entry), '..', '..', 'host.json'),
    dataDir,
    log: () => undefined,
  });
  process.stdout.write(`READY ${devhost.baseUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
