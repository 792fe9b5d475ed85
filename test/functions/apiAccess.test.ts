// Who may call which route, for every HTTP route the app registers: the list comes from the
// registrations themselves (the app loaded through the @azure/functions-core seam), so a route
// added later is covered without touching this file. Nobody gets 401 on every non-public route;
// a reader (signed in, or a read key) gets 403 on every action; public routes are exactly the
// ones named here, so making a route public is a decision someone writes down.
import fs from 'node:fs';
import path from 'node:path';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { loadApp, type RegisteredFunction } from '../../devhost/functionsCore';
import { encodeClientPrincipal } from '../../src/domain/access';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const ENTRY = path.join(REPO_ROOT, 'dist', 'src', 'index.js');
const localValues = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'local.settings.example.json'), 'utf8')) as { Values: Record<string, string> }).Values;
const READ_KEY = 'local-dev-read-key';
const OPERATE_KEY = 'local-dev-function-key';

/** Reachable without any credential: health, the registries' webhooks (each checks its own secret), opted-in badges. */
// The dashboard's files hold no data: the page reads the API, which checks the caller.
const PUBLIC_ROUTES = new Set(['healthz', 'acrWebhook', 'eventGridWebhook', 'dockerHubWebhook', 'ghcrWebhook', 'getStatusBadge', 'dashboard']);

interface Route {
  fn: RegisteredFunction;
  method: string;
  url: string;
}

let routes: Route[] = [];
const saved = { ...process.env };

beforeAll(() => {
  // Behind sign-in, as in Azure with App Service authentication (devhost's stand-in sets the same).
  Object.assign(process.env, localValues, { WEBSITE_AUTH_ENABLED: 'True' });
  const registered: RegisteredFunction[] = [];
  loadApp(ENTRY, { registerFunction: (fn) => registered.push(fn), registerHook: () => undefined });
  routes = registered
    .filter((fn) => fn.trigger.type === 'httpTrigger')
    .flatMap((fn) => (fn.trigger.methods as string[]).map((method) => ({ fn, method, url: `http://localhost:7071/api/${fillRoute(String(fn.trigger.route))}` })));
});
afterAll(() => {
  process.env = saved;
});

/** `apps/{app}/deploy` → `apps/sound-forge/deploy`: a configured name, so a 404 cannot stand in for a refusal. */
function fillRoute(route: string): string {
  return route.replace(/\{app\}/g, 'sound-forge').replace(/\{database\}/g, 'sound-forge-db').replace(/\{(\w+)\}/g, 'some-$1');
}

async function call(route: Route, headers: Record<string, string>): Promise<HttpResponseInit> {
  const request = new HttpRequest({ method: route.method, url: route.url, headers: { 'content-type': 'application/json', ...headers }, body: { string: '{}' } });
  return (await route.fn.callback(request, new InvocationContext({ functionName: route.fn.name }))) as HttpResponseInit;
}

const reader = { 'x-ms-client-principal': encodeClientPrincipal({ name: 'rita@contoso.com', roles: ['Harbormaster.Reader'] }) };
const isAction = (route: Route) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
const guardedRoutes = () => routes.filter((r) => !PUBLIC_ROUTES.has(r.fn.name));

