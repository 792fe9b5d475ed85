/**
 * Replay protection for webhook deliveries, as pure rules (time passed in).
 *
 * Senders redeliver: Event Grid retries for up to 24 hours and delivers at least once; GitHub and
 * people redeliver by hand. Within that horizon a delivery id seen before is a duplicate (the store
 * remembers ids for the horizon). Past it the id may be forgotten, so a *signed* delivery (GitHub's
 * HMAC over the body: a captured payload and its signature stay valid forever) whose own event time
 * is older than the horizon is refused outright. Shared-secret sources (ACR, Event Grid, Docker Hub)
 * are not replayable without the secret, with which anything can be forged anyway.
 */
import type { ImagePushed, PushSource } from './imagePushed';

/** How long a delivery id is remembered, and how old a signed delivery may be. */
export const DELIVERY_REPLAY_HORIZON_MS = 24 * 60 * 60_000;

/** Sources that deliver over webhooks (reconcile and manual requests are ours, not deliveries). */
export const WEBHOOK_SOURCES: ReadonlySet<PushSource> = new Set(['acr', 'eventgrid', 'dockerhub', 'ghcr']);

/** Sources whose deliveries are signed over the body rather than authenticated by a secret. */
export const SIGNED_SOURCES: ReadonlySet<PushSource> = new Set(['ghcr']);

export type ReplayVerdict = { readonly kind: 'check-id' } | { readonly kind: 'not-a-delivery' } | { readonly kind: 'too-old'; readonly reason: string };

/** What to do with a push before it may deploy: check its delivery id, skip (not a webhook), or refuse it. */
export function judgeReplay(push: ImagePushed, now: Date, horizonMs = DELIVERY_REPLAY_HORIZON_MS): ReplayVerdict {
  if (!WEBHOOK_SOURCES.has(push.source)) return { kind: 'not-a-delivery' };
  if (SIGNED_SOURCES.has(push.source) && push.pushedAt !== undefined) {
    const ageMs = now.getTime() - Date.parse(push.pushedAt);
    if (ageMs > horizonMs) {
      return { kind: 'too-old', reason: `stale: a signed delivery of an event from ${push.pushedAt}, older than the ${Math.round(horizonMs / 3_600_000)} h replay horizon` };
    }
  }
  return { kind: 'check-id' };
}

/** Whether a delivery id first seen at `firstSeenAt` is still remembered at `now`. */
export function isWithinReplayHorizon(firstSeenAt: string, now: Date, horizonMs = DELIVERY_REPLAY_HORIZON_MS): boolean {
  return now.getTime() - Date.parse(firstSeenAt) <= horizonMs;
}
