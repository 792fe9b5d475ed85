/**
 * The app the end-to-end backup tests load into the test host: Harbormaster's real backup
 * registrations (configured from process.env like the product), plus a parent orchestration
 * standing in for the deployment pipeline's pre-migration step (a sub-orchestration call).
 */
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { registerBackups } from '../../src/functions/backups';
import { BackupOrchestratorNames } from '../../src/domain/backup';

registerBackups();

df.app.orchestration('preMigrationParent', function* (context: OrchestrationContext) {
  const input = context.df.getInput();
  return yield context.df.callSubOrchestrator(BackupOrchestratorNames.backup, input, `${context.df.instanceId}-backup`);
});
