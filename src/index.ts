/**
 * The app entry (package.json `main`): the Functions host loads this file, and every
 * function Harbormaster has is registered from here, in one readable list.
 *
 * The configuration is loaded first, at import time: an invalid app setting or apps file throws
 * a ConfigurationError naming the field, before any function is registered, so the app never
 * half-starts.
 */
import { getConfig } from './config';
import { registerBackups } from './functions/backups';
import { registerDeploymentPipeline } from './functions/deploymentPipeline';
import { registerHealthSweep } from './functions/healthSweep';
import { registerHealthz } from './functions/healthz';
import { registerManualDeployments } from './functions/manualDeployments';
import { registerGroupDeployments } from './functions/groupDeployments';
import { registerRegistryWebhooks } from './functions/registryWebhooks';
import { registerReconcileTimer } from './functions/reconcileTimer';
import { registerRecordRetention } from './functions/recordRetention';
import { registerStatusApi } from './functions/statusApi';

getConfig();

// Self health: GET /api/healthz (anonymous).
registerHealthz();
// Registry pushes in: ACR, Event Grid, Docker Hub, GHCR webhooks.
registerRegistryWebhooks();
// Pushes a webhook missed: compare each app's tracked tag with the registry.
registerReconcileTimer();
// The durable deployment pipeline (orchestration and activities).
registerDeploymentPipeline();
// Manual deploy, rollback, resume, approve and reject.
registerManualDeployments();
// The same for release groups: deploy, roll back and resume a group.
registerGroupDeployments();
// Status API.
registerStatusApi();
// Backups: per-database schedules and drills, on demand, retention, status.
registerBackups();
// Health sweeps of every app, alerts on change, silences, self-healing.
registerHealthSweep();
// Daily prune of delivery records past their retention and delivery ids past the replay horizon.
registerRecordRetention();
