/**
 * Microsoft.App container apps, revisions, replicas and managed environments over ARM, answering
 * @azure/arm-appcontainers 4.0.0 (api-version 2026-07-01) as Azure does:
 * - PUT app: 201 (create) / 200 (update) with `Azure-AsyncOperation`, polled to Succeeded; PATCH: 202 with
 *   `Azure-AsyncOperation` + `Location`; DELETE: 202 with `Location`, then 204.
 * - A template change creates a revision `<app>--<suffix>` (template.revisionSuffix, else generated).
 *   Single mode: the new revision takes all traffic and the others are deactivated. Multiple mode:
 *   traffic stays as configured (`latestRevision` entries follow the newest revision).
 * - Revision states come from the real processes in RevisionRuntime.
 * - Optimistic concurrency as ARM does it: GET and PUT answer with an `ETag` header that changes with
 *   every write; a PUT, PATCH or DELETE with `If-Match` other than the current tag (or `*` on a missing
 *   app) is refused with 412 PreconditionFailed, and `If-None-Match: *` refuses a PUT over an existing app.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { SimModule, SimRequest, SimResponse } from '../module';
import type { RevisionRuntime } from '../revisions/revisionRuntime';
import { ArmError, armError, notFound } from './errors';
import { LroTracker, originOf, regionSegment } from './lro';
import { appId, appKey, revisionId, type AppRecord, type ContainerAppsState, type EnvironmentRecord, type Json, type RevisionRecord } from './containerAppsState';

export interface TrafficTarget {
  revisionName: string;
  weight: number;
  label?: string;
}

export interface HostRoute {
  app: AppRecord;
  /** Revision runtime key (its ARM id, lower case). */
  revisionKey: string;
  revisionName: string;
}

export interface ContainerAppsModuleOptions {
  state: ContainerAppsState;
  runtime: RevisionRuntime;
  lro?: LroTracker;
  /** Appended to environment default domains: `<env>-<hash>.<region>.<suffix>`. Default `azurecontainerapps.io`. */
  domainSuffix?: string;
  /** The time stamped on what it creates (see AzureSimulatorOptions.now). Default: wall-clock time. */
  now?: () => Date;
}

const RP = '/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\\.app';
const ROUTES: Array<[string, RegExp]> = [
  ['ContainerApps_ListBySubscription', /^\/subscriptions\/([^/]+)\/providers\/microsoft\.app\/containerapps$/i],
  ['ContainerApps_ListByResourceGroup', new RegExp(`^${RP}/containerapps$`, 'i')],
  ['ContainerApps', new RegExp(`^${RP}/containerapps/([^/]+)$`, 'i')],
  ['ContainerAppsRevisions_ListRevisions', new RegExp(`^${RP}/containerapps/([^/]+)/revisions$`, 'i')],
  ['ContainerAppsRevisions_GetRevision', new RegExp(`^${RP}/containerapps/([^/]+)/revisions/([^/]+)$`, 'i')],
  ['ContainerAppsRevisions_Action', new RegExp(`^${RP}/containerapps/([^/]+)/revisions/([^/]+)/(activate|deactivate|restart)$`, 'i')],
  ['ContainerAppsRevisionReplicas_ListReplicas', new RegExp(`^${RP}/containerapps/([^/]+)/revisions/([^/]+)/replicas$`, 'i')],
  ['ContainerAppsRevisionReplicas_GetReplica', new RegExp(`^${RP}/containerapps/([^/]+)/revisions/([^/]+)/replicas/([^/]+)$`, 'i')],
  ['ManagedEnvironments_Get', new RegExp(`^${RP}/managedenvironments/([^/]+)$`, 'i')],
];

const APP_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/i;
const SUFFIX = /^[a-z0-9][a-z0-9-]{0,62}$/i;
const ENV_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.App\/managedEnvironments\/([^/]+)$/i;

export class ContainerAppsModule implements SimModule {
  readonly name = 'arm-containerapps';
  private readonly state: ContainerAppsState;
  private readonly runtime: RevisionRuntime;
  private readonly lro: LroTracker;
  private readonly domainSuffix: string;
  private readonly now: () => Date;

  constructor(options: ContainerAppsModuleOptions) {
    this.state = options.state;
    this.runtime = options.runtime;
    this.lro = options.lro ?? new LroTracker();
    this.domainSuffix = options.domainSuffix ?? 'azurecontainerapps.io';
    this.now = options.now ?? (() => new Date());
  }

  /** Starts the processes of active revisions loaded from a state file. */
  restore(): void {
    for (const app of this.state.apps.values()) {
      app.provisioningState = app.provisioningState === 'InProgress' ? 'Succeeded' : app.provisioningState;
      for (const rev of app.revisions) if (rev.active) this.runtime.activate(this.revisionSpec(app, rev));
    }
  }

  operationOf(request: SimRequest): string | undefined {
    const route = this.match(request);
    if (!route) return undefined;
    const [op, m] = route;
    if (op === 'ContainerApps') {
      return { GET: 'ContainerApps_Get', PUT: 'ContainerApps_CreateOrUpdate', PATCH: 'ContainerApps_Update', DELETE: 'ContainerApps_Delete' }[request.method];
    }
    if (op === 'ContainerAppsRevisions_Action') return `ContainerAppsRevisions_${capitalise(m[m.length - 1])}Revision`;
    return op;
  }

