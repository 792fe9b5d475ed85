/**
 * One release of a release group: the apps that run one image together (a web app and its
 * worker) go out as one deployment. Verify once, back up and migrate once, deploy every member
 * (at 0 %, or live in single-revision mode), pass every member's gates with its own health
 * rules, then promote the members in order. If any member fails, every member deployed goes
 * back to what it served, through the traffic gate, in reverse order: no member is left on a
 * release the others rolled back.
 *
 * The steps are the single-app deployment's (src/orchestrators/deployment/*Steps.ts), run per
 * member; the way back is the same compensation. Deterministic: time from
 * `context.df.currentUtcDateTime`, waits on durable timers, the world through activities.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import {
  ActivityNames as A,
  keepPreviousMinutes,
  type DeploymentPhase,
  type FinishDeploymentInput,
  type FinishDeploymentResult,
  type StepName,
} from '../../domain/deployment';
import { PRELUDE, describeStep, digestOfImage, phaseOf, recordNameOf, skipReasonOf, type RolloutState, type RolloutStep } from '../../domain/rollout';
import { activityFailureMessage } from '../activityFailure';
import { afterMigration, restorePrevious } from './compensation';
import { settle, settleTask } from './settle';
import { runStep } from './deploymentOrchestrator';
import { memberRun, startGroupRun, type GroupRun } from './groupRun';
import { abortReason, sweepNow, type RolloutRun, type StepResult } from './rolloutRun';
import { admissionGate } from './admissionGate';

interface Member {
  run: RolloutRun;
  /** The member's compiled steps (prelude and tail), once deployed. */
  steps: RolloutStep[];
}

interface Failure {
  member?: Member;
  step: StepName;
  kind: RolloutStep['kind'];
  reason: string;
  rejected?: boolean;
  aborted?: boolean;
}

export const groupDeploymentOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext): Generator<Task, unknown, unknown> {
  const group = startGroupRun(context);
  const { input } = group;
  const slotted = input.window || input.override || input.slots ? yield* admissionGate(group, input, input.group) : ({ ok: true } as const);
  if (!slotted.ok) {
    yield group.record({ phase: slotted.phase, reason: slotted.reason });
    if (slotted.phase !== 'superseded') yield group.notify('failed', slotted.reason);
    return yield* finish(group, [], slotted.phase);
  }
  // The verify step opens in the same moment the window was judged open.
  yield context.df.Task.all([
    group.notify('started'),
    group.record({ step: { name: 'verify', outcome: 'running', detail: 'verify' }, phase: 'verifying', reason: `releasing ${input.members.map((m) => m.app).join(', ')} together` }),
  ]);
  const members: Member[] = input.members.map((spec) => ({ run: memberRun(group, spec), steps: [...PRELUDE] }));

  const failure = (yield* releaseAll(group, members)) as Failure | undefined;
  let phase: DeploymentPhase;
  if (!failure) {
    phase = yield* promoted(group, members);
  } else if (!members.some(deployed)) {
    phase = failure.rejected ? 'rejected' : 'failed';
    yield group.record({ phase, reason: failure.reason });
    yield group.notify('failed', failure.reason);
  } else {
    phase = yield* rollBackAll(group, members, failure);
  }
  const result = yield* finish(group, members, phase);
  if (phase === 'succeeded' || phase === 'rolled-back' || phase === 'rejected') {
    for (const member of members) yield* sweepNow(member.run);
  }
  if (phase === 'succeeded') yield* retirePrevious(members);
  return result;
};

