/** A message to people, independent of the channel that carries it. */
export type Severity = 'info' | 'warning' | 'critical';

export interface Notification {
  /** e.g. 'deployment.succeeded', 'health.worse' */
  event: string;
  app: string;
  severity: Severity;
  title: string;
  text: string;
  /** Short label/value pairs shown as a table where the channel can. */
  facts?: Record<string, string>;
  /** Groups messages about one incident (PagerDuty dedup_key). */
  dedupKey?: string;
  /** This message closes the incident named by dedupKey. */
  resolved?: boolean;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** One channel. Implementations throw on failure; the dispatcher isolates them. */
export interface Notifier {
  readonly kind: NotifierKind;
  send(notification: Notification, options?: { abortSignal?: AbortSignal }): Promise<void>;
}

export type NotifierKind = 'teams' | 'slack' | 'webhook' | 'pagerduty' | 'none';
