/**
 * The model-based invariant checker: fast-check generates event sequences (modelCommands.ts), each
 * run gets a fresh world of three apps on the shared offline stack (modelStack.ts), the invariants
 * (invariants.ts) are checked after every event and once the world is quiet, and a failing
 * sequence is shrunk within a budget of extra runs. Generation is seeded; the real system's
 * timing is not, so a replay (`--seed` and `--path`) replays the same events, not the same clock.
 */
import fc from 'fast-check';
import { commandsArbitrary, initialModel, ModelViolation, type Model, type Real } from './modelCommands';
import { ModelWorld, startSharedStack, type SharedStack } from './modelStack';
import { observeWorld, type WorldObservation } from './modelObserver';
import { checkDeployWindows, checkGroupConsistency } from './groupInvariants';
import { checkObservation, InvariantTracker, servingRevision, TERMINAL, type AppObservation, type Violation } from './invariants';

export interface ModelCheckOptions {
  seed: number;
  runs: number;
  /** Longest event sequence per run. */
  maxCommands: number;
  /** Extra runs spent shrinking a failing sequence. */
  shrinkRuns: number;
  /** fast-check replay path (with the seed) of a counterexample printed earlier. */
  path?: string;
  /** The commands' own replay path (`replayPath` in the printed counterexample). */
  replayPath?: string;
  /** How long the world may take to become quiet after the last event. */
  quiescenceMs: number;
  /** Progress and the failure report. */
  print: (line: string) => void;
  /** Append each run's controller log here (debugging a seed). */
  controllerLog?: string;
  /** Print every run's event log, not only the failing one's. */
  verbose?: boolean;
  /** Told after every run: what has been done so far (for a summary when interrupted). */
  onProgress?: (summary: ModelCheckSummary) => void;
  /** Reuse a running stack (several seeds in one process); otherwise one is started and stopped. */
  stack?: SharedStack;
}

export interface ModelCheckSummary {
  seed: number;
  runs: number;
  events: number;
  violations: Violation[];
  shrinkRuns: number;
  wallMs: number;
  /** Which invariants ran in ledger mode, which fell back (the ledger API absent on this build). */
  ledger: 'present' | 'absent';
  servingFields: 'present' | 'absent';
  errors: string[];
  path?: string;
  replayPath?: string;
  shrunk?: string[];
}

