/**
 * The HTTP hook activity against a receiver of the test's own: the event POSTed as JSON, signed
 * with HMAC-SHA256 under the named secret, the same delivery id on every try; a 503 with
 * Retry-After tried again after exactly that wait, a receiver that keeps failing or never answers
 * failing after its tries in bounded time, with reasons that name the host and the status, never
 * the URL's query, the body or the secret. What the rollout does with the outcome is a replay test
 * (test/orchestrators/deploymentHooks); the whole path runs in test/scenarios/hookPaths.
 */
import { createHmac } from 'node:crypto';
import { createHookActivities } from '../../src/activities/hooks/createHookActivities';
import { createHttpAgent } from '../../src/adapters/http/httpAgent';
import type { HookEvent, HttpHookSpec } from '../../src/domain/hooks';
import { UNUSED_PORTS } from '../analysis/unusedPorts';
import { startHookReceiver, type Delivery, type HookReceiver } from '../support/hookReceiver';
import { startSilentServer, type SilentServer } from '../support/silentServer';

jest.setTimeout(30_000);

const SIGNING_KEY = 'hook-signing-key-for-tests';

let receiver: HookReceiver;
let host: string;
let silent: SilentServer;

const { callHook } = createHookActivities({
  jobs: UNUSED_PORTS.jobs,
  http: createHttpAgent(),
  readSecret: (name) => (name === 'hook-signing-key' ? Promise.resolve(SIGNING_KEY) : Promise.reject(new Error(`no secret ${name}`))),
  now: () => new Date(),
});

function hook(path: string, fields: Partial<HttpHookSpec> = {}): HttpHookSpec {
  return { kind: 'http', name: 'gate', phase: 'pre-traffic', url: `http://${host}${path}`, timeoutSeconds: 2, retries: 2, ...fields };
}

const EVENT: HookEvent = {
  app: 'gate-app',
  deploymentId: 'gate-app-20260101T000000Z-abc',
  phase: 'pre-traffic',
  hook: 'gate',
  release: { tag: 'main-2', digest: 'sha256:2222', image: 'hooks.azurecr.io/hk/gate-app@sha256:2222' },
  revision: 'gate-app--0000002',
  revisionFqdn: 'gate-app--0000002.env.hooks.test',
  previousRevision: 'gate-app--0000001',
};

const to = (path: string): Delivery[] => receiver.to(path);

beforeAll(async () => {
  // Its answers carry a body, so a reason that quoted it would show.
  receiver = await startHookReceiver({ answerBody: 'secret-token-in-body' });
  host = receiver.host;
  silent = await startSilentServer();
});

afterAll(async () => {
  await receiver?.close();
  await silent?.close();
});

describe('HTTP hooks: a signed POST of the event, tried within the hook\'s own budget', () => {
  it('POSTs the event as JSON with the event and delivery headers, signed with HMAC-SHA256 of the exact body under the named secret', async () => {
    expect(await callHook({ hook: hook('/promoted?target={{revisionFqdn}}', { secretName: 'hook-signing-key' }), event: EVENT })).toEqual({ ok: true, detail: `POST ${host} answered 200` });
    const [told] = to('/promoted');
    expect(JSON.parse(told.raw)).toEqual(EVENT);
    expect(told.headers).toMatchObject({ 'content-type': 'application/json', 'x-harbormaster-event': 'pre-traffic', 'x-harbormaster-delivery': `${EVENT.deploymentId}:pre-traffic:gate` });
    expect(told.headers['x-harbormaster-signature-256']).toBe(`sha256=${createHmac('sha256', SIGNING_KEY).update(told.raw).digest('hex')}`);
  });

  it('names no secret: sends no signature', async () => {
    expect(await callHook({ hook: hook('/unsigned'), event: EVENT })).toMatchObject({ ok: true });
    expect(to('/unsigned')[0].headers['x-harbormaster-signature-256']).toBeUndefined();
  });

  it('a signing secret Key Vault cannot give is a failure before any call, naming the secret only', async () => {
    expect(await callHook({ hook: hook('/never', { secretName: 'missing-key' }), event: EVENT })).toEqual({ ok: false, reason: 'the signing secret "missing-key" could not be read from Key Vault' });
    expect(to('/never')).toEqual([]);
  });

  it('a 503 with Retry-After is tried again after that wait, with the same delivery id', async () => {
    receiver.answers.set('/busy', [{ status: 503, headers: { 'retry-after': '1' } }, { status: 204 }]);
    expect(await callHook({ hook: hook('/busy'), event: EVENT })).toEqual({ ok: true, detail: `POST ${host} answered 204 (try 2 of 3)` });
    const tries = to('/busy');
    expect(tries).toHaveLength(2);
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
    expect(tries[1].headers['x-harbormaster-delivery']).toBe(tries[0].headers['x-harbormaster-delivery']);
  });

  it('asked to wait longer than a hook may, ends the call at once', async () => {
    receiver.answers.set('/later', [{ status: 503, headers: { 'retry-after': '120' } }]);
    expect(await callHook({ hook: hook('/later'), event: EVENT })).toEqual({ ok: false, reason: `POST ${host} answered 503 and asked to wait 120 s, longer than a hook may wait (1 of 3 tries)` });
    expect(to('/later')).toHaveLength(1);
  });

  it('one that keeps failing fails after its tries, naming the host and the status, never the query or the body', async () => {
    receiver.answers.set('/broken', [{ status: 500 }]);
    const outcome = await callHook({ hook: hook('/broken?token=secret-in-query'), event: EVENT });
    expect(outcome).toEqual({ ok: false, reason: `POST ${host} answered 500 (3 of 3 tries)` });
    expect(to('/broken')).toHaveLength(3);
    expect(JSON.stringify(outcome)).not.toMatch(/secret/);
  });

  it('a status no retry can fix (a 4xx) fails on the first try', async () => {
    receiver.answers.set('/refused', [{ status: 403 }]);
    expect(await callHook({ hook: hook('/refused'), event: EVENT })).toEqual({ ok: false, reason: `POST ${host} answered 403 (1 of 3 tries)` });
    expect(to('/refused')).toHaveLength(1);
  });

  it('a receiver that never answers: each try times out at timeoutSeconds and the call fails after its tries, in bounded time', async () => {
    const started = Date.now();
    const outcome = await callHook({ hook: { ...hook('/gate'), url: `${silent.base}/gate`, timeoutSeconds: 1, retries: 1 }, event: EVENT });
    expect(outcome).toEqual({ ok: false, reason: `POST ${new URL(silent.base).host} no answer within 1 s (2 of 2 tries)` });
    expect(silent.paths.filter((p) => p === '/gate')).toHaveLength(2);
    // Two tries of 1 s and one back-off, not any longer deadline.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
