/**
 * Webhook ingestion over HTTP, as the registries send it: each source's secret, the size cap,
 * malformed bodies, pushes nobody follows, the Event Grid handshake, GitHub's HMAC, and the
 * decisions recorded for `GET /api/events`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { LocalStack } from '../../devhost/localStack/localStack';
import { LOCAL_KEYS } from '../../devhost/localStack/localStack';
import { QUIET_TIMERS, acrPushBody, eventually, postWebhook, startScenarioStack } from './scenarioKit';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('webhook ingestion over HTTP', () => {
  let stack: LocalStack;
  const acrAuth = { authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}` };

  beforeAll(async () => {
    stack = await startScenarioStack('scenarios.apps.json', { settings: { ...QUIET_TIMERS }, withPostgres: false });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 401 with no detail without the secret or with a wrong one', async () => {
    const body = acrPushBody('scenarios.azurecr.io', 'phoenix', '9.9.9', DIGEST);
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer not-the-secret' }, { authorization: `Bearer ${LOCAL_KEYS.acrWebhookSecret}x` }]) {
      const answer = await postWebhook(stack, 'acr', body, headers);
      expect(answer.status).toBe(401);
      expect(answer.body ?? '').toBe('');
    }
    expect((await postWebhook(stack, 'eventgrid', '[]', { 'aeg-sas-key': 'wrong' })).status).toBe(401);
    expect((await postWebhook(stack, 'dockerhub', '{}')).status).toBe(401);
  });

  it('answers 413 to a body over the cap', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(300 * 1024) });
    const answer = await postWebhook(stack, 'acr', huge, acrAuth);
    expect(answer.status).toBe(413);
  });

  it('answers 400 naming the field of a malformed body', async () => {
    const notJson = await postWebhook(stack, 'acr', '{"action": "push",', acrAuth);
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ field: '(body)' });

    const badDigest = JSON.parse(acrPushBody('scenarios.azurecr.io', 'phoenix', '1.5.0', DIGEST)) as any;
    badDigest.target.digest = 'sha256:not-hex';
    const answer = await postWebhook(stack, 'acr', JSON.stringify(badDigest), acrAuth);
    expect(answer.status).toBe(400);
    expect(answer.body.field).toMatch(/target\.digest/);
    expect(answer.body.detail).toMatch(/target\.digest/);
  });

  it('answers 202 with the reason for a push that matches no app, and records it', async () => {
    const other = await postWebhook(stack, 'acr', acrPushBody('scenarios.azurecr.io', 'somebody-else', '1.0.0', DIGEST), acrAuth);
    expect(other.status).toBe(202);
    expect(other.body).toMatchObject({ decision: 'ignored' });
    expect(other.body.reason).toMatch(/no app follows scenarios\.azurecr\.io\/somebody-else/);

    // The app's repository, a tag its policy (^1.0.0) does not take.
    const outOfRange = await postWebhook(stack, 'acr', acrPushBody('scenarios.azurecr.io', 'phoenix', '2.0.0', DIGEST), acrAuth);
    expect(outOfRange.status).toBe(202);
    expect(outOfRange.body.apps).toEqual([expect.objectContaining({ app: 'phoenix', decision: 'ignored' })]);
    expect(outOfRange.body.apps[0].reason).toMatch(/2\.0\.0|\^1\.0\.0|range/);

    const { body } = await stack.api('GET', '/events?app=phoenix');
    expect((body.events as any[]).some((e) => e.tag === '2.0.0' && e.decision === 'ignored' && e.source === 'acr')).toBe(true);
  });

  it('acknowledges an ACR ping with a reason', async () => {
    const ping = JSON.parse(acrPushBody('scenarios.azurecr.io', 'phoenix', '1.0.0', DIGEST)) as any;
    ping.action = 'ping';
    const answer = await postWebhook(stack, 'acr', JSON.stringify(ping), acrAuth);
    expect(answer.status).toBe(202);
    expect(answer.body.decision).toBe('ignored');
  });

  it('answers the Event Grid validation handshake with 200 and the code', async () => {
    const code = randomUUID();
    const validation = [
      {
        id: randomUUID(),
        topic: '/subscriptions/11111111-2222-4333-8444-555555555555',
        subject: '',
        data: { validationCode: code, validationUrl: 'https://rp-eastus2.eventgrid.azure.net/validate?id=x' },
        eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
        eventTime: new Date().toISOString(),
        metadataVersion: '1',
        dataVersion: '1',
      },
    ];
    const answer = await postWebhook(stack, 'eventgrid', JSON.stringify(validation), {
      'aeg-sas-key': LOCAL_KEYS.eventGridWebhookSecret,
      'aeg-event-type': 'SubscriptionValidation',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ validationResponse: code });
  });

  it('verifies GitHub\'s HMAC signature over the raw body', async () => {
    const payload = JSON.stringify({
      action: 'published',
      registry_package: {
        name: 'web',
        ecosystem: 'CONTAINER',
        package_type: 'CONTAINER',
        owner: { login: 'octo-org' },
        package_version: { version: DIGEST, container_metadata: { tag: { name: '1.0.0', digest: DIGEST } } },
      },
    });
    const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
    const headers = { 'x-github-event': 'registry_package', 'x-github-delivery': randomUUID() };

    const forged = await postWebhook(stack, 'ghcr', payload, { ...headers, 'x-hub-signature-256': sign('not-the-secret') });
    expect(forged.status).toBe(401);
    const unsigned = await postWebhook(stack, 'ghcr', payload, headers);
    expect(unsigned.status).toBe(401);
    const signed = await postWebhook(stack, 'ghcr', payload, { ...headers, 'x-hub-signature-256': sign(LOCAL_KEYS.ghcrWebhookSecret) });
    expect(signed.status).toBe(202);
    // Authentic, but nobody here follows ghcr.io/octo-org/web.
    expect(signed.body).toMatchObject({ decision: 'ignored' });
    expect(signed.body.reason).toMatch(/ghcr\.io\/octo-org\/web/);
  });

  it('shows every decision for an app at GET /api/events', async () => {
    const { digest } = stack.push('phoenix', '1.3.0');
    await postWebhook(stack, 'acr', acrPushBody('scenarios.azurecr.io', 'phoenix', '1.3.0', digest), acrAuth);
    const events = await eventually('both deliveries of 1.3.0', async () => {
      const { body } = await stack.api('GET', '/events?app=phoenix');
      const mine = (body.events as any[]).filter((e) => e.digest === digest);
      return mine.length >= 2 ? mine : undefined;
    });
    expect(events.map((e) => e.decision).sort()).toEqual(['duplicate', 'started']);
    const started = events.find((e) => e.decision === 'started');
    expect(started).toMatchObject({ app: 'phoenix', source: 'acr', tag: '1.3.0', repository: 'phoenix' });
    expect(started.deploymentId).toMatch(/^phoenix-/);
  });
});
