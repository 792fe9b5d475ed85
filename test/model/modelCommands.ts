/**
 * The events the checker generates, as fast-check commands: each one acts on the real stack
 * (registry pushes and webhooks, the manual API, ARM fault rules, a controller kill -9) and then
 * the invariants are checked. The model is what the generator needs to make sensible events:
 * which images were pushed to which app, and the webhook bodies to deliver again.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { AppRole, ApiAnswer, ModelApp, ModelWorld } from './modelStack';
import { deploymentIdsIn, type InvariantTracker, type Violation } from './invariants';

export const ROLES: readonly AppRole[] = ['web', 'api', 'wrk', 'gweb', 'gwrk'];

/** Image behaviours (simulators/imageCatalog.ts) and, for the app with a migration, a failing and a hanging migration. */
export const BEHAVIOURS = ['healthy', 'unhealthy', 'slow-start:3', 'flapping:1', 'hanging', 'crash-loop', 'migrate-fail', 'migrate-hang'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface PushRecord {
  tag: string;
  behaviour: Behaviour;
  digest: string;
  /** The ACR webhook body as first delivered (re-sent verbatim for duplicates and reordering). */
  body: string;
}

export interface Model {
  pushes: Record<AppRole, PushRecord[]>;
  tagCounter: number;
}

export function initialModel(): Model {
  return { pushes: { web: [], api: [], wrk: [], gweb: [], gwrk: [] }, tagCounter: 0 };
}

/** What a command needs of the world besides the model. */
export interface Real {
  world: ModelWorld;
  tracker: InvariantTracker;
  /** One line per event as it really ran (what it picked at run time, what it was answered). */
  log: string[];
  /** Whether the ledger API (and with it `force`) exists on this build. */
  ledgerPresent: boolean;
  /** When the run started (log lines carry seconds since). */
  startedAt: number;
  /** Labels of the events run so far (after preconditions). */
  executed: string[];
  /** Checks the invariants; throws ModelViolation when any fails. */
  check(after: string): Promise<void>;
  events: number;
}

export class ModelViolation extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations.map((v) => `[${v.invariant}] ${v.app}: ${v.detail}${v.at ? ` (after ${v.at})` : ''}`).join('\n'));
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function appOf(real: Real, role: AppRole): ModelApp {
  const app = real.world.apps.find((a) => a.role === role);
  if (!app) throw new Error(`no ${role} app`);
  return app;
}

function brief(answer: ApiAnswer): string {
  const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null);
  return `${answer.status} ${body.length > 240 ? `${body.slice(0, 240)}…` : body}`;
}

function remember(real: Real, app: ModelApp, answer: ApiAnswer): void {
  for (const id of deploymentIdsIn(answer.body)) real.tracker.remember(id, app.name);
}

async function finish(real: Real, label: string, line: string): Promise<void> {
  real.events += 1;
  real.executed.push(label);
  real.log.push(`#${real.events} +${((Date.now() - real.startedAt) / 1000).toFixed(1)}s ${label}: ${line}`);
  await real.check(`#${real.events} ${label}`);
}

/** An ACR `push` webhook body (fixtures/webhooks/acr_webhook_push.json's shape). */
export function acrPushBody(loginServer: string, repository: string, tag: string, digest: string): string {
  return JSON.stringify({
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    action: 'push',
    target: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', size: 524, digest, length: 524, repository, tag },
    request: { id: randomUUID(), host: loginServer, method: 'PUT', useragent: 'harbormaster-model-checker' },
  });
}

type Cmd = fc.AsyncCommand<Model, Real, false>;

/** A push to the registry; the checker delivers its ACR webhook (as ACR would: once). */
class PushCommand implements Cmd {
  constructor(readonly role: AppRole, readonly behaviour: Behaviour) {}
  check(): boolean {
    return !this.behaviour.startsWith('migrate-') || this.role === 'web' || this.role === 'gweb';
  }
  async run(model: Model, real: Real): Promise<void> {
    const app = appOf(real, this.role);
    model.tagCounter += 1;
    const tag = `main-${model.tagCounter}`;
    const pushed = await real.world.simAdmin('POST', '/registry/push', { registry: app.registry, repository: app.repository, tag, behaviour: this.behaviour });
    if (pushed.status !== 201) throw new Error(`registry push answered ${brief(pushed)}`);
    const body = acrPushBody(pushed.body.loginServer, app.repository, tag, pushed.body.digest);
    model.pushes[this.role].push({ tag, behaviour: this.behaviour, digest: pushed.body.digest, body });
    const answer = await real.world.deliverAcrWebhook(body);
    remember(real, app, answer);
    await finish(real, this.toString(), `${tag} ${pushed.body.digest.slice(0, 19)}… webhook → ${brief(answer)}`);
  }
  toString(): string {
    return `push(${this.role}, ${this.behaviour})`;
  }
}

/**
 * The same delivery again (duplicate), five copies of it at once (a burst, as an at-least-once
 * sender retrying), or an older one after a newer (out of order).
 */
