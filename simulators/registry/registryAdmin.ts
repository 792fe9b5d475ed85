/**
 * Admin API of the simulated registry (no auth beyond the server's optional admin token):
 *
 * POST /_sim/registry/push       { registry?, repository, tag, platforms?: ['linux/amd64'], sizeBytes?, index?, behaviour? }
 *   → 201 { loginServer, repository, tag, digest, mediaType, size, platformDigests, image, imageByDigest }
 *   Records a new manifest (a new digest every push), records the behaviour in the image catalog under
 *   `<login>/<repo>:<tag>` and `<login>/<repo>@<digest>` (revision behaviours as `behaviour`, migrate-* as
 *   `metadata.jobBehaviour`), then sends the webhooks and Event Grid events asynchronously.
 * POST /_sim/registry/webhooks   { registry?, name?, serviceUri, customHeaders?, actions?: ['push'], scope? } → 201
 * GET  /_sim/registry/webhooks   → 200 { value }
 * POST /_sim/registry/eventgrid  { registry?, name?, endpoint, schema?: 'EventGridSchema'|'CloudEventSchemaV1_0', headers?,
 *                                  duplicate?, maxAttempts? (default 5), initialRetryDelayMs? (default 200) }
 *   → 201 after the validation handshake succeeded; 400 naming the failure otherwise (the subscription is not created).
 * GET  /_sim/registry/deliveries → 200 { value: [{ kind, target, eventId, attempt, status?, error?, time }] }
 */
import type { Dispatcher } from 'undici';
import { parseBehaviour, type ImageCatalog } from '../imageCatalog';
import type { SimRequest, SimResponse } from '../module';
import { JOB_BEHAVIOUR_METADATA_KEY } from '../jobs/jobBehaviour';
import { isMigrationBehaviour } from '../jobs/migrationRunner';
import { PushNotifier, type EventGridSubscription, type RegistryAction, type WebhookConfig } from './pushNotifications';
import { parsePlatform, type PushResult, type RegistryStore } from './registryStore';

export interface RegistryAdminDeps {
  registry(name: string): RegistryStore;
  defaultRegistry: string;
  imageCatalog?: ImageCatalog;
  subscriptionId: string;
  resourceGroup: string;
  dispatcher?: Dispatcher;
}

type Json = Record<string, unknown>;

function problem(field: string, message: string): SimResponse {
  return { status: 400, body: { error: { code: 'InvalidRequest', message: `${field}: ${message}`, target: field } } };
}

function stringRecord(value: unknown): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Json);
  return entries.every(([, v]) => typeof v === 'string') ? Object.fromEntries(entries) as Record<string, string> : undefined;
}

function validUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

export class RegistryAdmin {
  readonly notifier: PushNotifier;
  private readonly webhooks = new Map<string, WebhookConfig[]>();
  private readonly subscriptions = new Map<string, EventGridSubscription[]>();

  constructor(private readonly deps: RegistryAdminDeps) {
    this.notifier = new PushNotifier(deps.dispatcher);
  }

  /** Pushes an image (what the admin route and `npm run push` do). */
  push(input: { registry?: string; repository: string; tag: string; platforms?: string[]; sizeBytes?: number; index?: boolean; behaviour?: string }): PushResult & { loginServer: string } {
    const registryName = (input.registry ?? this.deps.defaultRegistry).toLowerCase();
    const store = this.deps.registry(registryName);
    const result = store.push(input);
    const image = `${store.loginServer}/${result.repository}:${result.tag}`;
    const byDigest = `${store.loginServer}/${result.repository}@${result.digest}`;
    if (this.deps.imageCatalog) {
      const aliases = [byDigest, ...Object.values(result.platformDigests).map((d) => `${store.loginServer}/${result.repository}@${d}`)];
      // Every pushed image carries a migration that works (as a release image's migrate entrypoint
      // would) unless it was pushed with migrate-fail or migrate-hang; the app behaviour is separate.
      if (isMigrationBehaviour(input.behaviour)) {
        this.deps.imageCatalog.record({ imageRef: image, aliases, metadata: { [JOB_BEHAVIOUR_METADATA_KEY]: input.behaviour } });
      } else {
        this.deps.imageCatalog.record({
          imageRef: image,
          aliases,
          behaviour: input.behaviour ? parseBehaviour(input.behaviour) : undefined,
          metadata: { [JOB_BEHAVIOUR_METADATA_KEY]: 'migrate-ok' },
        });
      }
    }
    this.notifier.notifyPush(
      {
        loginServer: store.loginServer,
        registryResourceId: `/subscriptions/${this.deps.subscriptionId}/resourceGroups/${this.deps.resourceGroup}/providers/Microsoft.ContainerRegistry/registries/${registryName}`,
        repository: result.repository,
        tag: result.tag,
        digest: result.digest,
        mediaType: result.mediaType,
        size: result.size,
      },
      this.webhooks.get(registryName) ?? [],
      this.subscriptions.get(registryName) ?? [],
    );
    return { ...result, loginServer: store.loginServer };
  }

  async handle(request: SimRequest): Promise<SimResponse | undefined> {
    const path = request.url.pathname;
    const body = (request.json ?? {}) as Json;
    if (path === '/_sim/registry/push' && request.method === 'POST') return this.pushRoute(body);
    if (path === '/_sim/registry/webhooks' && request.method === 'POST') return this.addWebhook(body);
    if (path === '/_sim/registry/webhooks' && request.method === 'GET') return { status: 200, body: { value: [...this.webhooks.values()].flat() } };
    if (path === '/_sim/registry/eventgrid' && request.method === 'POST') return this.addSubscription(body);
    if (path === '/_sim/registry/deliveries' && request.method === 'GET') return { status: 200, body: { value: this.notifier.log } };
    return undefined;
  }

