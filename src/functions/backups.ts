/**
 * Backup triggers and API. Registered by `registerBackups()` (src/index.ts calls it).
 *
 * Timers: ONE `app.timer` PER DATABASE (`backupSchedule-<db>`, its NCRONTAB `schedule`) and one per
 * database for drills (`backupDrill-<db>`, `drillSchedule`), registered at load time from the
 * configuration. Chosen over one timer that evaluates every database's NCRONTAB because the
 * Functions host then gives each schedule its own past-due handling and singleton lock, and the
 * schedules show up in the function list; a configuration change needs a restart either way (the
 * configuration is read at start-up). `backupMaintenance` (hourly) applies retention and checks
 * each database's newest verified backup against its schedule.
 *
 * HTTP (Reader role or a read key to look, Operator or an operate key to back up now):
 * - `POST /api/backups/{database}` → 202 `{ backupId, statusUrl, joined }`. When a backup of that
 *   database is already running, the request JOINS it: 202 with the running backup's id and
 *   `joined: true`; no second job starts. Unknown database → 404.
 * - `GET /api/backups?database=` → backups (state, size, age, trigger), newest first; without
 *   `database`, every configured database's.
 * - `GET /api/backups/{backupId}` → one backup's record (of a configured database: a point read of each).
 * - `GET /api/backups/{database}/retention` → the retention dry run (what would go, and why).
 */
import { randomBytes } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getConfig } from '../config';
import { getBackupServices } from '../activities/backup/backupServices';
import type { BackupActivities } from '../activities/backup/createBackupActivities';
import {
  BackupActivityNames,
  BackupOrchestratorNames,
  isTerminalBackupState,
  newBackupId,
  type BackupOrchestrationInput,
  type BackupRecord,
  type BackupTrigger,
} from '../domain/backup';
import { backupDrillOrchestrator } from '../orchestrators/backupDrillOrchestrator';
import { backupOrchestrator } from '../orchestrators/backupOrchestrator';
import type { Caller } from '../domain/access';
import { registerApiRoute } from './http/apiRoute';
import { json, problem } from './http/problem';
import { parseQuery } from './http/queryParameters';

type ActivityName = keyof typeof BackupActivityNames;

export interface StartedBackup {
  backupId: string;
  joined: boolean;
}

/** Starts a backup orchestration for `database`, or joins the one already running. */
export async function startBackup(client: df.DurableClient, database: string, trigger: BackupTrigger, deploymentId?: string, requestedBy?: string): Promise<StartedBackup> {
  const { records } = getBackupServices();
  const claim = await records.getClaim(database);
  if (claim) {
    const held = await records.get(database, claim.backupId);
    if (held && !isTerminalBackupState(held.state)) return { backupId: claim.backupId, joined: true };
  }
  const backupId = newBackupId(new Date(), randomBytes(3).toString('hex'));
  const input: BackupOrchestrationInput = { database, trigger, deploymentId, backupId, ...(requestedBy ? { requestedBy } : {}) };
  await client.startNew(BackupOrchestratorNames.backup, { instanceId: `backup-${backupId}`, input });
  return { backupId, joined: false };
}

export async function postBackup(request: HttpRequest, context: InvocationContext, caller: Caller): Promise<HttpResponseInit> {
  const database = request.params.database;
  if (!getConfig().apps.databases.some((d) => d.name === database)) {
    return problem(404, 'Unknown database', `database "${database}" is not in the configuration`, 'database');
  }
  const started = await startBackup(df.getClient(context), database, 'manual', undefined, caller.name);
  const statusUrl = new URL(`/api/backups/${started.backupId}`, request.url).toString();
  return json(202, { backupId: started.backupId, database, joined: started.joined, statusUrl }, { location: statusUrl });
}

function view(record: BackupRecord, now: number) {
  return {
    backupId: record.backupId,
    database: record.database,
    state: record.state,
    trigger: record.trigger,
    deploymentId: record.deploymentId,
    requestedBy: record.requestedBy,
    createdAt: record.createdAt,
    finishedAt: record.finishedAt,
    ageSeconds: Math.max(0, Math.round((now - Date.parse(record.createdAt)) / 1000)),
    sizeBytes: record.sizeBytes,
    sha256: record.sha256,
    serverVersion: record.serverVersion,
    pgDumpVersion: record.pgDumpVersion,
    reason: record.reason,
    dumpMs: record.dumpMs,
    verifyMs: record.verifyMs,
    drillState: record.drillState,
    drillId: record.drillId,
  };
}

export async function listBackups(request: HttpRequest): Promise<HttpResponseInit> {
  const configured = getConfig().apps.databases.map((d) => d.name);
  const parsed = parseQuery(request, { database: { kind: 'oneOf', values: configured } });
  if ('response' in parsed) return parsed.response;
  const { database } = parsed.query;
  const { records } = getBackupServices();
  const now = Date.now();
  const lists = await Promise.all((database ? [database] : configured).map((d) => records.list(d)));
  const backups = lists.flat().sort((a, b) => b.backupId.localeCompare(a.backupId)).map((r) => view(r, now));
  return json(200, { backups });
}

