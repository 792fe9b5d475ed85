/**
 * What ACR tells the world after a push: registry webhooks (ACR payload, configured custom
 * headers, one attempt with a 5 s timeout, never retried) and Event Grid subscriptions
 * (`Microsoft.ContainerRegistry.ImagePushed`, validation handshake first, delivered at least once
 * with retries and backoff; bounded here so tests finish).
 */
import { randomUUID } from 'node:crypto';
import { request, type Dispatcher } from 'undici';

export type RegistryAction = 'push' | 'delete';

export interface WebhookConfig {
  readonly name: string;
  readonly serviceUri: string;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly actions: readonly RegistryAction[];
  /** ACR scope: `repo:tag`, `repo:*`, `repo` (= `repo:latest`); empty means every repository. */
  readonly scope?: string;
}

export type EventGridSchema = 'EventGridSchema' | 'CloudEventSchemaV1_0';

export interface EventGridSubscription {
  readonly name: string;
  readonly endpoint: string;
  readonly schema: EventGridSchema;
  readonly headers: Readonly<Record<string, string>>;
  /** Deliver every event twice (Event Grid is at-least-once), for dedup tests. */
  readonly duplicate: boolean;
  readonly maxAttempts: number;
  readonly initialRetryDelayMs: number;
}

export interface PushedImage {
  readonly loginServer: string;
  /** ARM id of the registry, the Event Grid topic. */
  readonly registryResourceId: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface DeliveryRecord {
  readonly kind: 'webhook' | 'eventgrid';
  readonly target: string;
  readonly eventId: string;
  readonly attempt: number;
  readonly status?: number;
  readonly error?: string;
  readonly time: string;
}

export const WEBHOOK_TIMEOUT_MS = 5_000;
const EVENT_GRID_TIMEOUT_MS = 30_000;
const USER_AGENT = 'harbormaster-sim-registry/1.0';

export function scopeMatches(scope: string | undefined, repository: string, tag: string): boolean {
  if (!scope || scope.trim() === '') return true;
  const [scopeRepo, scopeTag = 'latest'] = scope.split(':');
  return scopeRepo === repository && (scopeTag === '*' || scopeTag === tag);
}

/** The ACR webhook / Event Grid `data` payload (fixtures/webhooks/acr_webhook_push.json). */
export function acrEventPayload(image: PushedImage, action: RegistryAction, now: Date): Record<string, unknown> {
  return {
    id: randomUUID(),
    timestamp: now.toISOString(),
    action,
    target: {
      mediaType: image.mediaType,
      size: image.size,
      digest: image.digest,
      length: image.size,
      repository: image.repository,
      tag: image.tag,
    },
    request: { id: randomUUID(), host: image.loginServer, method: 'PUT', useragent: USER_AGENT },
  };
}

export function eventGridEvent(image: PushedImage, schema: EventGridSchema, now: Date): Record<string, unknown> {
  const data = acrEventPayload(image, 'push', now);
  const common = { id: randomUUID(), subject: `${image.repository}:${image.tag}`, data };
  if (schema === 'CloudEventSchemaV1_0') {
    return { ...common, source: image.registryResourceId, type: 'Microsoft.ContainerRegistry.ImagePushed', time: now.toISOString(), specversion: '1.0' };
  }
  return {
    ...common,
    topic: image.registryResourceId,
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: now.toISOString(),
    dataVersion: '1.0',
    metadataVersion: '1',
  };
}

export class PushNotifier {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deliveries: DeliveryRecord[] = [];
  private closed = false;

  constructor(private readonly dispatcher?: Dispatcher) {}

  get log(): readonly DeliveryRecord[] {
    return this.deliveries;
  }

  /** Fires the webhooks and Event Grid deliveries for a push; returns at once (ACR is asynchronous too). */
  notifyPush(image: PushedImage, webhooks: readonly WebhookConfig[], subscriptions: readonly EventGridSubscription[]): void {
    const now = new Date();
    for (const webhook of webhooks) {
      if (!webhook.actions.includes('push') || !scopeMatches(webhook.scope, image.repository, image.tag)) continue;
      this.track(this.sendWebhook(webhook, acrEventPayload(image, 'push', now)));
    }
    for (const subscription of subscriptions) {
      const event = eventGridEvent(image, subscription.schema, now);
      const copies = subscription.duplicate ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) this.track(this.deliverEventGrid(subscription, event));
    }
  }