describe('access to every registered HTTP route', () => {
  it('finds the routes: reads and actions, public and not', () => {
    expect(guardedRoutes().filter(isAction).map((r) => r.fn.name)).toEqual(
      expect.arrayContaining(['deployApp', 'rollbackApp', 'resumeApp', 'approveDeployment', 'rejectDeployment', 'startBackup', 'addSilence', 'clearSilences']),
    );
    expect(guardedRoutes().filter((r) => !isAction(r)).map((r) => r.fn.name)).toEqual(expect.arrayContaining(['getStatus', 'getMe', 'getMetrics', 'listReleases']));
    expect(routes.filter((r) => PUBLIC_ROUTES.has(r.fn.name)).map((r) => r.fn.name).sort()).toEqual([...PUBLIC_ROUTES, 'eventGridWebhook'].sort());
  });

  it('registers every non-public route anonymous at the host, so the app decides (a function key cannot tell reader from operator)', () => {
    for (const route of guardedRoutes()) expect({ name: route.fn.name, authLevel: route.fn.trigger.authLevel }).toEqual({ name: route.fn.name, authLevel: 'anonymous' });
  });

  it('answers 401 to a request with neither key nor principal, on every non-public route', async () => {
    for (const route of guardedRoutes()) {
      const response = await call(route, {});
      expect({ route: `${route.method} ${route.fn.name}`, status: response.status }).toEqual({ route: `${route.method} ${route.fn.name}`, status: 401 });
    }
  });

  it('answers 401 to a wrong key, on every non-public route', async () => {
    for (const route of guardedRoutes()) {
      const response = await call(route, { 'x-functions-key': 'not-a-key' });
      expect({ route: `${route.method} ${route.fn.name}`, status: response.status }).toEqual({ route: `${route.method} ${route.fn.name}`, status: 401 });
    }
  });

  it('answers 403 to a signed-in reader on every action', async () => {
    for (const route of guardedRoutes().filter(isAction)) {
      const response = await call(route, reader);
      expect({ route: `${route.method} ${route.fn.name}`, status: response.status }).toEqual({ route: `${route.method} ${route.fn.name}`, status: 403 });
      expect(response.jsonBody).toMatchObject({ title: 'Forbidden', detail: expect.stringContaining('rita@contoso.com may not act here') });
    }
  });

  it('answers 403 to a read key on every action', async () => {
    for (const route of guardedRoutes().filter(isAction)) {
      const response = await call(route, { 'x-functions-key': READ_KEY });
      expect({ route: `${route.method} ${route.fn.name}`, status: response.status }).toEqual({ route: `${route.method} ${route.fn.name}`, status: 403 });
    }
  });

  it('answers 403 to a signed-in user without a Harbormaster role, on reads too', async () => {
    const nobody = { 'x-ms-client-principal': encodeClientPrincipal({ name: 'guest@contoso.com', roles: ['Contoso.Admin'] }) };
    for (const route of guardedRoutes().filter((r) => r.fn.name !== 'getMe')) {
      expect({ route: `${route.method} ${route.fn.name}`, status: (await call(route, nobody)).status }).toEqual({ route: `${route.method} ${route.fn.name}`, status: 403 });
    }
  });

  it('refuses an operator\'s action another site made the browser send', async () => {
    const operator = { 'x-ms-client-principal': encodeClientPrincipal({ name: 'olga@contoso.com', roles: ['Harbormaster.Operator'] }) };
    const resume = routes.find((r) => r.fn.name === 'resumeApp') as Route;
    expect((await call(resume, { ...operator, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });

  it('GET /api/me names the caller and its roles', async () => {
    const me = routes.find((r) => r.fn.name === 'getMe') as Route;
    expect((await call(me, reader)).jsonBody).toEqual({ name: 'rita@contoso.com', roles: ['Harbormaster.Reader'] });
    expect((await call(me, { 'x-functions-key': OPERATE_KEY })).jsonBody).toEqual({ name: 'key:local-operator-key', roles: ['Harbormaster.Reader', 'Harbormaster.Operator'] });
    const roleless = { 'x-ms-client-principal': encodeClientPrincipal({ name: 'guest@contoso.com', roles: [] }) };
    expect(await call(me, roleless)).toMatchObject({ status: 200, jsonBody: { name: 'guest@contoso.com', roles: [] } });
    expect((await call(me, {})).status).toBe(401);
  });

  it('answers the badge of an app that did not opt in with 404, without asking anyone to sign in', async () => {
    const badge = routes.find((r) => r.fn.name === 'getStatusBadge') as Route;
    expect((await call(badge, {})).status).toBe(404);
  });
});