  handle(request: SimRequest): Promise<SimResponse | undefined> {
    const polled = this.lro.handle(request);
    if (polled) return Promise.resolve(polled);
    const route = this.match(request);
    if (!route) return Promise.resolve(undefined);
    if (!request.url.searchParams.get('api-version')) {
      return Promise.resolve(armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests."));
    }
    try {
      return Promise.resolve(this.dispatch(route[0], route[1], request));
    } catch (err) {
      if (err instanceof ArmError) return Promise.resolve(err.toResponse());
      throw err;
    }
  }

  /** The app or revision a request to `host` (an app, revision or label FQDN) goes to; weighted by traffic for app FQDNs. */
  routeForHost(host: string, random: () => number = Math.random): HostRoute | undefined {
    const name = host.toLowerCase().replace(/\.$/, '');
    for (const app of this.state.apps.values()) {
      const domain = this.environmentOf(app)?.defaultDomain.toLowerCase();
      if (!domain || !name.endsWith(`.${domain}`)) continue;
      const label = name.slice(0, -(domain.length + 1));
      const appName = app.name.toLowerCase();
      let revisionName: string | undefined;
      if (label === appName) revisionName = pickWeighted(this.usersTraffic(app), random);
      else if (label.startsWith(`${appName}---`)) revisionName = this.labelTargets(app).get(label.slice(appName.length + 3));
      else if (label.startsWith(`${appName}--`)) revisionName = app.revisions.find((r) => r.name.toLowerCase() === label)?.name;
      else continue;
      if (!revisionName) return undefined;
      return { app, revisionKey: revisionId(app, revisionName).toLowerCase(), revisionName };
    }
    return undefined;
  }

  /**
   * The FQDN of every app with ingress and an active revision: where simulated users send their
   * requests, and the share of them that comes (the users of a `no-traffic` revision stay away).
   */
  appHosts(): Array<{ appName: string; host: string; share: number }> {
    const out: Array<{ appName: string; host: string; share: number }> = [];
    for (const app of this.state.apps.values()) {
      const domain = this.environmentOf(app)?.defaultDomain;
      const ingress = (app.properties.configuration as { ingress?: unknown } | undefined)?.ingress;
      if (!domain || !ingress || !app.revisions.some((r) => r.active)) continue;
      const split = this.effectiveTraffic(app);
      const total = split.reduce((sum, t) => sum + t.weight, 0);
      const reached = this.usersTraffic(app).reduce((sum, t) => sum + t.weight, 0);
      out.push({ appName: app.name, host: `${app.name}.${domain}`.toLowerCase(), share: total > 0 ? reached / total : 1 });
    }
    return out;
  }

  /** Active revisions, for sampling gauges (replicas, memory, CPU). */
  activeRevisions(): ActiveRevision[] {
    const out: ActiveRevision[] = [];
    for (const app of this.state.apps.values()) {
      for (const rev of app.revisions) {
        if (rev.active) out.push({ appId: appId(app), revisionName: rev.name, revisionKey: revisionId(app, rev.name).toLowerCase(), limits: replicaLimits(rev.template) });
      }
    }
    return out;
  }

  regionOf(resourceId: string): string | undefined {
    const app = [...this.state.apps.values()].find((a) => appId(a).toLowerCase() === resourceId.toLowerCase());
    return app ? regionSegment(app.location) : undefined;
  }

  async close(): Promise<void> {
    await this.runtime.close();
  }

  private match(request: SimRequest): [string, RegExpExecArray] | undefined {
    const path = request.url.pathname.replace(/\/$/, '');
    for (const [op, re] of ROUTES) {
      const m = re.exec(path);
      if (m) return [op, m];
    }
    return undefined;
  }

  private dispatch(op: string, m: RegExpExecArray, request: SimRequest): SimResponse {
    const method = request.method;
    switch (op) {
      case 'ContainerApps_ListBySubscription':
        return method === 'GET' ? this.list((a) => a.subscriptionId.toLowerCase() === m[1].toLowerCase()) : methodNotAllowed(method);
      case 'ContainerApps_ListByResourceGroup':
        return method === 'GET'
          ? this.list((a) => a.subscriptionId.toLowerCase() === m[1].toLowerCase() && a.resourceGroup.toLowerCase() === m[2].toLowerCase())
          : methodNotAllowed(method);
      case 'ContainerApps':
        if (method === 'GET') {
          const app = this.getApp(m[1], m[2], m[3]);
          return { status: 200, headers: { ETag: this.etagOf(app) }, body: this.renderApp(app) };
        }
        checkPreconditions(request, this.state.apps.get(appKey(m[1], m[2], m[3])), (app) => this.etagOf(app));
        if (method === 'PUT') return this.put(request, m[1], m[2], m[3]);
        if (method === 'PATCH') return this.patch(request, m[1], m[2], m[3]);
        if (method === 'DELETE') return this.remove(request, m[1], m[2], m[3]);
        return methodNotAllowed(method);
      case 'ContainerAppsRevisions_ListRevisions': {
        if (method !== 'GET') return methodNotAllowed(method);
        const app = this.getApp(m[1], m[2], m[3]);
        return { status: 200, body: { value: app.revisions.map((r) => this.renderRevision(app, r)), nextLink: null } };
      }
      case 'ContainerAppsRevisions_GetRevision': {
        if (method !== 'GET') return methodNotAllowed(method);
        const app = this.getApp(m[1], m[2], m[3]);
        return { status: 200, body: this.renderRevision(app, this.getRevision(app, m[4])) };
      }
      case 'ContainerAppsRevisions_Action':
        return method === 'POST' ? this.revisionAction(m[1], m[2], m[3], m[4], m[5].toLowerCase()) : methodNotAllowed(method);
      case 'ContainerAppsRevisionReplicas_ListReplicas': {
        if (method !== 'GET') return methodNotAllowed(method);
        const app = this.getApp(m[1], m[2], m[3]);
        const rev = this.getRevision(app, m[4]);
        return { status: 200, body: { value: this.renderReplicas(app, rev) } };
      }
      case 'ContainerAppsRevisionReplicas_GetReplica': {
        if (method !== 'GET') return methodNotAllowed(method);
        const app = this.getApp(m[1], m[2], m[3]);
        const rev = this.getRevision(app, m[4]);
        const replica = this.renderReplicas(app, rev).find((r) => String(r.name).toLowerCase() === m[5].toLowerCase());
        if (!replica) throw notFound('replica', m[5]);
        return { status: 200, body: replica };
      }
      case 'ManagedEnvironments_Get':
        return method === 'GET' ? { status: 200, body: this.renderEnvironment(this.ensureEnvironment(m[1], m[2], m[3], undefined)) } : methodNotAllowed(method);
      default:
        return armError(404, 'NotFound', `No route for ${op}.`);
    }
  }

  // ---- container apps ------------------------------------------------------------------------

  private list(filter: (app: AppRecord) => boolean): SimResponse {
    return { status: 200, body: { value: [...this.state.apps.values()].filter(filter).map((a) => this.renderApp(a)), nextLink: null } };
  }

  /** The app's tag; apps loaded from an older state file get one on first use. */
  private etagOf(app: AppRecord): string {
    app.etag ??= newEtag();
    return app.etag;
  }

  private getApp(sub: string, rg: string, name: string): AppRecord {
    const app = this.state.apps.get(appKey(sub, rg, name));
    if (!app) throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.App/containerApps/${name}' under resource group '${rg}' was not found.`);
    return app;
  }

  private put(request: SimRequest, sub: string, rg: string, name: string): SimResponse {
    const body = asObject(request.json, 'body');
    if (!APP_NAME.test(name) || name.includes('--')) {
      throw new ArmError(400, 'ContainerAppInvalidName', `Invalid ContainerApp name '${name}'. A name must consist of lower case alphanumeric characters or '-', start with a letter, end with an alphanumeric character, cannot have '--', and be at most 32 characters.`);
    }
    const location = body.location;
    if (typeof location !== 'string' || location.trim() === '') throw new ArmError(400, 'LocationRequired', 'The location property is required for this definition.', 'location');
    const properties = asObject(body.properties ?? {}, 'properties');
    const key = appKey(sub, rg, name);
    const existing = this.state.apps.get(key);
    const app: AppRecord = existing
      ? { ...existing, location, tags: body.tags as Record<string, string> | undefined, identity: body.identity as Json | undefined, properties: stripReadOnly(properties) }
      : {
          subscriptionId: sub,
          resourceGroup: rg,
          name,
          location,
          tags: body.tags as Record<string, string> | undefined,
          identity: body.identity as Json | undefined,
          properties: stripReadOnly(properties),
          revisions: [],
          provisioningState: 'InProgress',
          createdTime: this.now().toISOString(),
        };
    return this.apply(request, existing, app, existing ? 200 : 201, 'put');
  }

  private patch(request: SimRequest, sub: string, rg: string, name: string): SimResponse {
    const existing = this.getApp(sub, rg, name);
    const body = asObject(request.json, 'body');
    const merged = mergePatch({ location: existing.location, tags: existing.tags, identity: existing.identity, properties: existing.properties }, body) as Json;
    const app: AppRecord = {
      ...existing,
      tags: merged.tags as Record<string, string> | undefined,
      identity: merged.identity as Json | undefined,
      properties: stripReadOnly(asObject(merged.properties ?? {}, 'properties')),
    };
    return this.apply(request, existing, app, 202, 'patch');
  }

  /** Validates the desired app, creates a revision on template change, and starts the LRO that moves the processes. */
  private apply(request: SimRequest, existing: AppRecord | undefined, app: AppRecord, status: number, kind: 'put' | 'patch'): SimResponse {
    const envId = (app.properties.managedEnvironmentId ?? app.properties.environmentId) as unknown;
    if (typeof envId !== 'string' || !ENV_ID.test(envId)) {
      throw new ArmError(400, 'InvalidParameterValue', 'properties.managedEnvironmentId (or environmentId) must be a managed environment resource id.', 'properties.managedEnvironmentId');
    }
    const envMatch = ENV_ID.exec(envId) as RegExpExecArray;
    this.ensureEnvironment(envMatch[1], envMatch[2], envMatch[3], app.location);
    app.properties.managedEnvironmentId = envId;
    app.properties.environmentId = envId;
    const template = asObject(app.properties.template, 'properties.template');
    validateTemplate(template);
    withDefaultResources(template);
    const configuration = asObject(app.properties.configuration ?? {}, 'properties.configuration');
    const mode = String(configuration.activeRevisionsMode ?? 'Single');
    if (!/^(single|multiple|labels)$/i.test(mode)) {
      throw new ArmError(400, 'InvalidParameterValue', `activeRevisionsMode '${mode}' is not one of Single, Multiple, Labels.`, 'properties.configuration.activeRevisionsMode');
    }

    // A template change (containers, scale, suffix...) makes a new revision.
    const revisions = existing ? existing.revisions.map((r) => ({ ...r })) : [];
    const latest = revisions.find((r) => r.name === existing?.latestRevisionName);
    let created: RevisionRecord | undefined;
    if (!latest || canonical(latest.template) !== canonical(template)) {
      const given = template.revisionSuffix;
      if (given !== undefined && given !== null && given !== '' && (typeof given !== 'string' || !SUFFIX.test(given))) {
        throw new ArmError(400, 'InvalidParameterValue', `revisionSuffix '${String(given)}' must be lower case alphanumeric characters or '-', starting with an alphanumeric character.`, 'properties.template.revisionSuffix');
      }
      const suffix = typeof given === 'string' && given !== '' ? given : newSuffix();
      const revisionName = `${app.name}--${suffix}`;
      if (revisions.some((r) => r.name.toLowerCase() === revisionName.toLowerCase())) {
        throw new ArmError(400, 'ContainerAppRevisionAlreadyExists', `A revision with suffix '${suffix}' already exists for container app '${app.name}'. Use a new revisionSuffix to create a new revision.`, 'properties.template.revisionSuffix');
      }
      const now = this.now().toISOString();
      created = { name: revisionName, suffix, createdTime: now, lastActiveTime: now, template: clone(template), active: true };
      revisions.push(created);
    }
    app.revisions = revisions;
    app.latestRevisionName = created?.name ?? existing?.latestRevisionName;
    const single = /^single$/i.test(mode);
    if (single) for (const r of revisions) if (r !== created && r.name !== app.latestRevisionName) r.active = false;
    this.validateTraffic(app, single);

    app.provisioningState = 'InProgress';
    app.etag = newEtag();
    this.state.apps.set(appKey(app.subscriptionId, app.resourceGroup, app.name), app);
    this.state.save();
    const operation = this.lro.begin({
      origin: originOf(request),
      subscriptionId: app.subscriptionId,
      region: regionSegment(app.location),
      work: async () => {
        try {
          await this.syncRuntime(app);
          app.provisioningState = 'Succeeded';
        } catch (err) {
          app.provisioningState = 'Failed';
          throw err;
        } finally {
          this.state.save();
        }
        return this.renderApp(app);
      },
    });
    if (kind === 'patch') return { status, headers: operation.allHeaders() };
    return { status, headers: { ...operation.asyncOperationHeaders(), ETag: app.etag }, body: this.renderApp(app) };
  }

  private remove(request: SimRequest, sub: string, rg: string, name: string): SimResponse {
    const key = appKey(sub, rg, name);
    const app = this.state.apps.get(key);
    if (!app) return { status: 204 };
    app.provisioningState = 'Deleting';
    const operation = this.lro.begin({
      origin: originOf(request),
      subscriptionId: sub,
      region: regionSegment(app.location),
      work: async () => {
        await Promise.all(app.revisions.map((r) => this.runtime.deactivate(revisionId(app, r.name).toLowerCase())));
        this.state.apps.delete(key);
        this.state.save();
        return undefined;
      },
    });
    return { status: 202, headers: operation.locationHeaders() };
  }

  /** Makes processes match the revisions' `active` flags. */
  private async syncRuntime(app: AppRecord): Promise<void> {
    for (const rev of app.revisions) {
      const key = revisionId(app, rev.name).toLowerCase();
      if (rev.active) this.runtime.activate(this.revisionSpec(app, rev));
      else await this.runtime.deactivate(key);
    }
  }

  private revisionSpec(app: AppRecord, rev: RevisionRecord): Parameters<RevisionRuntime['activate']>[0] {
    const containers = rev.template.containers as Array<{ image: string }>;
    const scale = (rev.template.scale ?? {}) as { minReplicas?: number; maxReplicas?: number };
    return {
      key: revisionId(app, rev.name).toLowerCase(),
      revisionName: rev.name,
      image: containers[0].image,
      minReplicas: typeof scale.minReplicas === 'number' ? scale.minReplicas : 0,
      maxReplicas: typeof scale.maxReplicas === 'number' ? scale.maxReplicas : 10,
    };
  }

  // ---- traffic -------------------------------------------------------------------------------

  private storedTraffic(app: AppRecord): Json[] | undefined {
    const ingress = (app.properties.configuration as Json | undefined)?.ingress as Json | undefined;
    return Array.isArray(ingress?.traffic) ? (ingress.traffic as Json[]) : undefined;
  }

  private isSingle(app: AppRecord): boolean {
    return /^single$/i.test(String((app.properties.configuration as Json | undefined)?.activeRevisionsMode ?? 'Single'));
  }

  private validateTraffic(app: AppRecord, single: boolean): void {
    const traffic = this.storedTraffic(app);
    if (!traffic || traffic.length === 0) return;
    const labels = new Set<string>();
    let total = 0;
    let anyWeight = false;
    traffic.forEach((entry, i) => {
      const where = `properties.configuration.ingress.traffic[${i}]`;
      if (typeof entry !== 'object' || entry === null) throw new ArmError(400, 'InvalidParameterValue', `${where} must be an object.`, where);
      const hasName = typeof entry.revisionName === 'string' && entry.revisionName !== '';
      if (hasName === (entry.latestRevision === true)) {
        throw new ArmError(400, 'ContainerAppInvalidTrafficConfiguration', `${where}: set exactly one of revisionName or latestRevision=true.`, where);
      }
      if (entry.weight !== undefined) {
        anyWeight = true;
        if (!Number.isInteger(entry.weight) || (entry.weight as number) < 0 || (entry.weight as number) > 100) {
          throw new ArmError(400, 'ContainerAppInvalidTrafficWeight', `${where}.weight must be an integer from 0 to 100.`, `${where}.weight`);
        }
        total += entry.weight as number;
      }
      if (typeof entry.label === 'string') {
        if (labels.has(entry.label.toLowerCase())) throw new ArmError(400, 'ContainerAppDuplicateTrafficLabel', `Traffic label '${entry.label}' is used twice.`, `${where}.label`);
        labels.add(entry.label.toLowerCase());
      }
      // Single mode ignores traffic to named revisions (only the latest serves), as Azure does.
      if (hasName && !single) {
        const rev = app.revisions.find((r) => r.name.toLowerCase() === String(entry.revisionName).toLowerCase());
        if (!rev) throw new ArmError(400, 'ContainerAppRevisionNotFound', `Revision '${String(entry.revisionName)}' named in traffic does not exist.`, `${where}.revisionName`);
        if (!rev.active && (entry.weight as number) > 0) {
          throw new ArmError(400, 'ContainerAppRevisionInactive', `Revision '${rev.name}' is inactive and cannot receive traffic; activate it first.`, `${where}.revisionName`);
        }
      }
    });
    if (anyWeight && total !== 100) {
      throw new ArmError(400, 'ContainerAppInvalidTrafficWeight', `Traffic weights must add up to 100; they add up to ${total}.`, 'properties.configuration.ingress.traffic');
    }
  }

  /** Where users of the app FQDN go: its split without the revisions whose image nobody uses (`no-traffic`). */
  private usersTraffic(app: AppRecord): TrafficTarget[] {
    return this.effectiveTraffic(app).filter((t) => this.runtime.status(revisionId(app, t.revisionName).toLowerCase()).behaviour?.kind !== 'no-traffic');
  }

  /** Where requests to the app FQDN go, by revision name. */
  effectiveTraffic(app: AppRecord): TrafficTarget[] {
    const latest = app.latestRevisionName;
    if (!latest) return [];
    const traffic = this.storedTraffic(app);
    if (this.isSingle(app) || !traffic || traffic.length === 0) return [{ revisionName: latest, weight: 100 }];
    const byName = new Map<string, number>();
    for (const entry of traffic) {
      const name = entry.latestRevision === true ? latest : this.canonicalRevisionName(app, String(entry.revisionName));
      byName.set(name, (byName.get(name) ?? 0) + (typeof entry.weight === 'number' ? entry.weight : 0));
    }
    const total = [...byName.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return [{ revisionName: latest, weight: 100 }];
    return [...byName].map(([revisionName, weight]) => ({ revisionName, weight }));
  }

  private labelTargets(app: AppRecord): Map<string, string> {
    const out = new Map<string, string>();
    for (const entry of this.storedTraffic(app) ?? []) {
      if (typeof entry.label !== 'string') continue;
      const name = entry.latestRevision === true ? app.latestRevisionName : this.canonicalRevisionName(app, String(entry.revisionName));
      if (name) out.set(entry.label.toLowerCase(), name);
    }
    return out;
  }

  private canonicalRevisionName(app: AppRecord, name: string): string {
    return app.revisions.find((r) => r.name.toLowerCase() === name.toLowerCase())?.name ?? name;
  }

  // ---- revisions -----------------------------------------------------------------------------

  private getRevision(app: AppRecord, name: string): RevisionRecord {
    const rev = app.revisions.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!rev) throw new ArmError(404, 'ContainerAppRevisionNotFound', `Revision '${name}' of container app '${app.name}' was not found.`);
    return rev;
  }

  private revisionAction(sub: string, rg: string, name: string, revisionName: string, action: string): SimResponse {
    const app = this.getApp(sub, rg, name);
    const rev = this.getRevision(app, revisionName);
    const key = revisionId(app, rev.name).toLowerCase();
    if (action === 'activate') {
      if (!rev.active) {
        rev.active = true;
        rev.lastActiveTime = this.now().toISOString();
      }
      this.runtime.activate(this.revisionSpec(app, rev));
    } else if (action === 'deactivate') {
      const weight = this.effectiveTraffic(app).find((t) => t.revisionName === rev.name)?.weight ?? 0;
      if (weight > 0) {
        throw new ArmError(400, 'ContainerAppRevisionHasTraffic', `Revision '${rev.name}' receives ${weight}% of traffic; move its traffic before deactivating it.`);
      }
      rev.active = false;
      void this.runtime.deactivate(key);
    } else {
      if (!rev.active) throw new ArmError(400, 'ContainerAppRevisionInactive', `Revision '${rev.name}' is inactive; only active revisions can be restarted.`);
      void this.runtime.restart(key);
    }
    this.state.save();
    return { status: 200 };
  }

  // ---- environments --------------------------------------------------------------------------

  /** Environments come into being when first referenced (the simulator has no environment PUT). */
  private ensureEnvironment(sub: string, rg: string, name: string, location: string | undefined): EnvironmentRecord {
    const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.App/managedEnvironments/${name}`;
    const existing = this.state.environments.get(id.toLowerCase());
    if (existing) return existing;
    const region = regionSegment(location);
    const hash = createHash('sha256').update(id.toLowerCase()).digest('hex').slice(0, 8);
    const env: EnvironmentRecord = {
      id,
      subscriptionId: sub,
      resourceGroup: rg,
      name,
      location: location ?? 'East US',
      defaultDomain: `${name.toLowerCase()}-${hash}.${region}.${this.domainSuffix}`,
      createdTime: this.now().toISOString(),
    };
    this.state.environments.set(id.toLowerCase(), env);
    this.state.save();
    return env;
  }

  environmentOf(app: AppRecord): EnvironmentRecord | undefined {
    const id = String(app.properties.managedEnvironmentId ?? app.properties.environmentId ?? '');
    return this.state.environments.get(id.toLowerCase());
  }

  // ---- rendering -----------------------------------------------------------------------------

  renderApp(app: AppRecord): Json {
    const env = this.environmentOf(app);
    const domain = env?.defaultDomain ?? 'unknown.azurecontainerapps.io';
    const configuration = clone((app.properties.configuration ?? {}) as Json);
    configuration.activeRevisionsMode ??= 'Single';
    if (configuration.ingress && typeof configuration.ingress === 'object') {
      const ingress = configuration.ingress as Json;
      ingress.fqdn = `${app.name}.${domain}`;
      ingress.transport ??= 'Auto';
      ingress.allowInsecure ??= false;
      if (!Array.isArray(ingress.traffic) || ingress.traffic.length === 0) ingress.traffic = [{ weight: 100, latestRevision: true }];
    }
    const latestReady = [...app.revisions].reverse().find((r) => this.runtime.status(revisionId(app, r.name).toLowerCase()).provisioningState === 'Provisioned');
    const latest = app.revisions.find((r) => r.name === app.latestRevisionName);
    const body: Json = {
      id: appId(app),
      name: app.name,
      type: 'Microsoft.App/containerApps',
      location: app.location,
      ...(app.tags ? { tags: app.tags } : {}),
      ...(app.identity ? { identity: renderIdentity(app.identity, appId(app)) } : {}),
      systemData: { createdAt: app.createdTime, createdByType: 'User', createdBy: 'harbormaster-simulator' },
      properties: {
        ...app.properties,
        provisioningState: app.provisioningState,
        runningStatus: app.provisioningState === 'InProgress' ? 'Progressing' : 'Running',
        managedEnvironmentId: app.properties.managedEnvironmentId,
        environmentId: app.properties.environmentId,
        workloadProfileName: app.properties.workloadProfileName ?? 'Consumption',
        latestRevisionName: app.latestRevisionName,
        ...(latestReady ? { latestReadyRevisionName: latestReady.name } : {}),
        latestRevisionFqdn: latest ? `${latest.name}.${domain}` : undefined,
        customDomainVerificationId: createHash('sha256').update(appId(app).toLowerCase()).digest('hex').toUpperCase(),
        outboundIpAddresses: ['127.0.0.1'],
        eventStreamEndpoint: `https://${regionSegment(app.location)}.azurecontainerapps.dev/subscriptions/${app.subscriptionId}/resourceGroups/${app.resourceGroup}/containerApps/${app.name}/eventstream`,
        configuration,
        template: latest ? clone(latest.template) : app.properties.template,
      },
    };
    return body;
  }

  renderRevision(app: AppRecord, rev: RevisionRecord): Json {
    const key = revisionId(app, rev.name).toLowerCase();
    const domain = this.environmentOf(app)?.defaultDomain ?? 'unknown.azurecontainerapps.io';
    const status = this.runtime.status(key);
    const active = rev.active;
    const weight = this.effectiveTraffic(app).find((t) => t.revisionName === rev.name)?.weight ?? 0;
    const labels = [...this.labelTargets(app)].filter(([, name]) => name === rev.name).map(([label]) => label);
    return {
      id: revisionId(app, rev.name),
      name: rev.name,
      type: 'Microsoft.App/containerApps/revisions',
      properties: {
        createdTime: rev.createdTime,
        lastActiveTime: rev.lastActiveTime,
        fqdn: `${rev.name}.${domain}`,
        template: clone(rev.template),
        active,
        replicas: active ? status.replicas.filter((r) => r.state !== 'stopped').length : 0,
        trafficWeight: weight,
        ...(labels.length ? { labels } : {}),
        healthState: active ? status.healthState : 'None',
        provisioningState: status.provisioningState,
        ...(status.provisioningState === 'Failed' ? { provisioningError: `Container crashing: restarted ${status.restartCount} times (exit code ${status.replicas[0]?.lastExitCode ?? 'unknown'}).` } : {}),
        runningState: active ? status.runningState : 'Stopped',
      },
    };
  }

  private renderReplicas(app: AppRecord, rev: RevisionRecord): Json[] {
    const status = this.runtime.status(revisionId(app, rev.name).toLowerCase());
    const containers = rev.template.containers as Array<{ name?: string }>;
    return status.replicas
      .filter((r) => r.state !== 'stopped')
      .map((replica) => {
        const running = replica.state === 'running';
        const id = `${revisionId(app, rev.name)}/replicas/${replica.name}`;
        return {
          id,
          name: replica.name,
          type: 'Microsoft.App/containerApps/revisions/replicas',
          properties: {
            createdTime: replica.createdTime,
            runningState: running ? 'Running' : 'NotRunning',
            runningStateDetails: running ? 'Replica is running' : replica.state === 'backoff' ? 'CrashLoopBackOff' : 'ContainerCreating',
            containers: containers.map((c, i) => ({
              name: c.name ?? `container${i}`,
              containerId: `containerd://${createHash('sha256').update(`${replica.name}/${replica.pid ?? 0}/${i}`).digest('hex')}`,
              ready: running,
              started: replica.state === 'running' || replica.state === 'starting',
              restartCount: replica.restartCount,
              runningState: running ? 'Running' : replica.state === 'backoff' ? 'Terminated' : 'Waiting',
              runningStateDetails: running ? 'Container is running' : replica.state === 'backoff' ? `Back-off restarting failed container (exit code ${replica.lastExitCode ?? 'unknown'})` : 'ContainerCreating',
              logStreamEndpoint: `https://${regionSegment(app.location)}.azurecontainerapps.dev${id}/logstream`,
              execEndpoint: `wss://${regionSegment(app.location)}.azurecontainerapps.dev${id}/exec`,
              debugEndpoint: `wss://${regionSegment(app.location)}.azurecontainerapps.dev${id}/debug`,
            })),
            initContainers: [],
          },
        };
      });
  }

  private renderEnvironment(env: EnvironmentRecord): Json {
    return {
      id: env.id,
      name: env.name,
      type: 'Microsoft.App/managedEnvironments',
      location: env.location,
      tags: {},
      properties: {
        provisioningState: 'Succeeded',
        defaultDomain: env.defaultDomain,
        staticIp: '127.0.0.1',
        eventStreamEndpoint: `https://${regionSegment(env.location)}.azurecontainerapps.dev/subscriptions/${env.subscriptionId}/resourceGroups/${env.resourceGroup}/managedEnvironments/${env.name}/eventstream`,
        infrastructureResourceGroup: `ME_${env.name}_${env.resourceGroup}_${regionSegment(env.location)}`,
        zoneRedundant: false,
        workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
        peerAuthentication: { mtls: { enabled: false } },
        peerTrafficConfiguration: { encryption: { enabled: false } },
      },
    };
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function newEtag(): string {
  return `"${randomUUID()}"`;
}

/** `If-Match` / `If-None-Match` on a write to an app (`existing` undefined when there is none). */
function checkPreconditions(request: SimRequest, existing: AppRecord | undefined, etagOf: (app: AppRecord) => string): void {
  const ifMatch = headerOf(request, 'if-match');
  const ifNoneMatch = headerOf(request, 'if-none-match');
  if (ifMatch !== undefined) {
    const current = existing ? etagOf(existing) : undefined;
    const accepted = ifMatch.split(',').map((t) => t.trim());
    const ok = current !== undefined && (accepted.includes('*') || accepted.includes(current));
    if (!ok) {
      throw new ArmError(412, 'PreconditionFailed', `The condition specified using HTTP conditional header(s) is not met: If-Match ${ifMatch} does not match the resource's current ETag.`);
    }
  }
  if (ifNoneMatch !== undefined && existing && request.method === 'PUT') {
    const refused = ifNoneMatch.split(',').map((t) => t.trim());
    if (refused.includes('*') || refused.includes(etagOf(existing))) {
      throw new ArmError(412, 'PreconditionFailed', 'The condition specified using HTTP conditional header(s) is not met: the resource already exists.');
    }
  }
}

function headerOf(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function validateTemplate(template: Json): void {
  const containers = template.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new ArmError(400, 'ContainerAppInvalidTemplate', 'properties.template.containers must list at least one container.', 'properties.template.containers');
  }
  containers.forEach((c, i) => {
    if (typeof c !== 'object' || c === null || typeof (c as Json).image !== 'string' || (c as Json).image === '') {
      throw new ArmError(400, 'ContainerAppImageRequired', `properties.template.containers[${i}].image is required.`, `properties.template.containers[${i}].image`);
    }
  });
  const scale = template.scale as Json | undefined;
  if (scale) {
    const min = scale.minReplicas as number | undefined;
    const max = scale.maxReplicas as number | undefined;
    if (min !== undefined && (!Number.isInteger(min) || min < 0)) throw new ArmError(400, 'InvalidParameterValue', 'scale.minReplicas must be a whole number >= 0.', 'properties.template.scale.minReplicas');
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new ArmError(400, 'InvalidParameterValue', 'scale.maxReplicas must be a whole number >= 1.', 'properties.template.scale.maxReplicas');
    if (min !== undefined && max !== undefined && min > max) throw new ArmError(400, 'InvalidParameterValue', 'scale.minReplicas cannot exceed scale.maxReplicas.', 'properties.template.scale');
  }
}

/** An active revision as the gauge sampler sees it; `limits` are one replica's (all its containers together). */
export interface ActiveRevision {
  appId: string;
  revisionName: string;
  revisionKey: string;
  limits: { cpu: number; memoryBytes: number };
}

const MEMORY_UNITS: Readonly<Record<string, number>> = { '': 1, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3, k: 1e3, m: 1e6, g: 1e9 };

/** One replica's CPU (cores) and memory (bytes) limits: the sum over the template's containers, with Azure's defaults. */
function replicaLimits(template: Json): { cpu: number; memoryBytes: number } {
  let cpu = 0;
  let memoryBytes = 0;
  for (const c of (template.containers as Json[] | undefined) ?? []) {
    const resources = (c.resources ?? {}) as Json;
    cpu += typeof resources.cpu === 'number' && resources.cpu > 0 ? resources.cpu : 0.5;
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]i?)?\s*$/i.exec(String(resources.memory ?? '1Gi'));
    memoryBytes += m ? Number(m[1]) * MEMORY_UNITS[(m[2] ?? '').toLowerCase()] : 1024 ** 3;
  }
  return { cpu: cpu || 0.5, memoryBytes: memoryBytes || 1024 ** 3 };
}

