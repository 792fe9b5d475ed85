/**
 * The app entry (package.json `main`): the Functions host loads this file, and every
 * function Harbormaster has is registered from here, in one readable list.
 *
 * The configuration is loaded first, at import time: an invalid app setting or apps file throws
 * a ConfigurationError naming the field, before any function is registered, so the app never
 * half-starts.
 */
import { getConfig } from './config';
import { createCredential } from './adapters/azure/credential';
import { startTelemetry } from './telemetry/startTelemetry';
import { registerActionPreviews } from './functions/actionPreviews';
import { registerBackups } from './functions/backups';
import { registerDashboard } from './functions/dashboard';
import { registerDeploymentPipeline } from './functions/deploymentPipeline';
import { registerHealthSweep } from './functions/healthSweep';
import { registerHealthz } from './functions/healthz';
import { registerManualDeployments } from './functions/manualDeployments';
import { registerMe } from './functions/me';
import { registerMetricsApi } from './functions/metricsApi';
import { registerGroupDeployments } from './functions/groupDeployments';
import { registerRegistryWebhooks } from './functions/registryWebhooks';
import { registerReconcileTimer } from './functions/reconcileTimer';
import { registerRecordRetention } from './functions/recordRetention';
import { registerStatusApi } from './functions/statusApi';
import { registerStatusBadges } from './functions/statusBadges';

const { settings } = getConfig();
// Traces, metrics and logs out (Application Insights in Azure), before any function can run.
startTelemetry({ connectionString: settings.telemetry.connectionString, credential: () => createCredential(settings.credential, settings.azureClientId) });

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
// Status API, and who the caller is (GET /api/me).
registerStatusApi();
registerMe();
// This instance's metrics in Prometheus text (GET /api/metrics).
registerMetricsApi();
// Status badges of the apps that opt in (public).
registerStatusBadges();
// What a rollback or a deploy would do, for confirmations before anyone acts.
registerActionPreviews();
// The dashboard: the browser app, built at build time, served from this app.
registerDashboard();
// Backups: per-database schedules and drills, on demand, retention, status.
registerBackups();
// Health sweeps of every app, alerts on change, silences, self-healing.
registerHealthSweep();
// Daily prune of records past their retention (deliveries, deployments, releases, failed backups, health results).
registerRecordRetention();
