import type { Dispatcher } from 'undici';
import type { Notification, Notifier } from './notification';
import { postJson } from './postJson';

/** A generic webhook: the notification as JSON, as it is. */
export class WebhookNotifier implements Notifier {
  readonly kind = 'webhook' as const;
  constructor(private readonly dispatcher: Dispatcher, private readonly url: string) {}

  send(n: Notification, options?: { abortSignal?: AbortSignal }): Promise<void> {
    return postJson(this.dispatcher, this.url, { source: 'harbormaster', ...n }, 'webhook', options);
  }
}
