/**
 * Health sweep triggers:
 *   timer     healthSweep                      every HARBORMASTER_SWEEP_SCHEDULE (default every 5 minutes)
 *   activity  sweepApp                         one app now: deployments call it once what serves changed
 *                                              (input SweepAppInput, result SweepAppResult: src/domain/health/sweepContracts.ts)
 *   GET       /api/apps/{app}/health?limit=N   current verdict and recent history (newest first), a page at a time
 *             [&continuationToken=]            (the token of the next page, when there may be one, is in the answer)
 *   POST      /api/apps/{app}/silences         mute the app's alerts: { "minutes": 60 } or { "until": ISO } (+ "start", "reason")
 *   DELETE    /api/apps/{app}/silences[?id=]   end the app's API silences (configured windows stay)
 * `getHealthSummary(app)` is what `GET /api/status` shows per app.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import type { HealthSweep } from '../activities/sweep/healthSweep';
import type { HealthSummary } from '../activities/sweep/sweepRecords';
import { getServices } from '../composition/services';
import { getConfig } from '../config';
import { SweepActivityNames, type SweepAppInput, type SweepAppResult } from '../domain/health';
import type { Caller } from '../domain/access';
import { registerApiRoute } from './http/apiRoute';
import { json, problem } from './http/problem';
import { parseQuery } from './http/queryParameters';
import { isTablePageToken } from '../adapters/storage/tables';
import { parseJson, readBodyCapped } from './http/readBody';
import { getInstruments } from '../telemetry/instruments';

const DEFAULT_HISTORY = 50;
const MAX_HISTORY = 500;
const MAX_SILENCE_MINUTES = 7 * 24 * 60;
const MAX_SILENCE_BODY_BYTES = 4 * 1024;

/** `caller` is who the API authenticated (src/functions/http/apiRoute.ts); tests calling a handler directly may leave it out. */
export type HttpHandler = (request: HttpRequest, context: InvocationContext, caller?: Caller) => Promise<HttpResponseInit>;

export interface HealthSweepHandlers {
  sweep: (timer: Timer, context: InvocationContext) => Promise<void>;
  sweepApp: (input: unknown, context: InvocationContext) => Promise<SweepAppResult>;
  getAppHealth: HttpHandler;
  addSilence: HttpHandler;
  clearSilences: HttpHandler;
}

