/**
 * Registry push webhooks: one HTTP function per source. Each authenticates with its own
 * secret (constant-time compare; 401 with no detail), parses with the pure parser of its
 * source, and hands the push to the ingestor. Anonymous at the Functions level because the
 * senders cannot send function keys the way we need; the source secret is the key.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { getServices } from '../composition/services';
import type { SecretValue } from '../config';
import { MAX_REQUEST_BODY_BYTES } from '../config/settingsCatalog';
import { ingestPush, type IngestOutcome } from '../activities/push/pushIngestor';
import type { ImagePushed, PushParseResult } from '../domain/push/imagePushed';
import { parseAcrWebhook } from '../domain/push/parseAcrWebhook';
import { parseDockerHubWebhook } from '../domain/push/parseDockerHubWebhook';
import { parseEventGridDelivery } from '../domain/push/parseEventGridDelivery';
import { parseGhcrWebhook } from '../domain/push/parseGhcrWebhook';
import { getPresentedSecret, type SharedSecretSource } from '../domain/push/presentedSecret';
import { verifyGitHubSignature } from '../domain/push/verifyGitHubSignature';
import { verifySharedSecret } from '../domain/push/verifySharedSecret';
import { createLauncher } from './deploymentLauncherFactory';
import { durableStarter } from './durableStarter';
import { json, problem } from './http/problem';
import { parseJson, readBodyCapped } from './http/readBody';
import { getInstruments } from '../telemetry/instruments';
import { lateRecordError } from './lateRecordError';

const UNAUTHORIZED: HttpResponseInit = { status: 401 };

function authenticated(source: SharedSecretSource, request: HttpRequest, secret: SecretValue | undefined): boolean {
  if (!secret) return false;
  return verifySharedSecret(getPresentedSecret(source, { headers: request.headers, query: request.query }), secret.reveal());
}

async function ingestAll(pushes: ImagePushed[], context: InvocationContext): Promise<IngestOutcome[]> {
  const services = getServices();
  const deps = {
    apps: services.config.apps.apps,
    registry: services.registry,
    deliveries: services.deliveries,
    appState: services.appState,
    launcher: createLauncher(services),
    now: () => new Date(),
    onLateRecordError: lateRecordError,
  };
  const starter = durableStarter(() => df.getClient(context));
  const outcomes: IngestOutcome[] = [];
  for (const push of pushes) outcomes.push(await ingestPush(deps, push, starter));
  return outcomes;
}

async function answer(result: PushParseResult, context: InvocationContext): Promise<HttpResponseInit> {
  if (result.kind === 'invalid') return problem(400, 'Malformed webhook', `${result.field}: ${result.problem}`, result.field);
  if (result.kind === 'ignored') return json(202, { decision: 'ignored', reason: result.reason });
  const [outcome] = await ingestAll([result.push], context);
  return json(202, outcomeBody(outcome));
}

function outcomeBody(outcome: IngestOutcome) {
  return outcome.matched.length > 0 ? { apps: outcome.matched } : { decision: 'ignored', reason: outcome.unmatchedReason };
}

export async function acrWebhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  if (!authenticated('acr', request, getServices().config.settings.webhookSecrets.acr)) return UNAUTHORIZED;
  const read = await readBodyCapped(request);
  if ('response' in read) return read.response;
  const body = parseJson(read.raw);
  if ('response' in body) return body.response;
  return answer(parseAcrWebhook(body.body, request.headers), context);
}

export async function dockerHubWebhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  if (!authenticated('dockerhub', request, getServices().config.settings.webhookSecrets.dockerHub)) return UNAUTHORIZED;
  const read = await readBodyCapped(request);
  if ('response' in read) return read.response;
  const body = parseJson(read.raw);
  if ('response' in body) return body.response;
  return answer(parseDockerHubWebhook(body.body), context);
}

export async function ghcrWebhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const secret = getServices().config.settings.webhookSecrets.ghcr;
  const read = await readBodyCapped(request);
  if ('response' in read) return read.response;
  // GitHub signs the raw body: verify before parsing anything.
  if (!secret || !verifyGitHubSignature(read.raw, request.headers.get('x-hub-signature-256') ?? undefined, secret.reveal())) return UNAUTHORIZED;
  const event = request.headers.get('x-github-event');
  if (event === 'ping') return json(202, { decision: 'ignored', reason: 'ping' });
  const body = parseJson(read.raw);
  if ('response' in body) return body.response;
  return answer(parseGhcrWebhook(body.body, request.headers), context);
}

export async function eventGridWebhook(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  // CloudEvents 1.0 abuse-protection handshake (no secret involved; it only allows delivery).
  if (request.method === 'OPTIONS') {
    const origin = request.headers.get('webhook-request-origin');
    return { status: 200, headers: { 'WebHook-Allowed-Origin': origin ?? '*', 'WebHook-Allowed-Rate': '120' } };
  }
  if (!authenticated('eventgrid', request, getServices().config.settings.webhookSecrets.eventGrid)) return UNAUTHORIZED;
  const read = await readBodyCapped(request, MAX_REQUEST_BODY_BYTES);
  if ('response' in read) return read.response;
  const body = parseJson(read.raw);
  if ('response' in body) return body.response;
  const delivery = parseEventGridDelivery(body.body, request.headers);
  if (delivery.kind === 'invalid') return problem(400, 'Malformed Event Grid delivery', `${delivery.field}: ${delivery.problem}`, delivery.field);
  const validation = delivery.results.find((r) => r.kind === 'validation');
  // Event Grid requires 200 (not 202) with the code echoed.
  if (validation && validation.kind === 'validation') return json(200, { validationResponse: validation.validationCode });
  const pushes = delivery.results.flatMap((r) => (r.kind === 'pushed' ? [r.push] : []));
  const ignored = delivery.results.flatMap((r) => (r.kind === 'ignored' ? [r.reason] : r.kind === 'invalid' ? [`${r.field}: ${r.problem}`] : []));
  const outcomes = await ingestAll(pushes, context);
  return json(202, { events: [...outcomes.map(outcomeBody), ...ignored.map((reason) => ({ decision: 'ignored', reason }))] });
}

type WebhookHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

/**
 * How long the sender waited for its answer (ACR gives up after 5 s and never retries), by
 * source and status; a handler that throws counts as a 500.
 */
