import type { Dispatcher } from 'undici';
import type { Notifier, NotifierKind } from './notification';
import { PagerDutyNotifier } from './pagerDutyNotifier';
import { SlackNotifier } from './slackNotifier';
import { TeamsNotifier } from './teamsNotifier';
import { WebhookNotifier } from './webhookNotifier';

/** Sends nothing: for channels switched off, and as the default in tests of other parts. */
export class NullNotifier implements Notifier {
  readonly kind = 'none' as const;
  async send(): Promise<void> {}
}

/** Builds a notifier by kind. An unknown kind is a configuration error, never a silent no-op. */
export function createNotifier(kind: NotifierKind, secret: string, dispatcher: Dispatcher, options: { pagerDutyEndpoint?: string } = {}): Notifier {
  switch (kind) {
    case 'teams':
      return new TeamsNotifier(dispatcher, secret);
    case 'slack':
      return new SlackNotifier(dispatcher, secret);
    case 'webhook':
      return new WebhookNotifier(dispatcher, secret);
    case 'pagerduty':
      return new PagerDutyNotifier(dispatcher, secret, options.pagerDutyEndpoint);
    case 'none':
      return new NullNotifier();
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown notification channel kind "${String(unknown)}"`);
    }
  }
}
