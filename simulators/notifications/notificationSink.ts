/**
 * A stand-in for Teams, Slack and generic webhook receivers: records every message POSTed to
 * `/_sim/notifications/<channel>` so the demo and tests can see what people would have been told.
 * `GET /_sim/notifications[?channel=]` lists them, oldest first.
 */
import type { SimModule, SimRequest, SimResponse } from '../module';

export interface ReceivedNotification {
  channel: string;
  at: string;
  body: unknown;
}

export interface NotificationSink extends SimModule {
  readonly received: readonly ReceivedNotification[];
}

const PATH = /^\/_sim\/notifications(?:\/([A-Za-z0-9._-]+))?$/;
const MAX_KEPT = 1000;

export function createNotificationSink(): NotificationSink {
  const received: ReceivedNotification[] = [];
  return {
    name: 'notification-sink',
    received,
    async handle(request: SimRequest): Promise<SimResponse | undefined> {
      const match = PATH.exec(request.url.pathname);
      if (!match) return undefined;
      if (request.method === 'POST' && match[1]) {
        received.push({ channel: match[1], at: new Date().toISOString(), body: request.json ?? request.body.toString('utf8') });
        if (received.length > MAX_KEPT) received.splice(0, received.length - MAX_KEPT);
        return { status: 200, body: { ok: true } };
      }
      if (request.method === 'GET') {
        const channel = match[1] ?? request.url.searchParams.get('channel') ?? undefined;
        return { status: 200, body: { value: channel ? received.filter((n) => n.channel === channel) : received } };
      }
      return { status: 405, body: { error: 'method not allowed' } };
    },
  };
}