interface RunOutcome {
  sequence: string[];
  log: string[];
  violations: Violation[];
  error?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runModelCheck(options: ModelCheckOptions): Promise<ModelCheckSummary> {
  const started = Date.now();
  const stack = options.stack ?? (await startSharedStack());
  let runIndex = 0;
  let freshRuns = 0;
  let shrinkRuns = 0;
  let events = 0;
  let failing: RunOutcome | undefined;
  let ledgerSeen = false;
  let servingSeen = false;
  const errors: string[] = [];

  const property = fc.asyncProperty(commandsArbitrary({ maxCommands: options.maxCommands, replayPath: options.replayPath }), async (commands) => {
    if (failing) {
      // Budget spent: every further candidate counts as passing, so the last failure stands.
      if (shrinkRuns >= options.shrinkRuns) return;
      shrinkRuns += 1;
    } else freshRuns += 1;
    runIndex += 1;
    const runStarted = Date.now();
    const outcome = await runOnce(stack, runIndex, commands, options, (o) => {
      ledgerSeen ||= o.ledgerPresent;
      servingSeen ||= o.servingFieldsPresent;
    });
    events += outcome.events;
    options.print(
      `${failing ? 'shrink' : 'run'} ${runIndex}: ${outcome.events} events in ${Math.round((Date.now() - runStarted) / 1000)} s, ${outcome.violations.length ? `${outcome.violations.length} violation(s)` : outcome.error ? 'checker error' : 'ok'} — ${outcome.sequence.join(', ')}`,
    );
    if (options.verbose) for (const line of outcome.log) options.print(`    ${line}`);
    options.onProgress?.({
      seed: options.seed,
      runs: freshRuns,
      events,
      violations: outcome.violations.length ? outcome.violations : (failing?.violations ?? []),
      shrinkRuns,
      wallMs: Date.now() - started,
      ledger: ledgerSeen ? 'present' : 'absent',
      servingFields: servingSeen ? 'present' : 'absent',
      errors: outcome.error ? [outcome.error] : [],
    });
    if (outcome.violations.length || outcome.error) {
      failing = outcome;
      throw new ModelViolation(outcome.violations.length ? outcome.violations : [{ invariant: 'quiescence', app: '-', detail: `checker error: ${outcome.error}` }]);
    }
  });

  const details = await fc
    .check(property, { seed: options.seed, numRuns: options.runs, ...(options.path ? { path: options.path } : {}) })
    .finally(() => (options.stack ? undefined : stack.stop()));

  const summary: ModelCheckSummary = {
    seed: options.seed,
    runs: freshRuns,
    events,
    violations: [],
    shrinkRuns,
    wallMs: Date.now() - started,
    ledger: ledgerSeen ? 'present' : 'absent',
    servingFields: servingSeen ? 'present' : 'absent',
    errors,
  };
  if (details.failed && failing) {
    const final = failing as RunOutcome;
    summary.violations = final.violations;
    if (final.error) errors.push(final.error);
    summary.path = details.counterexamplePath ?? undefined;
    summary.shrunk = final.sequence;
    options.print('');
    options.print(`FAILED: seed ${options.seed}, counterexample path ${details.counterexamplePath} (${details.numShrinks} shrinks, ${shrinkRuns} shrink runs)`);
    options.print(`shrunk event sequence (${final.sequence.length}): ${final.sequence.join(', ')}`);
    options.print('as it ran:');
    for (const line of final.log) options.print(`  ${line}`);
    options.print('violations:');
    for (const v of final.violations) options.print(`  [${v.invariant}] ${v.app}: ${v.detail}${v.at ? ` (after ${v.at})` : ''}`);
    if (final.error) options.print(`  checker error: ${final.error}`);
    const replayPath = /replayPath="([^"]*)"/.exec(String(details.counterexample?.[0] ?? ''))?.[1];
    summary.replayPath = replayPath;
    options.print(`fast-check counterexample: ${String(details.counterexample?.[0] ?? '')}`);
    options.print(
      `replay: npm run check:model -- --seed ${options.seed} --max-commands ${options.maxCommands} --path ${details.counterexamplePath}${replayPath ? ` --replay-path ${replayPath}` : ''} --shrink-runs 0`,
    );
  } else if (details.failed) {
    errors.push(String(details.errorInstance ?? 'the property failed'));
  }
  return summary;
}

async function runOnce(
  stack: SharedStack,
  run: number,
  commands: Iterable<fc.AsyncCommand<Model, Real, false>>,
  options: ModelCheckOptions,
  seen: (o: WorldObservation) => void,
): Promise<RunOutcome & { events: number }> {
  const log: string[] = [];
  const executed: string[] = [];
  let world: ModelWorld | undefined;
  try {
    world = await ModelWorld.create(stack, run, { controllerLog: options.controllerLog });
    const tracker = new InvariantTracker();
    const w = world;
    const first = await observeWorld(w);
    seen(first);
    const real: Real = {
      world: w,
      tracker,
      log,
      ledgerPresent: first.ledgerPresent,
      events: 0,
      startedAt: Date.now(),
      executed,
      check: async (after: string) => {
        const { violations } = await checkWorld(w, tracker, after, seen);
        if (violations.length) throw new ModelViolation(violations);
      },
    };
    await fc.asyncModelRun(() => ({ model: initialModel(), real }), commands);
    await quiesce(real, options.quiescenceMs, seen);
    return { sequence: executed, log, violations: [], events: real.events };
  } catch (error) {
    if (error instanceof ModelViolation) return { sequence: executed, log, violations: error.violations, events: executed.length };
    return { sequence: executed, log, violations: [], error: error instanceof Error ? (error.stack ?? error.message) : String(error), events: executed.length };
  } finally {
    await world?.close().catch(() => undefined);
  }
}