  /** Resolves when every delivery started so far has finished (including retries). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
  }

  /**
   * Event Grid's subscription validation: EventGridSchema endpoints must echo the validation code
   * (HTTP 200 `{validationResponse}`); CloudEvents endpoints must allow the origin on an OPTIONS request.
   */
  async validate(subscription: EventGridSubscription): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      if (subscription.schema === 'CloudEventSchemaV1_0') {
        const response = await this.send(subscription.endpoint, 'OPTIONS', undefined, {
          ...subscription.headers,
          'webhook-request-origin': 'eventgrid.azure.net',
        }, EVENT_GRID_TIMEOUT_MS);
        const allowed = response.headers['webhook-allowed-origin'];
        const ok = response.status === 200 && (allowed === '*' || allowed === 'eventgrid.azure.net');
        return ok ? { ok } : { ok: false, reason: `OPTIONS answered ${response.status} with WebHook-Allowed-Origin '${allowed ?? ''}'` };
      }
      const validationCode = randomUUID();
      const validationEvent = [
        {
          id: randomUUID(),
          topic: '/subscriptions/00000000-0000-0000-0000-000000000000',
          subject: '',
          data: {
            validationCode,
            validationUrl: `https://rp-eastus.eventgrid.azure.net:553/eventsubscriptions/${subscription.name}/validate?id=${validationCode}`,
          },
          eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
          eventTime: new Date().toISOString(),
          metadataVersion: '1',
          dataVersion: '1',
        },
      ];
      const response = await this.send(subscription.endpoint, 'POST', JSON.stringify(validationEvent), {
        ...subscription.headers,
        'content-type': 'application/json',
        'aeg-event-type': 'SubscriptionValidation',
      }, EVENT_GRID_TIMEOUT_MS);
      if (response.status !== 200) return { ok: false, reason: `validation request answered ${response.status} (200 required)` };
      let echoed: unknown;
      try {
        echoed = (JSON.parse(response.body) as { validationResponse?: unknown }).validationResponse;
      } catch {
        return { ok: false, reason: 'validation response is not JSON' };
      }
      return echoed === validationCode ? { ok: true } : { ok: false, reason: 'validationResponse does not echo the validationCode' };
    } catch (error) {
      return { ok: false, reason: `validation request failed: ${(error as Error).message}` };
    }
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async sendWebhook(webhook: WebhookConfig, payload: Record<string, unknown>): Promise<void> {
    const eventId = String(payload.id);
    try {
      const response = await this.send(webhook.serviceUri, 'POST', JSON.stringify(payload), {
        'content-type': 'application/json',
        ...webhook.customHeaders,
      }, WEBHOOK_TIMEOUT_MS);
      this.record({ kind: 'webhook', target: webhook.serviceUri, eventId, attempt: 1, status: response.status });
    } catch (error) {
      // ACR tries once and never retries.
      this.record({ kind: 'webhook', target: webhook.serviceUri, eventId, attempt: 1, error: (error as Error).message });
    }
  }

  private async deliverEventGrid(subscription: EventGridSubscription, event: Record<string, unknown>): Promise<void> {
    const cloud = subscription.schema === 'CloudEventSchemaV1_0';
    const headers = {
      ...subscription.headers,
      'content-type': cloud ? 'application/cloudevents-batch+json; charset=utf-8' : 'application/json',
      'aeg-event-type': 'Notification',
      'aeg-subscription-name': subscription.name.toUpperCase(),
    };
    const body = JSON.stringify([event]);
    let delayMs = subscription.initialRetryDelayMs;
    for (let attempt = 1; attempt <= subscription.maxAttempts && !this.closed; attempt++) {
      try {
        const response = await this.send(subscription.endpoint, 'POST', body, { ...headers, 'aeg-delivery-count': String(attempt - 1) }, EVENT_GRID_TIMEOUT_MS);
        this.record({ kind: 'eventgrid', target: subscription.endpoint, eventId: String(event.id), attempt, status: response.status });
        if (response.status >= 200 && response.status < 300) return;
      } catch (error) {
        this.record({ kind: 'eventgrid', target: subscription.endpoint, eventId: String(event.id), attempt, error: (error as Error).message });
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= 2;
    }
  }

  private async send(url: string, method: 'POST' | 'OPTIONS', body: string | undefined, headers: Record<string, string>, timeoutMs: number) {
    const response = await request(url, {
      method,
      body,
      headers: { 'user-agent': USER_AGENT, ...headers },
      signal: AbortSignal.timeout(timeoutMs),
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
    });
    const text = await response.body.text();
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') responseHeaders[name] = value;
    }
    return { status: response.statusCode, headers: responseHeaders, body: text };
  }

  private record(entry: Omit<DeliveryRecord, 'time'>): void {
    this.deliveries.push({ ...entry, time: new Date().toISOString() });
    if (this.deliveries.length > 1000) this.deliveries.splice(0, this.deliveries.length - 1000);
  }
}
