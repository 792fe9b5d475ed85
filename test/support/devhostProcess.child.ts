/**
 * devhost with the Durable extension running the compiled app, in a child process so a test can
 * SIGKILL it at any moment and start it again on the same task hub:
 * `node devhostProcess.child.js <entry> <settings file> <hub name> <port> <data dir> [log file]`;
 * prints `READY <baseUrl>`. The settings (which hold the local keys) come from a file, never the
 * command line; with a log file, devhost's log lines are appended there.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDurableExtension } from '../../devhost/durable';
import { startDevhost } from '../../devhost/host';

async function main(): Promise<void> {
  const [entry, settingsFile, hubName, port, dataDir, logFile] = process.argv.slice(2);
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, string>;
  const log = logFile ? (line: object | string) => appendFileSync(logFile, `${typeof line === 'string' ? line : JSON.stringify(line)}\n`) : () => undefined;
  const devhost = await startDevhost({
    entry,
    port: Number(port),
    settings,
    storage: { connectionString: settings.AzureWebJobsStorage },
    extensions: [createDurableExtension({ hubName, log })],
    hostJsonPath: path.resolve(path.dirname(entry), '..', '..', 'host.json'),
    dataDir,
    log,
  });
  process.stdout.write(`READY ${devhost.baseUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
