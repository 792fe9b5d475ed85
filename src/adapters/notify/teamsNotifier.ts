import type { Dispatcher } from 'undici';
import type { Notification, Notifier } from './notification';
import { postJson } from './postJson';

/** Microsoft Teams incoming webhook / Workflows URL: an Adaptive Card in a message. */
export class TeamsNotifier implements Notifier {
  readonly kind = 'teams' as const;
  constructor(private readonly dispatcher: Dispatcher, private readonly url: string) {}

  send(n: Notification, options?: { abortSignal?: AbortSignal }): Promise<void> {
    const card = {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      body: [
        { type: 'TextBlock', size: 'Medium', weight: 'Bolder', text: n.title, color: n.severity === 'critical' ? 'Attention' : n.severity === 'warning' ? 'Warning' : 'Good' },
        { type: 'TextBlock', text: n.text, wrap: true },
        ...(n.facts ? [{ type: 'FactSet', facts: Object.entries(n.facts).map(([title, value]) => ({ title, value })) }] : []),
      ],
    };
    return postJson(this.dispatcher, this.url, { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] }, 'teams', options);
  }
}