  async close(): Promise<void> {
    this.notifier.close();
    await this.notifier.idle();
  }

  private registryName(body: Json): string {
    return (typeof body.registry === 'string' && body.registry ? body.registry : this.deps.defaultRegistry).toLowerCase();
  }

  private pushRoute(body: Json): SimResponse {
    if (typeof body.repository !== 'string' || !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(body.repository)) {
      return problem('repository', 'required; lower-case OCI repository name');
    }
    if (typeof body.tag !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(body.tag)) return problem('tag', 'required; a valid OCI tag');
    if (body.registry !== undefined && (typeof body.registry !== 'string' || !/^[a-z0-9]{5,50}$/i.test(body.registry))) {
      return problem('registry', 'alphanumeric, 5-50 characters');
    }
    if (body.platforms !== undefined) {
      if (!Array.isArray(body.platforms) || body.platforms.some((p) => typeof p !== 'string')) return problem('platforms', 'must be an array of os/architecture strings');
      try {
        (body.platforms as string[]).forEach(parsePlatform);
      } catch (error) {
        return problem('platforms', (error as Error).message);
      }
    }
    if (body.sizeBytes !== undefined && (typeof body.sizeBytes !== 'number' || !Number.isInteger(body.sizeBytes) || body.sizeBytes < 0 || body.sizeBytes > 512 * 1024 * 1024)) {
      return problem('sizeBytes', 'an integer from 0 to 512 MiB');
    }
    if (body.behaviour !== undefined) {
      if (typeof body.behaviour !== 'string') return problem('behaviour', 'must be a string');
      if (!isMigrationBehaviour(body.behaviour)) {
        try {
          parseBehaviour(body.behaviour);
        } catch (error) {
          return problem('behaviour', `${(error as Error).message} Jobs: migrate-ok, migrate-fail, migrate-hang.`);
        }
      }
    }
    const result = this.push({
      registry: body.registry as string | undefined,
      repository: body.repository,
      tag: body.tag,
      platforms: body.platforms as string[] | undefined,
      sizeBytes: body.sizeBytes as number | undefined,
      index: body.index === true,
      behaviour: body.behaviour as string | undefined,
    });
    return {
      status: 201,
      body: {
        ...result,
        image: `${result.loginServer}/${result.repository}:${result.tag}`,
        imageByDigest: `${result.loginServer}/${result.repository}@${result.digest}`,
      },
    };
  }

  private addWebhook(body: Json): SimResponse {
    if (!validUrl(body.serviceUri)) return problem('serviceUri', 'required; an http(s) URL');
    const customHeaders = stringRecord(body.customHeaders);
    if (!customHeaders) return problem('customHeaders', 'must be an object of string values');
    const actions = (body.actions ?? ['push']) as unknown;
    if (!Array.isArray(actions) || actions.length === 0 || actions.some((a) => a !== 'push' && a !== 'delete')) {
      return problem('actions', "an array of 'push' and/or 'delete'");
    }
    if (body.scope !== undefined && typeof body.scope !== 'string') return problem('scope', 'must be a string like repo:tag or repo:*');
    const registry = this.registryName(body);
    const list = this.webhooks.get(registry) ?? [];
    const webhook: WebhookConfig = {
      name: typeof body.name === 'string' ? body.name : `webhook${list.length + 1}`,
      serviceUri: body.serviceUri,
      customHeaders,
      actions: actions as RegistryAction[],
      scope: body.scope as string | undefined,
    };
    list.push(webhook);
    this.webhooks.set(registry, list);
    // Custom headers often carry credentials: echo their names only.
    return { status: 201, body: { ...webhook, customHeaders: Object.keys(customHeaders), registry } };
  }

  private async addSubscription(body: Json): Promise<SimResponse> {
    if (!validUrl(body.endpoint)) return problem('endpoint', 'required; an http(s) URL');
    const schema = body.schema ?? 'EventGridSchema';
    if (schema !== 'EventGridSchema' && schema !== 'CloudEventSchemaV1_0') return problem('schema', "'EventGridSchema' or 'CloudEventSchemaV1_0'");
    const headers = stringRecord(body.headers);
    if (!headers) return problem('headers', 'must be an object of string values');
    const maxAttempts = body.maxAttempts ?? 5;
    if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 30) return problem('maxAttempts', 'an integer from 1 to 30');
    const initialRetryDelayMs = body.initialRetryDelayMs ?? 200;
    if (typeof initialRetryDelayMs !== 'number' || initialRetryDelayMs < 0 || initialRetryDelayMs > 60_000) return problem('initialRetryDelayMs', '0 to 60000');
    const registry = this.registryName(body);
    const list = this.subscriptions.get(registry) ?? [];
    const subscription: EventGridSubscription = {
      name: typeof body.name === 'string' ? body.name : `subscription${list.length + 1}`,
      endpoint: body.endpoint,
      schema,
      headers,
      duplicate: body.duplicate === true,
      maxAttempts,
      initialRetryDelayMs,
    };
    const validation = await this.notifier.validate(subscription);
    if (!validation.ok) {
      return { status: 400, body: { error: { code: 'WebhookValidationFailed', message: `Event Grid endpoint validation failed: ${validation.reason}`, target: 'endpoint' } } };
    }
    list.push(subscription);
    this.subscriptions.set(registry, list);
    return { status: 201, body: { ...subscription, headers: Object.keys(headers), registry, provisioningState: 'Succeeded' } };
  }
}
