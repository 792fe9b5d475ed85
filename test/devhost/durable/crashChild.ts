/**
 * devhost with the durable extension as a child process for the crash test:
 * `node crashChild.js <entry> <storage connection string> <hub> <log file>`; prints `READY <baseUrl>`.
 */
import { startDevhost } from '../../../devhost/host';
import { createDurableExtension } from '../../../devhost/durable';

async function main(): Promise<void> {
  const [entry, connectionString, hubName, logFile] = process.argv.slice(2);
  const durable = createDurableExtension({ hubName });
  const devhost = await startDevhost({
    entry,
    port: 0,
    settings: { CRASH_LOG: logFile },
    storage: { connectionString },
    extensions: [durable],
    hostJsonPath: undefined,
    dataDir: `${logFile}.devhost`,
    log: () => undefined,
  });
  process.stdout.write(`READY ${devhost.baseUrl}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