/** Every invariant over one observation of the world, plus deadlines and lost records. */
async function checkWorld(
  world: ModelWorld,
  tracker: InvariantTracker,
  after: string,
  seen: (o: WorldObservation) => void,
): Promise<{ violations: Violation[]; observation: WorldObservation }> {
  const observation = await observeWorld(world);
  seen(observation);
  const now = Date.now();
  const violations: Violation[] = [];
  for (const group of new Set(world.apps.map((a) => a.group).filter((g): g is string => g !== undefined))) {
    violations.push(...checkGroupConsistency(group, observation.apps.filter((_o, i) => world.apps[i].group === group)));
  }
  for (const [i, app] of world.apps.entries()) {
    const o = observation.apps[i];
    violations.push(...checkObservation(o));
    if (app.windowOpen) violations.push(...checkDeployWindows(o, app.windowOpen));
    if (!o.deployments) continue;
    violations.push(...tracker.checkDeadlines(app.name, o.deployments, app.deadlineSeconds * 1000, now, world.downMs));
    for (const id of tracker.missingFrom(app.name, o.deployments)) {
      const answer = await world.api('GET', `/deployments/${id}`);
      if (answer.status === 404) violations.push({ invariant: 'no-lost-deployment', app: app.name, detail: `deployment ${id}, answered earlier, is gone (GET /api/deployments/${id} → 404)` });
    }
  }
  return { violations: violations.map((v) => ({ ...v, at: after })), observation };
}

/**
 * After the last event: faults cleared, approvals still waiting are approved, and the world must
 * become quiet (every deployment terminal, nothing running or queued) within the budget, the
 * invariants holding at every look and once more at the end.
 */
async function quiesce(real: Real, budgetMs: number, seen: (o: WorldObservation) => void): Promise<void> {
  const world = real.world;
  await world.simAdmin('DELETE', '/faults');
  const deadline = Date.now() + budgetMs;
  let quietLooks = 0;
  for (;;) {
    const { violations, observation } = await checkWorld(world, real.tracker, 'quiescence', seen);
    if (violations.length) throw new ModelViolation(violations);
    let quiet = observation.reachable;
    for (const o of observation.apps) {
      const deployments = o.deployments ?? [];
      if (o.status?.running !== undefined || (o.status?.queued.length ?? 0) > 0 || deployments.some((d) => !TERMINAL.has(d.phase))) quiet = false;
      for (const d of deployments.filter((x) => x.phase === 'awaiting-approval')) {
        const answer = await world.api('POST', `/deployments/${d.id}/approve`, {});
        real.log.push(`quiescence: approve ${d.id} → ${answer.status}`);
      }
    }
    quietLooks = quiet ? quietLooks + 1 : 0;
    if (quietLooks >= 2) {
      real.log.push(`quiet at +${((Date.now() - real.startedAt) / 1000).toFixed(1)}s`);
      for (const o of observation.apps) real.log.push(`  ${describeApp(o)}`);
      return;
    }
    if (Date.now() > deadline + world.downMs) {
      const open = observation.apps.flatMap((o) => (o.deployments ?? []).filter((d) => !TERMINAL.has(d.phase)).map((d) => `${o.app} ${d.id} ${d.phase}`));
      const stuck = observation.apps.filter((o) => o.status?.running !== undefined || (o.status?.queued.length ?? 0) > 0).map((o) => `${o.app} running=${o.status?.running ?? '-'} queued=${o.status?.queued.join('|') || '-'}`);
      throw new ModelViolation([
        { invariant: 'quiescence', app: '-', detail: `not quiet ${Math.round(budgetMs / 1000)} s after the last event: ${[...open, ...stuck].join('; ') || (observation.reachable ? 'unknown' : 'controller unreachable')}`, at: 'quiescence' },
      ]);
    }
    await sleep(500);
  }
}

/** One line of what an app looks like: serving revision, the ledger's verdicts, job executions. */
function describeApp(o: AppObservation): string {
  const serving = o.arm ? servingRevision(o.arm) : undefined;
  const releases = o.ledger && o.ledger !== 'absent' ? o.ledger.releases.map((r) => `${r.revisionName.replace(/^.*--/, '')}=${r.verdict}${r.forced ? '(forced)' : ''}`).join(' ') : 'no ledger';
  const deployments = (o.deployments ?? []).map((d) => `${d.kind ?? 'deploy'}:${d.phase}`).join(' ');
  return `${o.app}: serving ${serving?.name ?? '-'} ${serving?.digest?.slice(7, 19) ?? ''}; releases ${releases}; deployments ${deployments || '-'}; executions ${(o.executions ?? []).map((e) => `${e.runId}:${e.status}`).join(' ') || '-'}`;
}