export async function getBackup(request: HttpRequest): Promise<HttpResponseInit> {
  const configured = getConfig().apps.databases.map((d) => d.name);
  const record = await getBackupServices().records.find(request.params.backupId, configured);
  if (!record) return problem(404, 'Unknown backup', `no backup "${request.params.backupId}"`, 'backupId');
  return json(200, { ...view(record, Date.now()), tableRowCounts: record.tableRowCounts, stderr: record.stderr, executionName: record.executionName });
}

export async function retentionDryRun(request: HttpRequest): Promise<HttpResponseInit> {
  const database = request.params.database;
  if (!getConfig().apps.databases.some((d) => d.name === database)) return problem(404, 'Unknown database', `database "${database}" is not in the configuration`, 'database');
  const plan = await getBackupServices().activities.applyRetention(database, { dryRun: true });
  return json(200, { database, dryRun: true, keep: plan.keep, remove: plan.remove });
}

/** Each database's newest verified backup and freshness: for GET /api/status (the status API can include it). */
export async function describeBackupStatus(): Promise<Array<Record<string, unknown>>> {
  const { activities } = getBackupServices();
  return Promise.all(
    getConfig().apps.databases.map(async (d) => {
      try {
        // Read only: alerts on a change of freshness come from the maintenance timer, not from a GET.
        const { verdict, newest } = await activities.freshness(d.name);
        return { database: d.name, schedule: d.schedule, newestVerifiedBackup: newest ? view(newest, Date.now()) : null, freshness: verdict.verdict, reason: verdict.reason };
      } catch (error) {
        return { database: d.name, schedule: d.schedule, error: `backup records unreadable (${(error as { statusCode?: number }).statusCode ?? (error as { code?: string }).code ?? 'error'})` };
      }
    }),
  );
}

export async function backupMaintenance(_timer: Timer, context: InvocationContext): Promise<void> {
  const { activities } = getBackupServices();
  for (const database of getConfig().apps.databases) {
    // One database's trouble must not stop the others' retention.
    try {
      const plan = await activities.applyRetention(database.name, { dryRun: false });
      const freshness = await activities.checkFreshness(database.name);
      context.log(JSON.stringify({ msg: 'backup maintenance', database: database.name, removed: plan.remove.length, kept: plan.keep.length, freshness: freshness.verdict }));
    } catch (error) {
      context.error(JSON.stringify({ msg: 'backup maintenance failed', database: database.name, error: (error as Error).message }));
    }
  }
}

function registerActivity(name: ActivityName): void {
  df.app.activity(BackupActivityNames[name], {
    handler: (input: unknown) => (getBackupServices().activities[name] as (input: unknown) => Promise<unknown>)(input),
  });
}

/** The backup orchestrations alone: what the replay tests register too (they read no configuration). */
export function registerBackupOrchestrations(): void {
  df.app.orchestration(BackupOrchestratorNames.backup, backupOrchestrator);
  df.app.orchestration(BackupOrchestratorNames.drill, backupDrillOrchestrator);
}

export function registerBackups(): void {
  const config = getConfig();
  registerBackupOrchestrations();
  for (const name of Object.keys(BackupActivityNames) as ActivityName[]) registerActivity(name);

  const client = [df.input.durableClient()];
  for (const database of config.apps.databases) {
    app.timer(`backupSchedule-${database.name}`, {
      schedule: database.schedule,
      extraInputs: client,
      handler: async (_timer: Timer, context: InvocationContext) => {
        const started = await startBackup(df.getClient(context), database.name, 'schedule');
        context.log(JSON.stringify({ msg: 'scheduled backup', database: database.name, ...started }));
      },
    });
    app.timer(`backupDrill-${database.name}`, {
      schedule: database.drillSchedule,
      extraInputs: client,
      handler: async (_timer: Timer, context: InvocationContext) => {
        const drillId = newBackupId(new Date(), randomBytes(3).toString('hex'));
        await df.getClient(context).startNew(BackupOrchestratorNames.drill, { instanceId: `drill-${database.name}-${drillId}`, input: { database: database.name, drillId } });
      },
    });
  }
  app.timer('backupMaintenance', { schedule: '0 30 * * * *', handler: backupMaintenance });
  registerApiRoute('startBackup', { route: 'backups/{database}', methods: ['POST'], extraInputs: client, handler: postBackup });
  registerApiRoute('listBackups', { route: 'backups', methods: ['GET'], handler: listBackups });
  registerApiRoute('getBackup', { route: 'backups/{backupId}', methods: ['GET'], handler: getBackup });
  registerApiRoute('backupRetentionDryRun', { route: 'backups/{database}/retention', methods: ['GET'], handler: retentionDryRun });
}

export type { BackupActivities };