/** Everything up to the last promotion; the first failure stops it. */
function* releaseAll(group: GroupRun, members: Member[]): Generator<Task, Failure | undefined, unknown> {
  const primary = members.find((m) => m.run.input.spec.migration) ?? members[0];

  // Verify once per platform the members need (one, as a rule).
  const verified = new Set<string>();
  for (const member of members) {
    const platform = member.run.input.spec.platform;
    if (verified.has(platform)) continue;
    verified.add(platform);
    const result = yield* recorded(group, member, { kind: 'verify' }, 0, verified.size > 1 || members.some((m) => m.run.input.spec.platform !== platform));
    if (!result.ok) return failed(undefined, 'verify', 'verify', result);
    for (const other of members) {
      other.run.facts.digest = member.run.facts.digest;
      other.run.facts.imageRef = member.run.facts.imageRef;
    }
  }

  // One backup and one migration for the group: the member that declares them.
  for (const [index, step] of [[1, { kind: 'backup' }], [2, { kind: 'migrate' }]] as Array<[number, RolloutStep]>) {
    const name = step.kind === 'backup' ? 'backup' : 'migration';
    const skip = skipReasonOf(step, primary.run.input.spec);
    if (skip) {
      yield group.record({ step: { name, outcome: 'skipped', detail: skip } });
      continue;
    }
    const result = yield* recorded(group, primary, step, index, false);
    if (!result.ok) return failed(undefined, name, step.kind, result);
  }

  // Every member's new revision, in order; none gets traffic yet (single-revision members are live at once).
  for (const member of members) {
    const result = yield* recorded(group, member, { kind: 'deploy' }, 3, true);
    if (!result.ok) return failed(member, 'deploy', 'deploy', result);
    member.steps = [...PRELUDE, ...(result.tail ?? [])];
  }

  // Every member's gates (health, approval) before any promotion, then the promotions in order.
  for (const stage of ['gates', 'promotion'] as const) {
    for (const member of members) {
      const firstWeight = member.steps.findIndex((s) => s.kind === 'setWeight');
      const from = stage === 'gates' ? PRELUDE.length : firstWeight;
      const to = stage === 'gates' ? firstWeight : member.steps.length;
      for (let index = from; index < to; index++) {
        const state: RolloutState = { steps: member.steps, index, deployed: true };
        const result = yield* recorded(group, member, member.steps[index], index, true, state);
        if (!result.ok) return failed(member, recordNameOf(state, index), member.steps[index].kind, result);
      }
    }
  }
  return undefined;
}

/** One step of one member, with its records (marked with the member when `perMember`). */
function* recorded(group: GroupRun, member: Member, step: RolloutStep, index: number, perMember: boolean, state?: RolloutState): Generator<Task, StepResult, unknown> {
  const at: RolloutState = state ?? { steps: [...PRELUDE], index, deployed: false };
  const name = recordNameOf(at, index);
  const phase = phaseOf(at, index);
  const record = perMember ? member.run.record : group.record;
  yield record({ step: { name, outcome: 'running', detail: describeStep(step) }, phase });
  let result: StepResult;
  if (member.run.abort.isCompleted) result = { ok: false, aborted: true, reason: abortReason(member.run) };
  else {
    try {
      result = yield* runStep(member.run, step, index);
    } catch (error) {
      result = { ok: false, reason: activityFailureMessage(error) };
    }
  }
  yield record({ step: { name, outcome: result.ok ? 'succeeded' : 'failed', detail: result.ok ? result.detail : result.reason } });
  return result;
}

function failed(member: Member | undefined, step: StepName, kind: RolloutStep['kind'], result: Extract<StepResult, { ok: false }>): Failure {
  const reason = result.aborted ? `aborted: ${result.reason}` : member ? `${member.run.input.spec.app}: ${result.reason}` : result.reason;
  return { member, step, kind, reason, rejected: result.rejected, aborted: result.aborted };
}

function deployed(member: Member): boolean {
  return member.run.facts.mode !== undefined;
}

/** Every gate of every member passed: their releases are verified together, the ones they replaced superseded. */
function* promoted(group: GroupRun, members: Member[]): Generator<Task, DeploymentPhase, unknown> {
  const settled: Task[] = [];
  for (const { run } of members) {
    const { newRevision, previousRevision } = run.facts;
    if (newRevision) settled.push(settleTask(run, newRevision, 'verified', `passed every gate with group ${group.input.group}`, ['pending']));
    if (previousRevision && previousRevision !== newRevision) settled.push(settleTask(run, previousRevision, 'superseded', `replaced by ${newRevision}`, ['verified', 'baseline']));
  }
  settled.push(group.record({ phase: 'succeeded', reason: `${members.map((m) => `${m.run.input.spec.app} on ${m.run.facts.newRevision}`).join(', ')}` }));
  settled.push(group.notify('succeeded'));
  yield group.context.df.Task.all(settled);
  return 'succeeded';
}

/**
 * The one way back, for every member: in reverse order, each deployed member's traffic goes
 * back through the traffic gate (the member that failed its checks is `failed` in the ledger,
 * the others `rolled-back` with the reason), then the migration's policy runs once.
 */