/** Azure fills in container resources when a template leaves them out (Consumption default 0.5 vCPU / 1Gi). */
function withDefaultResources(template: Json): void {
  for (const c of template.containers as Json[]) {
    if (!c.resources || typeof c.resources !== 'object') c.resources = { cpu: 0.5, memory: '1Gi' };
  }
}

const READ_ONLY = ['provisioningState', 'runningStatus', 'latestRevisionName', 'latestReadyRevisionName', 'latestRevisionFqdn', 'customDomainVerificationId', 'outboundIpAddresses', 'eventStreamEndpoint', 'deploymentErrors'];

function stripReadOnly(properties: Json): Json {
  const out = clone(properties);
  for (const key of READ_ONLY) delete out[key];
  const ingress = (out.configuration as Json | undefined)?.ingress as Json | undefined;
  if (ingress) delete ingress.fqdn;
  return out;
}

function renderIdentity(identity: Json, id: string): Json {
  const out = clone(identity);
  const type = String(out.type ?? '');
  const seed = (s: string): string => {
    const h = createHash('sha256').update(`${id}/${s}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  };
  if (/systemassigned/i.test(type)) {
    out.principalId = seed('principal');
    out.tenantId = seed('tenant');
  }
  if (out.userAssignedIdentities && typeof out.userAssignedIdentities === 'object') {
    const uai = out.userAssignedIdentities as Record<string, Json>;
    for (const key of Object.keys(uai)) uai[key] = { clientId: seed(`${key}/client`), principalId: seed(`${key}/principal`) };
  }
  return out;
}

function asObject(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArmError(400, 'InvalidRequestContent', `${where} must be a JSON object.`, where);
  }
  return value as Json;
}

/** RFC 7386 merge patch: objects merge, arrays and scalars replace, null deletes. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return clone(patch);
  const out: Json = typeof target === 'object' && target !== null && !Array.isArray(target) ? clone(target as Json) : {};
  for (const [key, value] of Object.entries(patch as Json)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Json).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function newSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(7)].map((b) => alphabet[b % alphabet.length]).join('');
}

function pickWeighted(targets: TrafficTarget[], random: () => number): string | undefined {
  const total = targets.reduce((a, t) => a + t.weight, 0);
  if (total <= 0) return undefined;
  let roll = random() * total;
  for (const t of targets) {
    if (t.weight <= 0) continue;
    roll -= t.weight;
    if (roll < 0) return t.revisionName;
  }
  return targets.filter((t) => t.weight > 0).at(-1)?.revisionName;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function methodNotAllowed(method: string): SimResponse {
  return armError(405, 'MethodNotAllowed', `The method ${method} is not allowed here.`);
}
