/**
 * The Durable HTTP API under `/runtime/webhooks/durabletask/`: what the library's DurableClient
 * calls through `rpcBaseUrl`, and the management URLs `createCheckStatusResponse` hands out.
 * Status codes follow what DurableClient expects (202 accepted, 404 unknown, 410 finished).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { durableClientBindingData, WEBHOOK_PATH } from './clientBinding';
import { StartConflictError, UnknownOrchestratorError, type DurableRuntime } from './durableRuntime';
import type { RuntimeStatus } from './history';
import type { InstanceQuery } from './taskHubStore';

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const PAGE_SIZE = 100;
const STATUSES: readonly RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];

class BadRequest extends Error {}

export async function handleDurableRequest(runtime: DurableRuntime, hostBaseUrl: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://devhost');
  if (!url.pathname.startsWith(`${WEBHOOK_PATH}/`)) return false;
  const parts = url.pathname.slice(WEBHOOK_PATH.length + 1).split('/').filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? 'GET';
  const hubName = runtime.store.names.hubName;
  const taskHub = url.searchParams.get('taskHub');
  try {
    if (taskHub && taskHub.toLowerCase() !== hubName.toLowerCase()) {
      return send(res, 404, problem(`Task hub "${taskHub}" is not served here (this host runs "${hubName}")`, 'taskHub'));
    }
    // POST orchestrators/{name}[/{instanceId}]
    if (parts[0] === 'orchestrators' && method === 'POST' && (parts.length === 2 || parts.length === 3)) {
      const instanceId = parts[2] ?? randomUUID().replace(/-/g, '');
      const body = await readBody(req);
      const inputJson = body === '' ? undefined : validJson(body, 'body');
      await runtime.startNew(parts[1], instanceId, inputJson);
      const links = managementLinks(hostBaseUrl, hubName, instanceId);
      return send(res, 202, links, { Location: links.statusQueryGetUri, 'Retry-After': '1' });
    }
    if (parts[0] !== 'instances') return send(res, 404, problem(`No Durable API route for ${method} ${url.pathname}`, 'path'));
    const instanceId = parts[1];
    // GET/DELETE instances/  (query, purge by filter)
    if (!instanceId) {
      const query = parseQuery(url);
      if (method === 'GET') {
        const all = await runtime.listStatuses(query, url.searchParams.get('showInput') === 'true');
        const start = decodeToken(req.headers['x-ms-continuation-token']);
        const page = all.slice(start, start + readTop(url));
        const headers: Record<string, string> = {};
        if (start + page.length < all.length) headers['x-ms-continuation-token'] = Buffer.from(String(start + page.length)).toString('base64');
        return send(res, 200, page, headers);
      }
      if (method === 'DELETE') {
        const deleted = await runtime.purgeBy(query);
        return deleted === 0 ? send(res, 404, problem('No instances matched the purge filter', 'filter')) : send(res, 200, { instancesDeleted: deleted });
      }
    }
    if (instanceId && parts.length === 2) {
      if (method === 'GET') {
        const status = await runtime.getStatus(instanceId, {
          showHistory: url.searchParams.get('showHistory') === 'true',
          showHistoryOutput: url.searchParams.get('showHistoryOutput') === 'true',
          showInput: url.searchParams.get('showInput') !== 'false',
        });
        if (!status) return send(res, 404, problem(`No instance with ID "${instanceId}"`, 'instanceId'));
        const running = status.runtimeStatus === 'Pending' || status.runtimeStatus === 'Running' || status.runtimeStatus === 'Suspended';
        return send(res, running ? 202 : 200, status, running ? { Location: managementLinks(hostBaseUrl, hubName, instanceId).statusQueryGetUri } : {});
      }
      if (method === 'DELETE') {
        return (await runtime.purge(instanceId)) ? send(res, 200, { instancesDeleted: 1 }) : send(res, 404, problem(`No finished instance with ID "${instanceId}" to purge`, 'instanceId'));
      }
    }
    if (instanceId && method === 'POST') {
      const operation = parts[2];
      const reason = url.searchParams.get('reason') ?? '';
      let outcome: boolean | 'gone' | undefined;
      if (operation === 'raiseEvent' && parts[3]) {
        const body = await readBody(req);
        outcome = await runtime.raiseEvent(instanceId, parts[3], body === '' ? undefined : validJson(body, 'body'));
      } else if (operation === 'terminate') outcome = await runtime.terminate(instanceId, reason);
      else if (operation === 'suspend') outcome = await runtime.suspend(instanceId, reason);
      else if (operation === 'resume') outcome = await runtime.resume(instanceId, reason);
      else if (operation === 'rewind') return send(res, 501, problem('devhost does not support rewind', 'operation'));
      if (outcome !== undefined) {
        if (outcome === false) return send(res, 404, problem(`No instance with ID "${instanceId}"`, 'instanceId'));
        if (outcome === 'gone') return send(res, 410, problem(`Instance "${instanceId}" has already finished`, 'instanceId'));
        return send(res, 202, undefined);
      }
    }
    return send(res, 404, problem(`No Durable API route for ${method} ${url.pathname}`, 'path'));
  } catch (err) {
    if (err instanceof BadRequest || err instanceof UnknownOrchestratorError) return send(res, 400, problem(err.message, 'request'));
    if (err instanceof StartConflictError) return send(res, 409, problem(err.message, 'instanceId'));
    return send(res, 500, problem(`Durable API error: ${err instanceof Error ? err.message : String(err)}`, 'server'));
  }
}

export function managementLinks(hostBaseUrl: string, hubName: string, instanceId: string): Record<string, string> {
  const data = durableClientBindingData(hostBaseUrl, hubName);
  const links: Record<string, string> = {};
  for (const [key, value] of Object.entries(data.managementUrls)) links[key] = value.replace(data.managementUrls.id, instanceId);
  links.id = instanceId;
  return links;
}

function parseQuery(url: URL): InstanceQuery {
  const query: InstanceQuery = {};
  const statuses = url.searchParams.get('runtimeStatus');
  if (statuses) {
    query.runtimeStatus = statuses.split(',').map((s) => {
      const match = STATUSES.find((known) => known.toLowerCase() === s.trim().toLowerCase());
      if (!match) throw new BadRequest(`runtimeStatus: "${s}" is not one of ${STATUSES.join(', ')}`);
      return match;
    });
  }
  for (const key of ['createdTimeFrom', 'createdTimeTo'] as const) {
    const value = url.searchParams.get(key);
    if (value) {
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) throw new BadRequest(`${key}: "${value}" is not a date`);
      query[key] = date;
    }
  }
  return query;
}

function readTop(url: URL): number {
  const top = Number(url.searchParams.get('top') ?? PAGE_SIZE);
  return Number.isInteger(top) && top > 0 ? Math.min(top, 1000) : PAGE_SIZE;
}

function decodeToken(header: string | string[] | undefined): number {
  if (typeof header !== 'string' || header === '') return 0;
  const n = Number(Buffer.from(header, 'base64').toString('utf8'));
  if (!Number.isInteger(n) || n < 0) throw new BadRequest('x-ms-continuation-token: not a token this host issued');
  return n;
}

function validJson(text: string, field: string): string {
  try {
    JSON.parse(text);
    return text;
  } catch {
    throw new BadRequest(`${field}: not valid JSON`);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`body: larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function problem(detail: string, field: string): Record<string, string> {
  return { title: 'Durable API request failed', detail, field };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
  return true;
}