function* rollBackAll(group: GroupRun, members: Member[], failure: Failure): Generator<Task, DeploymentPhase, unknown> {
  yield group.record({ phase: 'rolling-back', reason: failure.reason });
  const problems: string[] = [];
  for (const member of [...members].reverse()) {
    if (!deployed(member)) continue;
    const { run } = member;
    const undo = yield* restorePrevious(run);
    const checksFailed = member === failure.member && !failure.aborted && !failure.rejected && (failure.kind === 'healthGate' || failure.kind === 'analysis' || failure.kind === 'bake');
    if (run.facts.newRevision) {
      const why = member === failure.member ? failure.reason : `group ${group.input.group} rolled back: ${failure.reason}`;
      yield* settle(run, run.facts.newRevision, checksFailed ? 'failed' : 'rolled-back', why, ['pending', 'verified']);
    }
    if (!undo.ok) problems.push(`${run.input.spec.app}: ${undo.detail}`);
    yield run.step('rollback', undo.ok ? 'succeeded' : 'failed', undo.detail, 'rolling-back');
  }
  const primary = members.find((m) => m.run.input.spec.migration && deployed(m));
  const schema = problems.length === 0 && primary ? yield* afterMigration(primary.run) : undefined;
  let phase: DeploymentPhase = failure.rejected ? 'rejected' : 'rolled-back';
  let reason = `${failure.reason}; every member back on what it served before`;
  if (problems.length > 0) {
    // Loud: a member may be serving a revision that failed its checks.
    phase = 'failed';
    reason = `ROLLBACK FAILED (${problems.join('; ')}) after: ${failure.reason}`;
  }
  if (schema) reason = `${reason}; ${schema}`;
  yield group.record({ phase, reason });
  yield group.notify(phase === 'rolled-back' ? 'rolled-back' : 'failed', reason);
  return phase;
}

function* finish(group: GroupRun, members: Member[], phase: DeploymentPhase): Generator<Task, unknown, unknown> {
  const { input } = group;
  const succeeded = phase === 'succeeded';
  const finished = (yield group.call(A.finishDeployment, {
    deploymentId: input.deploymentId,
    app: input.group,
    group: { members: members.map((m) => ({ app: m.run.input.spec.app, servingDigest: digestOfImage(succeeded ? m.run.facts.imageRef : m.run.facts.previousImage) })) },
    phase,
    digest: input.image.digest,
    servingDigest: succeeded ? input.image.digest : digestOfImage(members[0]?.run.facts.previousImage),
    servingTag: succeeded ? input.image.tag : undefined,
  } satisfies FinishDeploymentInput)) as FinishDeploymentResult;
  return {
    deploymentId: input.deploymentId,
    group: input.group,
    phase,
    members: members.map((m) => ({ app: m.run.input.spec.app, previousRevision: m.run.facts.previousRevision, newRevision: m.run.facts.newRevision })),
    next: finished.nextDeploymentId,
  };
}

/** Each member's previous revision, kept active for a fast rollback, is retired once its window passes. */
function* retirePrevious(members: Member[]): Generator<Task, void, unknown> {
  const startMs = members[0]?.run.nowMs() ?? 0;
  const due = members
    .map((member) => ({ member, keepMinutes: keepPreviousMinutes(member.run.input.spec.strategy) }))
    .filter(({ member, keepMinutes }) => member.run.facts.previousRevision && member.run.facts.mode === 'Multiple' && keepMinutes > 0)
    .sort((a, b) => a.keepMinutes - b.keepMinutes);
  for (const { member, keepMinutes } of due) {
    const { run } = member;
    const previousRevision = run.facts.previousRevision!;
    const at = startMs + keepMinutes * 60_000;
    if (run.nowMs() < at) yield run.context.df.createTimer(new Date(at));
    const result = (yield run.call(A.deactivateRevision, { containerApp: run.input.spec.containerApp, revisionName: previousRevision, onlyIfIdle: true })) as { deactivated: boolean };
    if (result.deactivated) yield* settle(run, previousRevision, 'retired', `deactivated ${keepMinutes} min after promotion`, ['superseded']);
    yield run.step('retire-previous', 'succeeded', result.deactivated ? `${previousRevision} deactivated after ${keepMinutes} min` : `${previousRevision} kept: it has traffic`);
  }
}
