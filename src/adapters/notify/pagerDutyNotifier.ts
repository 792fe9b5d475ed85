import type { Dispatcher } from 'undici';
import type { Notification, Notifier } from './notification';
import { postJson } from './postJson';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

/**
 * PagerDuty Events API v2: trigger, or resolve with the same dedup_key. The secret is the
 * integration's routing key; the endpoint is fixed (overridable only for the local stack).
 */
export class PagerDutyNotifier implements Notifier {
  readonly kind = 'pagerduty' as const;
  constructor(private readonly dispatcher: Dispatcher, private readonly routingKey: string, private readonly endpoint = PAGERDUTY_EVENTS_URL) {}

  send(n: Notification, options?: { abortSignal?: AbortSignal }): Promise<void> {
    const dedupKey = n.dedupKey ?? `harbormaster:${n.app}:${n.event}`;
    const body = n.resolved
      ? { routing_key: this.routingKey, event_action: 'resolve', dedup_key: dedupKey }
      : {
          routing_key: this.routingKey,
          event_action: 'trigger',
          dedup_key: dedupKey,
          payload: { summary: `${n.title}: ${n.text}`.slice(0, 1024), source: `harbormaster/${n.app}`, severity: n.severity === 'critical' ? 'critical' : n.severity === 'warning' ? 'warning' : 'info', custom_details: n.facts },
        };
    return postJson(this.dispatcher, this.endpoint, body, 'pagerduty', options);
  }
}