function timed(source: string, handler: WebhookHandler): WebhookHandler {
  return async (request, context) => {
    const started = performance.now();
    let status = 500;
    try {
      const response = await handler(request, context);
      status = response.status ?? 200;
      return response;
    } finally {
      getInstruments().webhookAck.record((performance.now() - started) / 1000, { 'harbormaster.webhook.source': source, 'http.response.status_code': status });
    }
  };
}

export function registerRegistryWebhooks(): void {
  // An ignored push is answered before its delivery row commits: let those rows land before the host stops.
  app.hook.appTerminate(() => getServices().deliveries.settled());
  const client = [df.input.durableClient()];
  app.http('acrWebhook', { route: 'webhooks/acr', methods: ['POST'], authLevel: 'anonymous', extraInputs: client, handler: timed('acr', acrWebhook) });
  app.http('eventGridWebhook', { route: 'webhooks/eventgrid', methods: ['POST', 'OPTIONS'], authLevel: 'anonymous', extraInputs: client, handler: timed('eventgrid', eventGridWebhook) });
  app.http('dockerHubWebhook', { route: 'webhooks/dockerhub', methods: ['POST'], authLevel: 'anonymous', extraInputs: client, handler: timed('dockerhub', dockerHubWebhook) });
  app.http('ghcrWebhook', { route: 'webhooks/ghcr', methods: ['POST'], authLevel: 'anonymous', extraInputs: client, handler: timed('ghcr', ghcrWebhook) });
}
