/**
 * No configured secret reaches a log line: a whole run on the local stack (webhooks authenticated by
 * `?secret=` and `?code=` in the URL, by headers, wrong secrets, a deployment end to end, the API
 * called with `?code=`) with every devhost line, simulator line and console line captured, then
 * searched for every secret value the stack configured.
 */
import type { LocalStack } from '../../devhost/localStack/localStack';
import { LOCAL_KEYS } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, acrPushBody, eventually, postWebhook, startScenarioStack, waitForDeploymentOf } from './scenarioKit';

jest.setTimeout(240_000);

const lines: string[] = [];
const original = { log: console.log, error: console.error, warn: console.warn, info: console.info };

describe('secrets stay out of logs', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    for (const name of ['log', 'error', 'warn', 'info'] as const) {
      console[name] = (...args: unknown[]) => void lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    }
    stack = await startScenarioStack('scenarios.apps.json', {
      settings: { ...QUIET_TIMERS },
      withPostgres: false,
      log: (line) => void lines.push(JSON.stringify(line)),
      simulatorLog: (line) => void lines.push(line),
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    Object.assign(console, original);
  });

  it('a run with secrets in URLs and headers logs none of them', async () => {
    const base = stack.devhost.baseUrl;
    const dockerHub = JSON.stringify({ push_data: { pushed_at: Math.floor(Date.now() / 1000), tag: '1.0.0' }, repository: { repo_name: 'octo/nobody', namespace: 'octo', name: 'nobody' } });
    const calls: Array<[string, RequestInit]> = [
      [`${base}/api/webhooks/dockerhub?secret=${LOCAL_KEYS.dockerHubWebhookSecret}`, { method: 'POST', body: dockerHub }],
      [`${base}/api/webhooks/dockerhub?code=${LOCAL_KEYS.dockerHubWebhookSecret}`, { method: 'POST', body: '{"not":"a push"' }],
      [`${base}/api/webhooks/eventgrid?secret=${LOCAL_KEYS.eventGridWebhookSecret}`, { method: 'POST', body: '[]' }],
      [`${base}/api/status?code=${LOCAL_KEYS.functionKey}`, { method: 'GET' }],
      [`${base}/api/apps/no-such-app?code=${LOCAL_KEYS.functionKey}`, { method: 'GET' }],
      [`${base}/api/deployments?code=${LOCAL_KEYS.functionKey}&status=not-a-status`, { method: 'GET' }],
      [`${base}/admin/functions?code=${LOCAL_KEYS.masterKey}`, { method: 'GET' }],
    ];
    for (const [url, init] of calls) {
      const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(15_000) });
      await response.text();
    }
    // A deployment end to end, started by the ACR webhook (secret in a header).
    const { digest } = stack.push('phoenix', '1.7.7');
    await postWebhook(stack, 'acr', acrPushBody('scenarios.azurecr.io', 'phoenix', '1.7.7', digest), { authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}` });
    await waitForDeploymentOf(stack, 'phoenix', digest);
    await eventually('the events', async () => ((await stack.api('GET', '/events?app=phoenix')).body.events as unknown[]).length > 0 || undefined);

    expect(lines.length).toBeGreaterThan(10);
    const everything = lines.join('\n');
    for (const [name, value] of Object.entries(LOCAL_KEYS)) {
      expect({ name, found: everything.includes(value) }).toEqual({ name, found: false });
    }
  });
});