class RedeliverCommand implements Cmd {
  constructor(readonly role: AppRole, readonly mode: 'duplicate' | 'burst' | 'older', readonly pick: number) {}
  check(model: Model): boolean {
    return model.pushes[this.role].length >= (this.mode === 'older' ? 2 : 1);
  }
  async run(model: Model, real: Real): Promise<void> {
    const app = appOf(real, this.role);
    const pushes = model.pushes[this.role];
    const push = this.mode === 'older' ? pushes[this.pick % (pushes.length - 1)] : pushes[pushes.length - 1];
    const copies = this.mode === 'burst' ? 5 : 1;
    const answers = await Promise.all(Array.from({ length: copies }, () => real.world.deliverAcrWebhook(push.body)));
    for (const answer of answers) remember(real, app, answer);
    await finish(real, this.toString(), `${push.tag} again ×${copies} → ${answers.map(brief).join(' | ')}`);
  }
  toString(): string {
    return this.mode === 'older' ? `redeliver-older(${this.role}, ${this.pick})` : `redeliver-${this.mode}(${this.role})`;
  }
}

/** `POST /api/apps/{app}/deploy` of the seeded tag or one pushed earlier; for a windowed app, maybe with a window override. */
class ManualDeployCommand implements Cmd {
  constructor(readonly role: AppRole, readonly pick: number, readonly override = false) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const app = appOf(real, this.role);
    const tags = ['main-initial', ...model.pushes[this.role].map((p) => p.tag)];
    const tag = tags[this.pick % tags.length];
    const answer = await real.world.api('POST', `/apps/${app.name}/deploy`, { tag, ...(this.override ? { override: { reason: 'model checker: override' } } : {}) });
    remember(real, app, answer);
    await finish(real, this.toString(), `tag ${tag} → ${brief(answer)}`);
  }
  toString(): string {
    return `manual-deploy(${this.role}, ${this.pick}${this.override ? ', override' : ''})`;
  }
}

/**
 * `POST /api/apps/{app}/rollback`: no target (the API picks), a revision ARM lists, or a release by
 * the tag of an image pushed earlier; forced (with a reason) when this build's API has `force`.
 */
class RollbackCommand implements Cmd {
  constructor(readonly role: AppRole, readonly target: 'default' | 'revision' | 'release', readonly pick: number, readonly force: boolean) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const app = appOf(real, this.role);
    const body: Record<string, unknown> = {};
    if (this.target === 'revision') {
      const listed = await real.world.armGet(`${real.world.appPath(app)}/revisions`);
      const names = ((listed.body?.value ?? []) as any[])
        .map((r) => ({ name: r.name as string, created: String(r.properties?.createdTime ?? '') }))
        .sort((a, b) => a.created.localeCompare(b.created))
        .map((r) => r.name);
      if (names.length) body.revision = names[this.pick % names.length];
    } else if (this.target === 'release') {
      const tags = ['main-initial', ...model.pushes[this.role].map((p) => p.tag)];
      body.release = tags[this.pick % tags.length];
    }
    if (this.force && real.ledgerPresent) Object.assign(body, { force: true, reason: 'model checker: forced rollback' });
    const answer = await real.world.api('POST', `/apps/${app.name}/rollback`, body);
    remember(real, app, answer);
    await finish(real, this.toString(), `${JSON.stringify(body)} → ${brief(answer)}`);
  }
  toString(): string {
    const target = this.target === 'default' ? 'no target' : `${this.target} #${this.pick}`;
    return `rollback(${this.role}, ${target}${this.force ? ', force' : ''})`;
  }
}

/** Approve or reject the deployment waiting at the gate (or, when none waits, the newest one: a 409). */
class DecideCommand implements Cmd {
  constructor(readonly approve: boolean) {}
  check(): boolean {
    return true;
  }
  async run(_model: Model, real: Real): Promise<void> {
    const app = appOf(real, 'api');
    const listed = await real.world.api('GET', `/deployments?app=${app.name}`);
    const deployments = (listed.body?.deployments ?? []) as any[];
    const target = deployments.find((d) => d.phase === 'awaiting-approval') ?? deployments[0];
    if (!target) {
      await finish(real, this.toString(), `no deployment to decide (${listed.status})`);
      return;
    }
    const answer = await real.world.api('POST', `/deployments/${target.id}/${this.approve ? 'approve' : 'reject'}`, {});
    remember(real, app, answer);
    await finish(real, this.toString(), `${target.id} (${target.phase}) → ${brief(answer)}`);
  }
  toString(): string {
    return this.approve ? 'approve(api)' : 'reject(api)';
  }
}

class ResumeCommand implements Cmd {
  constructor(readonly role: AppRole) {}
  check(): boolean {
    return true;
  }
  async run(_model: Model, real: Real): Promise<void> {
    const app = appOf(real, this.role);
    const answer = await real.world.api('POST', `/apps/${app.name}/resume`);
    await finish(real, this.toString(), brief(answer));
  }
  toString(): string {
    return `resume(${this.role})`;
  }
}

