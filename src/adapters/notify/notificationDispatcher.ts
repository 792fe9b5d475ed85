/**
 * Sends one notification to the named channels: resolves each channel's secret, filters
 * by minimum severity, and isolates failures — a failed notification never fails the
 * deployment or sweep that sent it. Returns what happened per channel, for the record.
 */
import type { Dispatcher } from 'undici';
import { createNotifier } from './createNotifier';
import { SEVERITY_RANK, type Notification, type NotifierKind, type Severity } from './notification';

export interface ChannelConfig {
  name: string;
  kind: Exclude<NotifierKind, 'none'>;
  urlSecret: string;
  minSeverity?: Severity;
}

export interface ChannelDelivery {
  channel: string;
  outcome: 'sent' | 'filtered' | 'failed';
  error?: string;
}

export type SecretReader = (name: string) => Promise<string>;

export class NotificationDispatcher {
  constructor(
    private readonly channels: ReadonlyArray<ChannelConfig>,
    private readonly readSecret: SecretReader,
    private readonly dispatcher: Dispatcher,
    private readonly options: { pagerDutyEndpoint?: string; log?: (line: Record<string, unknown>) => void } = {},
  ) {}

  async send(channelNames: readonly string[], notification: Notification): Promise<ChannelDelivery[]> {
    return Promise.all(
      channelNames.map(async (name): Promise<ChannelDelivery> => {
        const channel = this.channels.find((c) => c.name === name);
        if (!channel) return { channel: name, outcome: 'failed', error: 'no such channel in the configuration' };
        if (SEVERITY_RANK[notification.severity] < SEVERITY_RANK[channel.minSeverity ?? 'info'] && !notification.resolved) {
          return { channel: name, outcome: 'filtered' };
        }
        try {
          const secret = await this.readSecret(channel.urlSecret);
          await createNotifier(channel.kind, secret, this.dispatcher, this.options).send(notification);
          return { channel: name, outcome: 'sent' };
        } catch (error) {
          // The message names the channel kind and status only: never the URL (a secret).
          const message = error instanceof Error ? error.message : 'failed';
          this.options.log?.({ msg: 'notification failed', channel: name, kind: channel.kind, error: message });
          return { channel: name, outcome: 'failed', error: message };
        }
      }),
    );
  }
}
