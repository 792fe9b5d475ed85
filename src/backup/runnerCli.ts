#!/usr/bin/env node
/**
 * The backup job's entry (Dockerfile.backup ENTRYPOINT; the simulator runs
 * `node dist/src/backup/runnerCli.js`). Reads its settings from the environment, runs one backup
 * or drill, exits 0 on success and 1 on failure (2 on bad settings). SIGTERM (the job's timeout
 * or a stop) aborts the work; the failure path still removes the blob and records Failed.
 * Output is JSON lines without secrets.
 */
import { ConfigurationError } from '../config/configurationError';
import { runBackup } from './backupRunner';
import { runDrill } from './drillRunner';
import { createRunnerDeps } from './runnerDeps';
import { readRunnerSettings } from './runnerSettings';

async function main(): Promise<number> {
  let settings;
  try {
    settings = readRunnerSettings(process.env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const abort = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => abort.abort());
  const deps = createRunnerDeps(settings, abort.signal);
  if (settings.mode === 'drill') {
    const drill = await runDrill({ database: settings.database, backupId: settings.backupId, drillId: settings.drillId!, connectionSecret: settings.connectionSecret }, deps);
    return drill.state === 'Passed' ? 0 : 1;
  }
  try {
    await runBackup(
      {
        database: settings.database,
        backupId: settings.backupId,
        trigger: settings.trigger,
        deploymentId: settings.deploymentId,
        connectionSecret: settings.connectionSecret,
        executionName: settings.executionName,
      },
      deps,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`backup failed: ${(error as Error).message}\n`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Unexpected: report the kind only (a message could carry a driver's echo of input).
    process.stderr.write(`backup runner crashed: ${(error as Error)?.name ?? 'error'}\n`);
    process.exit(1);
  },
);
