/**
 * What Harbormaster records for every webhook delivery (and reconcile or manual push),
 * returned as-is by `GET /api/events?app=`. These strings are the API.
 */
import type { PushSource } from './imagePushed';

/**
 * What came of a delivery:
 * - `started`: a deployment started;
 * - `queued`: it waits for the app's running deployment to end;
 * - `duplicate`: its digest is already deployed, running or queued; nothing started;
 * - `superseded`: a newer push for the app won (newest wins);
 * - `stale`: the push happened (by the registry's own clock) before the push of the release now
 *   deployed or running: a late or replayed delivery, never deployed;
 * - `ignored`: well-formed but deploys nothing (a delete, a ping, no app's tag policy matches...);
 * - `rejected`: failed authentication (401) or malformed (400); nothing in it was trusted.
 */
export type DeliveryDecision = 'started' | 'queued' | 'duplicate' | 'superseded' | 'stale' | 'ignored' | 'rejected';

/** The decision for one app matched by the delivery (a push may deploy several apps). */
export interface AppDeliveryDecision {
  readonly app: string;
  readonly decision: DeliveryDecision;
  readonly reason: string;
}

export interface DeliveryRecord {
  /** This record's own id (unique; a redelivery gets a new record). */
  readonly id: string;
  /** The sender's delivery id when it had a trustworthy one; redeliveries repeat it. */
  readonly deliveryId?: string;
  readonly source: PushSource;
  /** ISO 8601, when Harbormaster received it. */
  readonly receivedAt: string;
  readonly registry?: string;
  readonly repository?: string;
  readonly tag?: string;
  readonly digest?: string;
  /** Names of the apps whose image and tag policy the push matched. */
  readonly matched: readonly string[];
  /** The delivery's overall decision (see `summarizeDecision` when several apps matched). */
  readonly decision: DeliveryDecision;
  /** Why, in words; never contains a secret or the request body. */
  readonly reason: string;
  /** Per-app decisions when the push concerned more than one app. */
  readonly apps?: readonly AppDeliveryDecision[];
}

/** Most consequential first: a delivery that started anything "started", and so on. */
const DECISION_PRECEDENCE: readonly DeliveryDecision[] = ['started', 'queued', 'duplicate', 'superseded', 'stale', 'ignored', 'rejected'];

/** One decision for a delivery from its per-app decisions; `ignored` when it concerned no app. */
export function summarizeDecision(decisions: readonly Pick<AppDeliveryDecision, 'decision'>[]): DeliveryDecision {
  for (const decision of DECISION_PRECEDENCE) {
    if (decisions.some((d) => d.decision === decision)) return decision;
  }
  return 'ignored';
}

/**
 * One row of the delivery log (`GET /api/events`): a delivery as it concerned one app (or none),
 * with the decision and why. Stored by src/adapters/storage/deliveryStore.ts, read by the dashboard.
 */
export interface DeliveryLogEntry {
  id: string;
  source: string;
  receivedAt: string;
  app?: string;
  registry?: string;
  repository?: string;
  tag?: string;
  digest?: string;
  decision: DeliveryDecision;
  reason: string;
  deploymentId?: string;
}