/** The handlers over an explicit sweep and clock (tests build them against Azurite and the simulators). */
export function createHealthSweepHandlers(sweep: HealthSweep, clock: () => Date = () => new Date()): HealthSweepHandlers {
  return {
    async sweep(_timer, context) {
      const report = await sweep.sweepAll();
      const instruments = getInstruments();
      instruments.sweepDuration.record(report.durationMs / 1000);
      for (const outcome of report.apps) instruments.sweepVerdicts.add(1, { 'harbormaster.verdict': outcome.verdict ?? 'not-swept' });
      const failed = report.apps.filter((a) => a.error);
      context.log(`health sweep: ${report.apps.length} apps in ${report.durationMs} ms, ${failed.length} not swept`);
      for (const f of failed) context.warn(`health sweep: ${f.app} not swept: ${f.error ?? ''}`);
    },

    async sweepApp(input, context) {
      const request = parseSweepAppInput(input);
      const outcome = await sweep.sweepApp(request.app, { afterDeploymentId: request.afterDeploymentId });
      if (outcome.error) context.warn(`sweep of ${outcome.app}: not swept: ${outcome.error}`);
      return {
        app: outcome.app,
        ...(outcome.verdict ? { verdict: outcome.verdict } : {}),
        ...(outcome.notified ? { notified: outcome.notified } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      };
    },

    async getAppHealth(request) {
      const name = request.params.app;
      const parsed = parseQuery(request, { limit: { kind: 'integer', min: 1, max: MAX_HISTORY }, continuationToken: { kind: 'text', maxLength: 2048 } });
      if ('response' in parsed) return parsed.response;
      const { limit, continuationToken } = parsed.query;
      if (continuationToken !== undefined && !isTablePageToken(continuationToken)) {
        return problem(400, 'Invalid query parameter', 'continuationToken must be a token from a previous page of this listing', 'continuationToken');
      }
      const [current, history] = await Promise.all([sweep.getSummary(name), sweep.listHistory(name, { maxPageSize: limit ?? DEFAULT_HISTORY, continuationToken })]);
      if (!current || !history) return problem(404, 'Unknown app', `no app named "${name}"`, 'app');
      return json(200, { app: name, current, history: history.records, ...(history.continuationToken ? { continuationToken: history.continuationToken } : {}) });
    },

    async addSilence(request, _context, caller) {
      const name = request.params.app;
      const read = await readBodyCapped(request, MAX_SILENCE_BODY_BYTES);
      if ('response' in read) return read.response;
      const parsed = parseJson(read.raw);
      if ('response' in parsed) return parsed.response;
      const input = parseSilence(parsed.body, clock());
      if ('response' in input) return input.response;
      const silence = await sweep.addSilence(name, { ...input.silence, ...(caller ? { by: caller.name } : {}) });
      if (!silence) return problem(404, 'Unknown app', `no app named "${name}"`, 'app');
      return json(201, silence);
    },

    async clearSilences(request) {
      const name = request.params.app;
      const id = request.query.get('id') ?? undefined;
      const removed = await sweep.clearSilences(name, id);
      if (!removed) return problem(404, 'Unknown app', `no app named "${name}"`, 'app');
      if (id !== undefined && removed.length === 0) return problem(404, 'Unknown silence', `no active silence "${id}" for ${name}`, 'id');
      return json(200, { removed });
    },
  };
}

/** An orchestration's input is ours, but it crosses a serialisation boundary: check its shape. */
function parseSweepAppInput(input: unknown): SweepAppInput {
  const i = input as Partial<SweepAppInput> | null;
  if (typeof i !== 'object' || i === null || typeof i.app !== 'string' || i.app === '') throw new TypeError('sweepApp needs { app: string, afterDeploymentId?: string }');
  if (i.afterDeploymentId !== undefined && typeof i.afterDeploymentId !== 'string') throw new TypeError('sweepApp: afterDeploymentId must be a string');
  return { app: i.app, ...(i.afterDeploymentId ? { afterDeploymentId: i.afterDeploymentId } : {}) };
}

function parseSilence(body: unknown, now: Date): { silence: { start: string; end: string; reason?: string } } | { response: HttpResponseInit } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { response: problem(400, 'Invalid silence', 'the body must be a JSON object', '(body)') };
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!['minutes', 'until', 'start', 'reason'].includes(key)) return { response: problem(400, 'Invalid silence', `unknown field "${key.slice(0, 40)}"`, key.slice(0, 40)) };
  }
  let start = now;
  if (b.start !== undefined) {
    if (typeof b.start !== 'string' || !Number.isFinite(Date.parse(b.start))) return { response: problem(400, 'Invalid silence', 'start must be an ISO 8601 date-time', 'start') };
    start = new Date(Date.parse(b.start));
  }
  let end: Date;
  if (b.minutes !== undefined && b.until !== undefined) return { response: problem(400, 'Invalid silence', 'give either minutes or until, not both', 'minutes') };
  if (b.minutes !== undefined) {
    if (typeof b.minutes !== 'number' || !Number.isInteger(b.minutes) || b.minutes < 1 || b.minutes > MAX_SILENCE_MINUTES) {
      return { response: problem(400, 'Invalid silence', `minutes must be an integer from 1 to ${MAX_SILENCE_MINUTES}`, 'minutes') };
    }
    end = new Date(start.getTime() + b.minutes * 60_000);
  } else if (b.until !== undefined) {
    if (typeof b.until !== 'string' || !Number.isFinite(Date.parse(b.until))) return { response: problem(400, 'Invalid silence', 'until must be an ISO 8601 date-time', 'until') };
    end = new Date(Date.parse(b.until));
  } else {
    return { response: problem(400, 'Invalid silence', 'minutes or until is required', 'minutes') };
  }
  if (end.getTime() <= start.getTime() || end.getTime() <= now.getTime()) return { response: problem(400, 'Invalid silence', 'the silence must end after it starts and in the future', b.until !== undefined ? 'until' : 'minutes') };
  if (end.getTime() - start.getTime() > MAX_SILENCE_MINUTES * 60_000) return { response: problem(400, 'Invalid silence', `a silence lasts at most ${MAX_SILENCE_MINUTES} minutes`, 'until') };
  if (b.reason !== undefined && (typeof b.reason !== 'string' || b.reason.length > 500)) return { response: problem(400, 'Invalid silence', 'reason must be a string of at most 500 characters', 'reason') };
  return { silence: { start: start.toISOString(), end: end.toISOString(), ...(typeof b.reason === 'string' && b.reason ? { reason: b.reason } : {}) } };
}

/** The current verdict of one app, for `GET /api/status`; undefined for an unknown app. */
export function getHealthSummary(appName: string): Promise<HealthSummary | undefined> {
  return getServices().healthSweep.getSummary(appName);
}

let handlers: HealthSweepHandlers | undefined;
const registered = (): HealthSweepHandlers => (handlers ??= createHealthSweepHandlers(getServices().healthSweep));

export function registerHealthSweep(): void {
  app.timer('healthSweep', { schedule: getConfig().settings.sweepSchedule, runOnStartup: false, handler: (t, c) => registered().sweep(t, c) });
  df.app.activity(SweepActivityNames.sweepApp, { handler: (input: unknown, c: InvocationContext) => registered().sweepApp(input, c) });
  registerApiRoute('getAppHealth', { route: 'apps/{app}/health', methods: ['GET'], handler: (r, c, who) => registered().getAppHealth(r, c, who) });
  registerApiRoute('addSilence', { route: 'apps/{app}/silences', methods: ['POST'], handler: (r, c, who) => registered().addSilence(r, c, who) });
  registerApiRoute('clearSilences', { route: 'apps/{app}/silences', methods: ['DELETE'], handler: (r, c, who) => registered().clearSilences(r, c, who) });
}
