/**
 * The one domain event for every registry push, whatever sent it, and the typed
 * results a webhook parser returns. Parsers are pure: no I/O, no clock.
 */

/** The registries' webhooks Harbormaster accepts. */
export const WEBHOOK_SOURCES = ['acr', 'eventgrid', 'dockerhub', 'ghcr'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

/** Where a push came from. `reconcile` = found by the reconcile timer; `manual` = POST /api/apps/{app}/deploy. */
export type PushSource = WebhookSource | 'reconcile' | 'manual';

/**
 * A push of an image to a registry. A webhook is a hint: the digest is confirmed in the
 * registry before anything changes, and is absent when the sender does not carry one
 * (Docker Hub) so that it must be resolved from the registry.
 */
export interface ImagePushed {
  readonly source: PushSource;
  /** The sender's id of this delivery (ACR `id`, Event Grid event `id`, `X-GitHub-Delivery`, derived for Docker Hub). Redeliveries repeat it. */
  readonly deliveryId: string;
  /** Registry login server, lowercase: `myregistry.azurecr.io`, `docker.io`, `ghcr.io`. */
  readonly registry: string;
  /** Repository path inside the registry, lowercase (`hello-world`, `svendowideit/testhook`). */
  readonly repository: string;
  readonly tag?: string;
  /** `sha256:` + 64 lowercase hex characters. */
  readonly digest?: string;
  readonly mediaType?: string;
  readonly sizeBytes?: number;
  /** When the registry says the push happened, ISO 8601 in UTC (`toISOString` form). */
  readonly pushedAt?: string;
}

/** The body was a well-formed push event. */
export interface PushParsed {
  readonly kind: 'pushed';
  readonly push: ImagePushed;
}

/** A well-formed event that deploys nothing (a delete, a Helm chart, a ping...). Answered 202 with the reason. */
export interface PushIgnored {
  readonly kind: 'ignored';
  readonly reason: string;
}

/**
 * The body is malformed. `field` is a path such as `target.digest` or `[2].data.request.host`;
 * `problem` says what the field must be. Neither ever contains a value from the body.
 */
export interface PushInvalid {
  readonly kind: 'invalid';
  readonly field: string;
  readonly problem: string;
}

export type PushParseResult = PushParsed | PushIgnored | PushInvalid;