export type FaultKind = '429' | '500' | 'timeout' | 'drop';

/** ARM answers the controller's next Container Apps / Jobs requests with a fault (simulators/faults.ts). */
class FaultCommand implements Cmd {
  constructor(readonly kind: FaultKind, readonly target: 'containerApps' | 'jobs' | 'any', readonly times: number) {}
  check(): boolean {
    return true;
  }
  async run(_model: Model, real: Real): Promise<void> {
    const paths = { containerApps: '/providers/Microsoft\\.App/[cC]ontainer[aA]pps/', jobs: '/providers/Microsoft\\.App/jobs/', any: '/providers/Microsoft\\.App/' };
    const response =
      this.kind === '429' ? 429 : this.kind === '500' ? 500 : this.kind === 'drop' ? 'drop' : { status: 504, delayMs: 8_000, body: { error: { code: 'GatewayTimeout', message: 'Injected fault: timeout.' } } };
    // Host 127.0.0.1: the controller's requests; the checker reads ARM as localhost.
    const rule = { match: { host: '127.0.0.1', pathRegex: `${paths[this.target]}` }, response, times: this.times };
    const answer = await real.world.simAdmin('POST', '/faults', rule);
    if (answer.status !== 201) throw new Error(`fault rule refused: ${brief(answer)}`);
    await finish(real, this.toString(), `rule ${answer.body.id}`);
  }
  toString(): string {
    return `arm-fault(${this.kind}, ${this.target}, ×${this.times})`;
  }
}

/** kill -9 the controller after a delay (mid-whatever is running), then start it on the same task hub. */
class CrashCommand implements Cmd {
  constructor(readonly afterMs: number) {}
  check(): boolean {
    return true;
  }
  async run(_model: Model, real: Real): Promise<void> {
    await sleep(this.afterMs);
    const started = Date.now();
    await real.world.crashAndRestart();
    await finish(real, this.toString(), `restarted in ${Date.now() - started} ms`);
  }
  toString(): string {
    return `kill-9-and-restart(after ${this.afterMs} ms)`;
  }
}

/** Time passes: deployments move on, and the invariants are sampled every 1.5 s meanwhile. */
class WaitCommand implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(_model: Model, real: Real): Promise<void> {
    const until = Date.now() + this.ms;
    let samples = 0;
    while (Date.now() < until) {
      await sleep(Math.min(1500, until - Date.now()));
      if (Date.now() < until) {
        samples += 1;
        await real.check(`${this.toString()} (sample ${samples}, after #${real.events})`);
      }
    }
    await finish(real, this.toString(), `waited, ${samples} samples`);
  }
  toString(): string {
    return `wait(${this.ms} ms)`;
  }
}

export interface CommandOptions {
  maxCommands: number;
  /** From a printed counterexample: which generated commands ran. */
  replayPath?: string;
}

export function commandsArbitrary(options: CommandOptions): fc.Arbitrary<Iterable<Cmd>> {
  const role = fc.constantFrom(...ROLES);
  const behaviour = fc.constantFrom(...BEHAVIOURS);
  const push = fc.tuple(role, behaviour).map(([r, b]) => new PushCommand(r, b));
  const redeliver = fc
    .tuple(role, fc.constantFrom('duplicate' as const, 'burst' as const, 'older' as const), fc.nat(5))
    .map(([r, mode, pick]) => new RedeliverCommand(r, mode, pick));
  const deploy = fc.tuple(role, fc.nat(5), fc.boolean()).map(([r, pick, override]) => new ManualDeployCommand(r, pick, override && (r === 'wrk' || r === 'gweb' || r === 'gwrk')));
  const rollback = fc
    .tuple(role, fc.constantFrom('default' as const, 'revision' as const, 'release' as const), fc.nat(5), fc.boolean())
    .map(([r, t, pick, force]) => new RollbackCommand(r, t, pick, force));
  const decide = fc.boolean().map((approve) => new DecideCommand(approve));
  const resume = role.map((r) => new ResumeCommand(r));
  const fault = fc
    .tuple(fc.constantFrom<FaultKind>('429', '500', 'timeout', 'drop'), fc.constantFrom('containerApps' as const, 'jobs' as const, 'any' as const), fc.integer({ min: 1, max: 3 }))
    .map(([k, t, n]) => new FaultCommand(k, t, n));
  const crash = fc.integer({ min: 0, max: 4000 }).map((ms) => new CrashCommand(ms));
  const wait = fc.integer({ min: 500, max: 8000 }).map((ms) => new WaitCommand(ms));
  // fast-check picks among the arbitraries uniformly: repeating one weighs it. Pushes start most
  // of what is interesting; the rest acts on what they started.
  return fc.commands<Model, Real, false>(
    [push, push, push, push, redeliver, redeliver, deploy, deploy, rollback, rollback, rollback, decide, decide, resume, fault, fault, crash, crash, wait, wait],
    { maxCommands: options.maxCommands, size: 'max', ...(options.replayPath ? { replayPath: options.replayPath } : {}) },
  );
}
