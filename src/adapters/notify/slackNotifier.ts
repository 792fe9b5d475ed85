import type { Dispatcher } from 'undici';
import type { Notification, Notifier } from './notification';
import { postJson } from './postJson';

const ICON = { info: ':white_check_mark:', warning: ':warning:', critical: ':rotating_light:' } as const;

/** Slack incoming webhook: text fallback plus blocks. */
export class SlackNotifier implements Notifier {
  readonly kind = 'slack' as const;
  constructor(private readonly dispatcher: Dispatcher, private readonly url: string) {}

  send(n: Notification, options?: { abortSignal?: AbortSignal }): Promise<void> {
    const facts = n.facts ? Object.entries(n.facts).map(([k, v]) => `*${k}:* ${v}`).join('\n') : undefined;
    return postJson(
      this.dispatcher,
      this.url,
      {
        text: `${ICON[n.severity]} ${n.title}`,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: `${ICON[n.severity]} *${n.title}*\n${n.text}` } },
          ...(facts ? [{ type: 'section', text: { type: 'mrkdwn', text: facts } }] : []),
        ],
      },
      'slack',
      options,
    );
  }
}
