/**
 * Event Grid deliveries of Azure Container Registry events, in both delivery schemas:
 * - Event Grid schema: an array of `{ id, eventType, eventTime, data, ... }`;
 * - CloudEvents 1.0: one `{ specversion: '1.0', id, type, time, data }` or an array of them.
 * Each event in a batch gets its own result, in order.
 *
 * The subscription validation handshake (Event Grid schema only) comes back as
 * `{ kind: 'validation' }`: the endpoint answers 200 `{ "validationResponse": validationCode }`.
 * CloudEvents subscriptions validate with an HTTP OPTIONS request instead, handled by the
 * HTTP layer, not here.
 */
import { omitUndefined, readAcrPushFields } from './acrPushFields';
import { headerValue, type HeaderSource } from './headerLookup';
import type { PushIgnored, PushInvalid, PushParsed } from './imagePushed';
import {
  asJsonObject,
  BODY_FIELD,
  catchInvalidField,
  checkString,
  childField,
  DELIVERY_ID_RULE,
  InvalidFieldError,
  type JsonObject,
  KEYWORD_RULE,
  readOptionalString,
  readOptionalTimestamp,
  readRequiredObject,
  readRequiredString,
} from './untrustedFields';

/** Event Grid caps a batch at 5,000 events (and 1 MB); more is not a real delivery. */
export const MAX_EVENTS_PER_DELIVERY = 5000;

export const SUBSCRIPTION_VALIDATION_EVENT_TYPE = 'Microsoft.EventGrid.SubscriptionValidationEvent';

/** Answer to a validation event: reply 200 `{ validationResponse: validationCode }`, or GET `validationUrl` within 5 minutes. */
export interface EventGridValidation {
  readonly kind: 'validation';
  readonly validationCode: string;
  readonly validationUrl?: string;
}

export type EventGridEventResult = PushParsed | PushIgnored | PushInvalid | EventGridValidation;

/** The envelope itself is broken (not JSON objects, empty, too big), or one result per event. */
export type EventGridDeliveryResult = PushInvalid | { readonly kind: 'batch'; readonly results: readonly EventGridEventResult[] };

type EventAction = { readonly handle: 'push' } | { readonly handle: 'ignore'; readonly reason: string };

/**
 * Full type names, plus the short `ImagePushed` / `ImageDeleted` printed by the 2018
 * event-schema doc (a known doc error, see test/fixtures/samples/SOURCES.md): the short push form is
 * accepted so a test payload copied from that page works.
 */
const ACR_EVENT_ACTIONS: Readonly<Record<string, EventAction>> = {
  'Microsoft.ContainerRegistry.ImagePushed': { handle: 'push' },
  ImagePushed: { handle: 'push' },
  'Microsoft.ContainerRegistry.ImageDeleted': { handle: 'ignore', reason: 'Event Grid ImageDeleted: an image was deleted, nothing to deploy' },
  ImageDeleted: { handle: 'ignore', reason: 'Event Grid ImageDeleted: an image was deleted, nothing to deploy' },
  'Microsoft.ContainerRegistry.ChartPushed': { handle: 'ignore', reason: 'Event Grid ChartPushed: a Helm chart, not a container image' },
  'Microsoft.ContainerRegistry.ChartDeleted': { handle: 'ignore', reason: 'Event Grid ChartDeleted: a Helm chart was deleted' },
};

/**
 * `headers` matter for one thing: Event Grid marks a validation request with
 * `aeg-event-type: SubscriptionValidation` and a normal one with `Notification`. When the
 * header is present the body must agree with it, so a validation code is never echoed for
 * a delivery that claims to be a notification. Without the header (a test tool), the body decides.
 */
export function parseEventGridDelivery(body: unknown, headers?: HeaderSource): EventGridDeliveryResult {
  if (!Array.isArray(body) && (typeof body !== 'object' || body === null)) {
    return { kind: 'invalid', field: BODY_FIELD, problem: 'must be a JSON array of events or a single CloudEvent object' };
  }
  const events: readonly unknown[] = Array.isArray(body) ? body : [body];
  if (events.length === 0) return { kind: 'invalid', field: BODY_FIELD, problem: 'must contain at least one event' };
  if (events.length > MAX_EVENTS_PER_DELIVERY) {
    return { kind: 'invalid', field: BODY_FIELD, problem: `must contain at most ${MAX_EVENTS_PER_DELIVERY} events` };
  }
  const deliveryKind = headerValue(headers, 'aeg-event-type');
  const results = events.map((event, index) =>
    catchInvalidField(() => parseOneEvent(event, Array.isArray(body) ? `[${index}]` : '', deliveryKind)),
  );
  if (deliveryKind === 'SubscriptionValidation' && !results.some((result) => result.kind === 'validation')) {
    return { kind: 'invalid', field: 'aeg-event-type', problem: 'says SubscriptionValidation but the body has no validation event' };
  }
  return { kind: 'batch', results };
}

function parseOneEvent(value: unknown, field: string, deliveryKind: string | undefined): EventGridEventResult {
  const event = asJsonObject(value, field === '' ? BODY_FIELD : field);
  // CloudEvents carry `specversion`; the Event Grid schema never does.
  const isCloudEvent = event.specversion !== undefined;
  if (isCloudEvent) checkString(event.specversion, childField(field, 'specversion'), { maxLength: 8, pattern: /^1\.0$/, expected: '"1.0"' });
  const typeKey = isCloudEvent ? 'type' : 'eventType';
  const eventType = readRequiredString(event, typeKey, field, KEYWORD_RULE);

  if (eventType === SUBSCRIPTION_VALIDATION_EVENT_TYPE) {
    if (deliveryKind !== undefined && deliveryKind !== 'SubscriptionValidation') {
      throw new InvalidFieldError(childField(field, typeKey), 'is a subscription validation event in a delivery whose aeg-event-type is not SubscriptionValidation');
    }
    return readValidation(event, field);
  }
  const action = Object.prototype.hasOwnProperty.call(ACR_EVENT_ACTIONS, eventType) ? ACR_EVENT_ACTIONS[eventType] : undefined;
  if (action === undefined) return { kind: 'ignored', reason: 'Event Grid event type is not a container registry push' };
  if (action.handle === 'ignore') return { kind: 'ignored', reason: action.reason };

  const deliveryId = readRequiredString(event, 'id', field, DELIVERY_ID_RULE);
  const data = readRequiredObject(event, 'data', field);
  const fields = readAcrPushFields(data, childField(field, 'data'));
  // The registry's own timestamp is when the push happened; the envelope time is a fallback.
  const pushedAt = fields.pushedAt ?? readOptionalTimestamp(event, isCloudEvent ? 'time' : 'eventTime', field);
  return { kind: 'pushed', push: omitUndefined({ source: 'eventgrid', deliveryId, ...fields, pushedAt }) };
}

function readValidation(event: JsonObject, field: string): EventGridValidation {
  const data = readRequiredObject(event, 'data', field);
  const dataField = childField(field, 'data');
  const validationCode = readRequiredString(data, 'validationCode', dataField, {
    maxLength: 200,
    pattern: /^[A-Za-z0-9-]+$/,
    expected: 'a validation code of letters, digits and -',
  });
  const validationUrl = readOptionalString(data, 'validationUrl', dataField, {
    maxLength: 2048,
    pattern: /^https:\/\/[^\s]+$/,
    expected: 'an https URL',
  });
  return validationUrl === undefined ? { kind: 'validation', validationCode } : { kind: 'validation', validationCode, validationUrl };
}
